// `npm start`: the product on the local stack, all on 127.0.0.1 — the Oneflow, Dataverse and identity
// simulators, Azurite (started by the Functions runner), the Function app, with a webhook registered in the
// Oneflow simulator so that editing a contract on its page flows back into Dynamics, and the form host: the
// widget on Opportunity and Quote forms (its bundle is built first when it is missing or out of date). State (Azurite's data and
// the simulators') is kept in `.local/` across restarts; `npm start -- --fresh` starts from the seeded demo data.
// Ctrl-C stops everything. Ports and the state folder can be moved through the environment (see README).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { clearTimeout, setInterval, setTimeout } from 'node:timers';
import { URL } from 'node:url';
import { ensureControlBundle } from './controlBundle.mjs';
import { corsWithFormHost, formHostLines, formHostReady, freePort } from './formHost.mjs';
import { isPartial, ROOT, runningStack, stateFolder, wipe } from './localState.mjs';

const PORTS = {
  FUNCTIONS_PORT: 7071,
  SIM_DATAVERSE_PORT: 7101,
  SIM_ONEFLOW_PORT: 7102,
  SIM_IDENTITY_PORT: 7103,
  AZURITE_BLOB_PORT: 10000,
  AZURITE_QUEUE_PORT: 10001,
  AZURITE_TABLE_PORT: 10002,
  FORM_HOST_PORT: 7100,
};
/** The simulators' default origins as functions/local.settings.json(.example) names them. */
const DEFAULT_ORIGINS = {
  dataverse: 'http://127.0.0.1:7101',
  oneflow: 'http://127.0.0.1:7102',
  identity: 'https://127.0.0.1:7103',
};
const READY_TIMEOUT_MS = 120_000;
const KILL_AFTER_MS = 15_000;

const children = new Map();
let stopping = false;
let exitCode = 0;
let lockFile = null;
/** Azurite runs in its own process group under the Function app's runner: if that runner dies, it is stopped here. */
let azuritePid = null;

/** Paths inside the checkout relative to it (`.local`), others as they are. */
function shownPath(path) {
  const inside = relative(ROOT, path);
  return inside === '' ? '.' : inside.startsWith('..') || isAbsolute(inside) ? path : inside;
}

function fail(message) {
  console.error(message);
  process.exit(1);
}

function readOptions(args) {
  const unknown = args.filter((arg) => arg !== '--fresh');
  if (unknown.length > 0) {
    fail(
      `npm start: unknown option "${unknown[0]}"; the only option is --fresh (start from the seeded demo data)`,
    );
  }
  return { fresh: args.includes('--fresh') };
}

/** Every port from the environment, checked before anything starts so a typo never leaves half a stack. */
function readPorts(environment) {
  const ports = {};
  for (const [name, fallback] of Object.entries(PORTS)) {
    const value = environment[name];
    if (value === undefined || value === '') ports[name] = fallback;
    else if (/^\d{1,5}$/.test(value) && Number(value) <= 65535) ports[name] = Number(value);
    else fail(`${name} must be a port number (0-65535), got "${value}"`);
  }
  return ports;
}

/** The Function app's settings as its runner reads them: local.settings.json, else the example, under the environment. */
function functionsSettings(environment) {
  const file = ['local.settings.json', 'local.settings.json.example']
    .map((name) => join(ROOT, 'functions', name))
    .find((path) => existsSync(path));
  const values = file ? (JSON.parse(readFileSync(file, 'utf8')).Values ?? {}) : {};
  return { ...values, ...environment };
}

function stopAll() {
  if (stopping) return;
  stopping = true;
  if (children.size === 0) finish();
  for (const child of children.values()) child.kill('SIGTERM');
  setTimeout(() => {
    for (const [name, child] of children) {
      console.error(`[${name}] did not stop in ${KILL_AFTER_MS / 1000} s; killing it`);
      child.kill('SIGKILL');
    }
  }, KILL_AFTER_MS).unref();
}

function finish() {
  if (azuritePid !== null) {
    try {
      process.kill(azuritePid, 'SIGTERM');
    } catch {
      // Gone already: the runner stopped it, as it does on every orderly stop.
    }
  }
  if (lockFile) rmSync(lockFile, { force: true });
  console.log(
    exitCode === 0
      ? 'Local stack stopped; its state is kept for the next npm start.'
      : 'Local stack stopped.',
  );
  process.exit(exitCode);
}

/**
 * Starts one part as `node --import tsx <script>` (one process per part, so stopping it is one signal) and
 * resolves with what `ready` finds in its output.
 */
