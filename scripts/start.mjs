// `npm start`: the product on the local stack, all on 127.0.0.1 — the Oneflow, Dataverse and identity
// simulators (seeded), Azurite (started by the Functions runner) and the Function app on :7071, with a webhook
// registered in the Oneflow simulator so that editing a contract on its page flows back into Dynamics.
// Ctrl-C stops everything. The widget's host page is not part of the product yet.
import { spawn } from 'node:child_process';

const ONEFLOW_TOKEN = '0f1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5';
const SIGN_KEY = 'local-demo-sign-key';
const children = [];

function start(name, args, env, ready) {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    const onData = (chunk) => {
      const text = chunk.toString();
      process.stdout.write(text.replace(/^(?=.)/gm, `[${name}] `));
      output += text;
      const match = ready.exec(output);
      if (match) resolve(match);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
}

function stop() {
  for (const child of children) child.kill('SIGTERM');
}

process.once('SIGINT', stop);
process.once('SIGTERM', stop);

try {
  const [, certificate] = await start('sim', ['run', 'sim', '--silent'], {}, /TLS certificate (\S+?)\)/);
  await start(
    'functions',
    ['run', 'host', '-w', 'functions', '--silent'],
    { ENTRA_CA_CERTIFICATE_FILE: certificate },
    /Functions: (\S+)/,
  );
  const response = await fetch('http://127.0.0.1:7102/v1/webhooks', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-oneflow-api-token': ONEFLOW_TOKEN },
    body: JSON.stringify({
      callback_url: 'http://127.0.0.1:7071/api/webhooks/oneflow/contoso',
      sign_key: SIGN_KEY,
    }),
  });
  if (!response.ok) throw new Error(`registering the webhook failed: ${response.status}`);
  console.log(
    [
      '',
      'Local stack ready:',
      '  Function app        http://127.0.0.1:7071/api  (docs/api.md)',
      '  Oneflow simulator   http://127.0.0.1:7102/  (edit a contract as the counterparty: webhooks reach the app)',
      '  Dataverse simulator http://127.0.0.1:7101/api/data/v9.2/',
      '  Identity provider   https://127.0.0.1:7103  (user tokens: POST /_sim/tokens, see docs/simulators-identity.md)',
      'Ctrl-C stops everything.',
    ].join('\n'),
  );
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  stop();
  process.exitCode = 1;
}
