/**
 * Starts a server before the tests of the enclosing block (the file, or a `describe`) and closes it after
 * them. The server only exists once `beforeAll` has run, so what this returns is a stand-in for it, to keep
 * in a constant at the top of a test file: every property read is forwarded to the started server, and a
 * read outside the block's tests throws.
 */
export function useServer<Server extends object>(
  start: () => Promise<Server>,
  close: (server: Server) => Promise<void>,
): Server {
  let server: Server | undefined;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(async () => {
    if (server !== undefined) await close(server);
    server = undefined;
  });
  const current = (): Server => {
    if (server === undefined)
      throw new Error('The server is only running during the tests it was started for.');
    return server;
  };
  return new Proxy({} as Server, {
    get: (_target, property): unknown => Reflect.get(current(), property),
    has: (_target, property) => Reflect.has(current(), property),
  });
}
