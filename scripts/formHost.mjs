// How `npm start` runs the form host beside the Function app: the host's origin in the app's CORS list, a port
// picked before the app starts when FORM_HOST_PORT is 0, and the line the host prints when it is ready.
import { createServer } from 'node:net';

/**
 * The Function app's CORS list with the form host's origins added: the example settings allow port 7100 only,
 * and a form host moved elsewhere (a second stack) must still reach its own API.
 */
export function corsWithFormHost(settings, port) {
  const listed = String(settings.CORS_ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  const ours = [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
  return [...new Set([...listed, ...ours])].join(',');
}

/** A free port on 127.0.0.1, for FORM_HOST_PORT=0: the Function app must know the host's origin before it starts. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The host's address from its ready line (pcf-control/host/main.ts prints it), or null before that line. */
export function formHostReady(output) {
  const url = /Form host ready: (http:\/\/\S+?)\/ /.exec(output)?.[1];
  return url ? { url } : null;
}

/** What `npm start` prints of the form host: the widget's forms and the settings page, as control and web resource. */
export function formHostLines(url) {
  return [
    `  Widget on forms     Opportunity ${url}/forms/opportunity  Quote ${url}/forms/quote  (docs/form-host.md)`,
    `  Settings page       control ${url}/settings  web resource ${url}/settings/web-resource  (as Sam Admin; ?user=alex is read-only)`,
  ];
}
