import { connect } from 'node:net';
import type { FastifyInstance } from 'fastify';

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 only; port 0 picks a free one (tests), a number a fixed one (`npm run sim`). */
export async function listenLocal(app: FastifyInstance, port: number): Promise<RunningServer> {
  await app.listen({ host: '127.0.0.1', port });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    close: () => app.close(),
  };
}

/** Whether something accepts connections on 127.0.0.1:`port` now (tests check that stopped servers are gone). */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}
