/**
 * How `npm start` runs the form host (scripts/formHost.mjs, scripts/controlBundle.mjs), what it prints of it, and the host's own entry
 * (host/main.ts) as the process npm start launches. The scripts are ES modules; jest runs CommonJS, so they are
 * called in a child Node process.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startSimulatorProcess, type SimulatorProcess } from './support/formStack';

const ROOT = join(__dirname, '..', '..');
const SCRIPTS = join(ROOT, 'scripts');

function callScript(module: string, expression: string): unknown {
  const url = pathToFileURL(join(SCRIPTS, module)).href;
  const result = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import * as m from ${JSON.stringify(url)}; console.log(JSON.stringify(await (${expression})));`,
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout) as unknown;
}

describe("the Function app's CORS list under npm start", () => {
  it('keeps the listed origins and adds the form host on a moved port', () => {
    const settings = { CORS_ALLOWED_ORIGINS: 'http://127.0.0.1:7100, http://localhost:7100' };
    expect(callScript('formHost.mjs', `m.corsWithFormHost(${JSON.stringify(settings)}, 7100)`)).toBe(
      'http://127.0.0.1:7100,http://localhost:7100',
    );
    expect(callScript('formHost.mjs', `m.corsWithFormHost(${JSON.stringify(settings)}, 7200)`)).toBe(
      'http://127.0.0.1:7100,http://localhost:7100,http://127.0.0.1:7200,http://localhost:7200',
    );
    expect(callScript('formHost.mjs', 'm.corsWithFormHost({}, 7200)')).toBe(
      'http://127.0.0.1:7200,http://localhost:7200',
    );
  });
});

describe('what npm start prints of the form host', () => {
  it('names the forms and the settings page, as control and as web resource', () => {
    const lines = callScript('formHost.mjs', 'm.formHostLines("http://127.0.0.1:7100")') as string[];
    expect(lines.join('\n')).toContain(
      'Opportunity http://127.0.0.1:7100/forms/opportunity  Quote http://127.0.0.1:7100/forms/quote',
    );
    expect(lines.join('\n')).toContain(
      'Settings page       control http://127.0.0.1:7100/settings  web resource http://127.0.0.1:7100/settings/web-resource',
    );
  });
});

describe('when npm start builds the controls', () => {
  let folder: string;
  const at = (path: string, seconds: number) => {
    utimesSync(path, seconds, seconds);
  };
  const bundles = () => [join(folder, 'bundle.js'), join(folder, 'settings.js')];
  const outOfDate = () =>
    callScript(
      'controlBundle.mjs',
      `m.bundleOutOfDate(${JSON.stringify({ bundles: bundles(), sources: [join(folder, 'src')] })})`,
    );
  const built = (seconds: number) => {
    for (const bundle of bundles()) {
      writeFileSync(bundle, '');
      at(bundle, seconds);
    }
  };

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'form-host-bundle-'));
    mkdirSync(join(folder, 'src'));
    writeFileSync(join(folder, 'src', 'WidgetApp.tsx'), '');
    at(join(folder, 'src', 'WidgetApp.tsx'), 1_000);
  });
  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it('builds when any bundle is missing (the web resource too), naming it', () => {
    expect(outOfDate()).toMatch(/bundle\.js is missing$/);
    writeFileSync(join(folder, 'bundle.js'), '');
    expect(outOfDate()).toMatch(/settings\.js is missing$/);
  });

  it('builds when a bundle is older than a source, and leaves newer ones', () => {
    built(2_000);
    expect(outOfDate()).toBeNull();
    at(join(folder, 'bundle.js'), 500);
    expect(outOfDate()).toBe('the controls changed since their bundles were built');
    built(2_000);
    at(join(folder, 'src', 'WidgetApp.tsx'), 3_000);
    expect(outOfDate()).toBe('the controls changed since their bundles were built');
  });

  it('does not build for a changed test, or for the types pcf-scripts generates while it builds', () => {
    built(2_000);
    writeFileSync(join(folder, 'src', 'WidgetApp.test.tsx'), '');
    at(join(folder, 'src', 'WidgetApp.test.tsx'), 3_000);
    mkdirSync(join(folder, 'src', 'generated'));
    writeFileSync(join(folder, 'src', 'generated', 'ManifestTypes.d.ts'), '');
    at(join(folder, 'src', 'generated', 'ManifestTypes.d.ts'), 3_000);
    expect(outOfDate()).toBeNull();
  });
});

describe('the form host as npm start runs it', () => {
  let simulators: SimulatorProcess;
  let certificateFolder: string;
  let certificateFile: string;

  beforeAll(async () => {
    simulators = await startSimulatorProcess();
    // The simulators print where their certificate is; the harness hands over its contents, written here again.
    certificateFolder = mkdtempSync(join(tmpdir(), 'form-host-certificate-'));
    certificateFile = join(certificateFolder, 'identity.pem');
    writeFileSync(certificateFile, simulators.identityCertificatePem);
  }, 60_000);
  afterAll(async () => {
    await simulators.stop();
    rmSync(certificateFolder, { recursive: true, force: true });
  });

  /** host/main.ts as its own process; resolves with its output once it exits. */
  function runHost(environment: Record<string, string>, untilLine?: RegExp) {
    const child = spawn(process.execPath, ['--import', 'tsx', join('pcf-control', 'host', 'main.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        FORM_HOST_PORT: '0',
        FORM_HOST_API_BASE_URL: 'http://127.0.0.1:7071',
        FORM_HOST_DATAVERSE_URL: simulators.dataverseUrl,
        FORM_HOST_IDENTITY_URL: simulators.identityUrl,
        FORM_HOST_IDENTITY_CERTIFICATE_FILE: certificateFile,
        ...environment,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const line = new Promise<string>((resolve) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (untilLine?.test(output)) resolve(output);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
    });
    const exited = new Promise<{ code: number | null; output: string }>((resolve) => {
      child.once('exit', (code) => {
        resolve({ code, output });
      });
    });
    return { child, line, exited };
  }

  it('prints the line npm start waits for, serves the forms and the settings page, and stops on SIGTERM', async () => {
    const host = runHost({}, /Form host ready: .*\n/);
    const output = await host.line;
    const ready = callScript('formHost.mjs', `m.formHostReady(${JSON.stringify(output)})`) as { url: string };
    expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(output).toContain(`settings ${ready.url}/settings and ${ready.url}/settings/web-resource`);
    expect((await fetch(`${ready.url}/forms/opportunity`)).status).toBe(200);
    expect((await fetch(`${ready.url}/settings`)).status).toBe(200);
    expect((await fetch(`${ready.url}/settings/web-resource`)).status).toBe(200);
    host.child.kill('SIGTERM');
    expect((await host.exited).code).toBe(0);
  }, 60_000);

  it('names a missing setting and starts nothing', async () => {
    const { code, output } = await runHost({ FORM_HOST_API_BASE_URL: '' }).exited;
    expect(code).toBe(1);
    expect(output).toContain('FORM_HOST_API_BASE_URL is required');
  }, 60_000);

  it('says which setting moves it when its port is taken', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const port = address !== null && typeof address === 'object' ? address.port : 0;
    try {
      const { code, output } = await runHost({ FORM_HOST_PORT: String(port) }).exited;
      expect(code).toBe(1);
      expect(output).toContain(`EADDRINUSE`);
      expect(output).toContain("the form host's port is taken; FORM_HOST_PORT moves it");
    } finally {
      await new Promise<void>((resolve) =>
        taken.close(() => {
          resolve();
        }),
      );
    }
  }, 60_000);
});
