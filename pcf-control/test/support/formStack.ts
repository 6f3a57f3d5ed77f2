import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startFormHost, type RunningFormHost } from '../../host/server';
import { REDIRECT_BRIDGE_PATH } from '../../src/auth/redirectBridge';

/** What the browser suites use of functions/src/testing/stack.ts's Stack. */
export interface Stack {
  host: { url: string };
  simulators: {
    dataverseUrl: string;
    oneflowUrl: string;
    identityUrl: string;
    identityCertificatePem: string;
  };
  /** The Function app's API, for setting a scene up (settings, a record's contract); never the thing tested. */
  api(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Record<string, string>; body: unknown; text: string }>;
  token(user: 'alex' | 'robin' | 'sam' | 'megan', claims?: Record<string, unknown>): Promise<string>;
  sim(
    service: 'dataverse' | 'oneflow',
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: unknown; text: string }>;
  close(): Promise<void>;
}

/**
 * The Function app's test harness is loaded at run time: the functions compile under their own tsconfig (the
 * shared package's path, ES2022's library); a static import would type-check them under the control's settings.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startStack } = require('../../../functions/src/testing/stack') as {
  startStack: (options: { env?: Record<string, string> }) => Promise<Stack>;
};

export interface FormStack {
  stack: Stack;
  host: RunningFormHost;
  close(): Promise<void>;
}

/** What the host-level suites use of functions/src/testing/simulatorProcess.ts. */
export interface SimulatorProcess {
  pid: number;
  dataverseUrl: string;
  oneflowUrl: string;
  identityUrl: string;
  identityCertificatePem: string;
  stop(): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startSimulatorProcess } = require('../../../functions/src/testing/simulatorProcess') as {
  /** The three simulators as their own process, on free ports, from the seeded fixtures. */
  startSimulatorProcess: () => Promise<SimulatorProcess>;
};
export { startSimulatorProcess };

/**
 * A free port on 127.0.0.1, held by a listening server until `release()`: the form host's origin must be known
 * before the Function app starts (its CORS list), and while the stack starts, the processes and connections it
 * opens must not be handed the same port.
 */
function reservePort(): Promise<{ port: number; release(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const release = () =>
        new Promise<void>((done) =>
          server.close(() => {
            done();
          }),
        );
      if (address !== null && typeof address === 'object') resolve({ port: address.port, release });
      else
        void release().then(() => {
          reject(new Error('no port'));
        });
    });
  });
}

const IDENTITY_FIXTURE = join(__dirname, '..', '..', '..', 'simulators', 'fixtures', 'identity.json');
const WIDGET_CLIENT_ID = '7e1f3a5c-9b2d-4f6e-8a0c-3d5f7b9e1a2c';

/**
 * Registers the form host's redirect bridge for the widget's application (`?signin=msal`): the fixture lists the
 * one of `npm start`'s port 7100, a suite's host runs on another.
 */
async function registerRedirectUri(simulators: Stack['simulators'], hostUrl: string): Promise<void> {
  const fixture = JSON.parse(readFileSync(IDENTITY_FIXTURE, 'utf8')) as {
    applications: { clientId: string; spaRedirectUris?: string[] }[];
  };
  const widget = fixture.applications.find((application) => application.clientId === WIDGET_CLIENT_ID);
  if (widget === undefined) throw new Error(`The identity fixture has no application ${WIDGET_CLIENT_ID}`);
  widget.spaRedirectUris = [...(widget.spaRedirectUris ?? []), `${hostUrl}${REDIRECT_BRIDGE_PATH}`];
  const body = JSON.stringify(fixture);
  const status = await new Promise<number>((resolve, reject) => {
    const call = request(
      `${simulators.identityUrl}/_sim/fixture`,
      {
        method: 'POST',
        ca: simulators.identityCertificatePem,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    call.on('error', reject);
    call.end(body);
  });
  if (status !== 200)
    throw new Error(`The identity simulator refused the redirect URI of the form host (${status})`);
}

/** Attempts at a free port for the form host: another process may take the one picked before the host binds it. */
const PORT_ATTEMPTS = 3;

function isPortTaken(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'EADDRINUSE';
}

/**
 * The whole local stack for a browser suite: simulators, Azurite and the Function app (allowing exactly the form
 * host's origin), then the form host against them. `close()` stops every process it started. The host's port
 * must be chosen before the Function app starts (its CORS list names it), so it is held meanwhile; if something
 * else still binds it in the moment between, the stack is stopped and started again on another port.
 */
export async function startFormStack(): Promise<FormStack> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startFormStackOnce();
    } catch (error) {
      if (!isPortTaken(error) || attempt === PORT_ATTEMPTS) throw error;
    }
  }
}

async function startFormStackOnce(): Promise<FormStack> {
  const reservation = await reservePort();
  const { port } = reservation;
  let stack: Stack;
  try {
    stack = await startStack({ env: { CORS_ALLOWED_ORIGINS: `http://127.0.0.1:${port}` } });
  } finally {
    // The host binds the port first thing (host/server.ts), so only a moment passes between the two.
    await reservation.release();
  }
  let started: RunningFormHost | undefined;
  try {
    started = await startFormHost({
      port,
      apiBaseUrl: stack.host.url,
      dataverseUrl: stack.simulators.dataverseUrl,
      identityUrl: stack.simulators.identityUrl,
      identityCertificatePem: stack.simulators.identityCertificatePem,
    });
    await registerRedirectUri(stack.simulators, started.url);
  } catch (error) {
    await started?.close();
    await stack.close();
    throw error;
  }
  const host = started;
  return {
    stack,
    host,
    async close() {
      try {
        await host.close();
      } finally {
        await stack.close();
      }
    },
  };
}