function launch(name, script, environment, ready) {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.set(name, child);
  let output = '';
  let settled = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      settled = true;
      reject(new Error(`${name} was not ready after ${READY_TIMEOUT_MS / 1000} s`));
    }, READY_TIMEOUT_MS);
    const onLine = (line) => {
      console.log(`[${name}] ${line}`);
      if (settled) return;
      output += `${line}\n`;
      const found = ready(output);
      if (found) {
        settled = true;
        clearTimeout(timer);
        resolve({ ...found, pid: child.pid });
      }
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    child.once('exit', (code, signal) => {
      children.delete(name);
      const how = signal ?? `exit code ${code}`;
      if (!settled) {
        // main() reports it and stops the rest.
        settled = true;
        clearTimeout(timer);
        reject(new Error(`${name} stopped before it was ready (${how})`));
      } else if (!stopping) {
        console.error(`[${name}] stopped unexpectedly (${how}); stopping the rest`);
        exitCode = 1;
        stopAll();
        return;
      }
      if (stopping && children.size === 0) finish();
    });
  });
}

function simulatorsReady(output) {
  const dataverse = /Dataverse simulator\s+(http:\/\/\S+?)\/api\/data/.exec(output)?.[1];
  const oneflow = /Oneflow simulator\s+(http:\/\/\S+?)\/v1/.exec(output)?.[1];
  const identity = /Identity provider\s+(https:\/\/\S+?)\/\{tenant\}.*TLS certificate (\S+?)\)/.exec(output);
  const state = /State\s+.*\((continued from the last run|seeded fixtures);/.exec(output)?.[1];
  if (!dataverse || !oneflow || !identity || !state) return null;
  return {
    dataverse,
    oneflow,
    identity: identity[1],
    certificate: identity[2],
    restored: state.startsWith('continued'),
  };
}

function functionsReady(output) {
  const api = /Functions: (http:\/\/\S+?\/api) /.exec(output)?.[1];
  if (!api) return null;
  const azurite = /Azurite: blobs (\d+), queues (\d+), tables (\d+) \(data in (.+)\), pid (\d+)/.exec(output);
  return {
    api,
    azurite: azurite
      ? { blob: azurite[1], queue: azurite[2], table: azurite[3], location: azurite[4], pid: azurite[5] }
      : null,
  };
}

/**
 * One webhook per organisation served by this Oneflow simulator, pointing at this Function app: kept when the
 * saved state already has it, moved when an earlier run used another port, registered otherwise.
 */
async function registerWebhooks(oneflowUrl, api, tenants, settings) {
  for (const tenant of tenants) {
    if (!String(tenant.oneflow?.apiUrl ?? '').startsWith(oneflowUrl)) continue;
    const suffix = tenant.orgKey.toUpperCase().replace(/[^A-Z0-9]/g, '_');
    const token = settings[`ONEFLOW_API_TOKEN__${suffix}`];
    if (!token) continue;
    const headers = { 'x-oneflow-api-token': token };
    const callback = `${api}/webhooks/oneflow/${tenant.orgKey}`;
    const listed = await fetch(`${oneflowUrl}/v1/webhooks?limit=100`, { headers });
    if (!listed.ok) throw new Error(`listing the Oneflow webhooks failed: ${listed.status}`);
    const webhooks = (await listed.json()).data ?? [];
    const ours = (url) => {
      const parsed = URL.canParse(url) ? new URL(url) : null;
      return parsed?.hostname === '127.0.0.1' && parsed.pathname === new URL(callback).pathname;
    };
    for (const webhook of webhooks) {
      if (ours(webhook.callback_url) && webhook.callback_url !== callback) {
        const deleted = await fetch(`${oneflowUrl}/v1/webhooks/${webhook.webhook_id}`, {
          method: 'DELETE',
          headers,
        });
        if (!deleted.ok)
          throw new Error(`removing the webhook to ${webhook.callback_url} failed: ${deleted.status}`);
      }
    }
    if (webhooks.some((webhook) => webhook.callback_url === callback)) continue;
    const created = await fetch(`${oneflowUrl}/v1/webhooks`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        callback_url: callback,
        sign_key: settings[`ONEFLOW_SIGN_KEY__${suffix}`] ?? null,
      }),
    });
    if (!created.ok)
      throw new Error(`registering the webhook for ${tenant.orgKey} failed: ${created.status}`);
  }
}

async function main() {
  const { fresh } = readOptions(process.argv.slice(2));
  const ports = readPorts(process.env);
  const folder = stateFolder();
  const shown = shownPath(folder.dir);
  const holder = runningStack(folder);
  if (holder !== null) {
    fail(
      `A local stack is already running from ${shown} (pid ${holder}): stop it first, or give this one its own LOCAL_STATE_DIR.`,
    );
  }
  mkdirSync(folder.dir, { recursive: true });
  writeFileSync(folder.lock, String(process.pid));
  lockFile = folder.lock;
  if (fresh) {
    console.log(wipe(folder) ? `Starting fresh: removed the saved state in ${shown}.` : 'Starting fresh.');
  } else if (isPartial(folder)) {
    wipe(folder);
    console.log(
      `${shown} held Azurite's data without the simulators' state (saved by an older version): starting fresh, so that no contract is stranded.`,
    );
  }

  // Before anything runs: a build takes half a minute and may fail, and nothing need be stopped then.
  ensureControlBundle();
  const formHostPort = ports.FORM_HOST_PORT === 0 ? await freePort() : ports.FORM_HOST_PORT;

  const simulators = await launch(
    'sim',
    join('simulators', 'src', 'run.ts'),
    {
      SIM_DATAVERSE_PORT: String(ports.SIM_DATAVERSE_PORT),
      SIM_ONEFLOW_PORT: String(ports.SIM_ONEFLOW_PORT),
      SIM_IDENTITY_PORT: String(ports.SIM_IDENTITY_PORT),
      SIM_STATE_DIR: folder.simulators,
    },
    simulatorsReady,
  );
  const settings = functionsSettings(process.env);
  // The settings name the simulators on their default ports; point them at the ones really running.
  const pointed = (text) =>
    String(text ?? '')
      .replaceAll(DEFAULT_ORIGINS.dataverse, simulators.dataverse)
      .replaceAll(DEFAULT_ORIGINS.oneflow, simulators.oneflow)
      .replaceAll(DEFAULT_ORIGINS.identity, simulators.identity);
  const tenantsJson = pointed(settings.PRODUCT_SYNC_TENANTS);
  const functions = await launch(
    'functions',
    join('functions', 'src', 'host', 'main.ts'),
    {
      FUNCTIONS_PORT: String(ports.FUNCTIONS_PORT),
      AZURITE_BLOB_PORT: String(ports.AZURITE_BLOB_PORT),
      AZURITE_QUEUE_PORT: String(ports.AZURITE_QUEUE_PORT),
      AZURITE_TABLE_PORT: String(ports.AZURITE_TABLE_PORT),
      AZURITE_LOCATION: folder.azurite,
      PRODUCT_SYNC_TENANTS: tenantsJson,
      ENTRA_AUTHORITY_HOST: pointed(settings.ENTRA_AUTHORITY_HOST),
      ENTRA_CA_CERTIFICATE_FILE: simulators.certificate,
      CORS_ALLOWED_ORIGINS: corsWithFormHost(settings, formHostPort),
    },
    functionsReady,
  );
  await registerWebhooks(simulators.oneflow, functions.api, JSON.parse(tenantsJson || '[]'), settings);
  const forms = await launch(
    'forms',
    join('pcf-control', 'host', 'main.ts'),
    {
      FORM_HOST_PORT: String(formHostPort),
      FORM_HOST_API_BASE_URL: functions.api.replace(/\/api$/, ''),
      FORM_HOST_DATAVERSE_URL: simulators.dataverse,
      FORM_HOST_IDENTITY_URL: simulators.identity,
      FORM_HOST_IDENTITY_CERTIFICATE_FILE: simulators.certificate,
    },
    formHostReady,
  );

  const { azurite } = functions;
  if (azurite) azuritePid = Number(azurite.pid);
  console.log(
    [
      '',
      `Local stack ready (${simulators.restored ? `continued from the state saved in ${shown}` : `seeded demo data; state saved in ${shown}`}):`,
      `  Function app        ${functions.api}  (docs/api.md)`,
      `  Oneflow simulator   ${simulators.oneflow}/  (edit a contract as the counterparty: webhooks reach the app)`,
      `  Dataverse simulator ${simulators.dataverse}/api/data/v9.2/`,
      `  Identity provider   ${simulators.identity}  (user tokens: POST /_sim/tokens, see docs/simulators-identity.md; TLS certificate ${simulators.certificate})`,
      ...formHostLines(forms.url),
      azurite
        ? `  Azurite             blobs ${azurite.blob}, queues ${azurite.queue}, tables ${azurite.table}  (data in ${shownPath(azurite.location)})`
        : '  Azurite             not started: AzureWebJobsStorage is set',
      `Processes: simulators pid ${simulators.pid}, Function app pid ${functions.pid}${azurite ? `, Azurite pid ${azurite.pid}` : ''}, form host pid ${forms.pid}.`,
      'Ctrl-C stops everything and keeps the state; `npm start -- --fresh` (or `npm run reset`) starts over.',
    ].join('\n'),
  );
}

process.on('SIGINT', stopAll);
process.on('SIGTERM', stopAll);
process.on('SIGHUP', stopAll);
// `npm start` runs this under `sh -c`; a signal sent to npm alone ends npm and the shell, not this process.
// Losing the parent is the sign to stop, rather than running on with nobody to press Ctrl-C.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) stopAll();
}, 1000).unref();

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  exitCode = 1;
  stopAll();
});
