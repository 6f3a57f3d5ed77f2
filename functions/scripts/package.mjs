// Builds the Function app's deployment package, functions/out/functionapp.zip: one bundled entry with the
// workspace packages inlined (the app runs without the monorepo), host.json, and a package.json plus
// package-lock.json naming only the npm packages the bundle leaves external, at the versions this repository
// tests. The Flex Consumption remote build installs exactly those (docs/decisions.md, "Function app package").
//
//   node functions/scripts/package.mjs [--out <zip>] [--entry <file>]
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { zipSync, strToU8 } from 'fflate';

const functionsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const rootDir = resolve(functionsDir, '..');

/**
 * Left out of the bundle. `@azure/functions` requires `@azure/functions-core`, a module only the Functions worker
 * provides, and the worker and the library agree on one programming model through it: it stays a real package.
 * Everything else is inlined, so a cold start reads one file instead of resolving hundreds under node_modules.
 */
const EXTERNAL = ['@azure/functions'];
const BUNDLE = 'dist/index.js';
const NODE_RANGE = '>=22';
/** Zip entries carry this time, so two builds of the same sources give the same zip. */
const ENTRY_TIME = new Date('2026-01-01T00:00:00Z');

class PackageError extends Error {}

/**
 * A file's path in the repository's terms (`node_modules/zod/…`, `shared/src/…`), which the lock file's keys use.
 * esbuild reports real paths, so where node_modules is a link to another checkout's, its files are named from there.
 */
const modulesHome = dirname(realpathSync(join(rootDir, 'node_modules')));
function repositoryPath(path) {
  const absolute = resolve(rootDir, path);
  const inside = relative(rootDir, absolute);
  return (inside.startsWith('..') ? relative(modulesHome, absolute) : inside).split(sep).join('/');
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** `node_modules/@scope/name/node_modules/dep/lib/x.js` → `node_modules/@scope/name/node_modules/dep`. */
function lockKeyOf(path) {
  const parts = path.split('/');
  const last = parts.lastIndexOf('node_modules');
  if (last < 0) return undefined;
  const name = parts[last + 1]?.startsWith('@') ? 2 : 1;
  return parts.slice(0, last + 1 + name).join('/');
}

function packageNameOf(specifier) {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

/**
 * What the bundle may contain: the functions workspace's own non-test sources, the workspaces it depends on at
 * run time, and npm packages the lock file does not mark as dev-only. Anything else (a test helper, the
 * simulators, azurite, msw, jest) means a test or dev import reached the entry: the build fails naming it.
 */
function checkInputs(inputs, functionsPackage, lock) {
  const rootPackage = readJson(join(rootDir, 'package.json'));
  const runtime = new Set(Object.keys(functionsPackage.dependencies ?? {}));
  const workspaces = new Map(
    rootPackage.workspaces.map((folder) => [folder, readJson(join(rootDir, folder, 'package.json')).name]),
  );
  const problems = [];
  for (const input of inputs) {
    const key = lockKeyOf(input);
    if (key === undefined) {
      if (/\.test\.[cm]?[jt]sx?$/.test(input) || /\/(testing|e2e)\//.test(input)) {
        problems.push(`${input} is test code`);
        continue;
      }
      const folder = input.split('/')[0] ?? '';
      const name = workspaces.get(folder);
      if (name === undefined) problems.push(`${input} is outside the workspaces`);
      else if (folder !== 'functions' && !runtime.has(name))
        problems.push(
          `${input} belongs to ${name}, which is not a runtime dependency of ${functionsPackage.name}`,
        );
      continue;
    }
    const entry = lock.packages[key];
    if (entry === undefined) problems.push(`${input} is not in package-lock.json`);
    else if (entry.dev === true)
      problems.push(
        `${input} belongs to ${packageNameOf(key.split('node_modules/').pop())}, a devDependency`,
      );
  }
  return problems;
}

/** The lock entry Node's resolution would find for `name` required from the package at `from` ('' = the app). */
function resolveInLock(lock, from, name) {
  for (let dir = from; ;) {
    const key = `${dir === '' ? '' : `${dir}/`}node_modules/${name}`;
    if (lock.packages[key] !== undefined) return key;
    if (dir === '') return undefined;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut < 0 ? '' : dir.slice(0, cut);
  }
}

/** The root lock's entries for `dependencies` and everything they need, at the same paths: an exact install. */
function lockFor(lock, manifest) {
  const packages = {
    '': { name: manifest.name, version: manifest.version, dependencies: manifest.dependencies },
  };
  const pending = Object.keys(manifest.dependencies).map((name) => ({ from: '', name }));
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const key = resolveInLock(lock, next.from, next.name);
    if (key === undefined)
      throw new PackageError(
        `${next.name} (needed by ${next.from || 'the app'}) is not in package-lock.json`,
      );
    if (packages[key] !== undefined) continue;
    // In the app's own lock these are production packages: the root lock's dev flags do not apply.
    const entry = Object.fromEntries(
      Object.entries(lock.packages[key]).filter(([field]) => !['dev', 'devOptional', 'peer'].includes(field)),
    );
    packages[key] = entry;
    for (const name of Object.keys(entry.dependencies ?? {})) pending.push({ from: key, name });
  }
  return { name: manifest.name, version: manifest.version, lockfileVersion: 3, requires: true, packages };
}

/**
 * A package's optional peer (debug's `supports-color`) that only dev tools bring into this repository is absent
 * from a production install: the library requires it inside a try/catch and runs without it. It stays an external
 * require that fails the same way in Azure, rather than being bundled from the dev tree.
 */
function optionalPeersAbsentInProduction(lock, absent) {
  return {
    name: 'optional-peers-absent-in-production',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^[@\w]/ }, (args) => {
        const importer = lockKeyOf(repositoryPath(args.importer));
        if (importer === undefined || isBuiltin(args.path)) return undefined;
        const name = packageNameOf(args.path);
        if (lock.packages[importer]?.peerDependenciesMeta?.[name]?.optional !== true) return undefined;
        const target = resolveInLock(lock, importer, name);
        if (target !== undefined && lock.packages[target]?.dev !== true) return undefined;
        absent.add(name);
        return { path: args.path, external: true };
      });
    },
  };
}

/**
 * The sources are TypeScript compiled to CommonJS everywhere else (tsc, ts-jest, tsx): each `import` is a
 * `require`, and Node picks a package's "require" export. The bundle resolves them the same way, so it holds the
 * CommonJS builds that the tests ran, never an ESM build that needs `import.meta`.
 */
const importsAsRequires = {
  name: 'imports-as-requires',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[@\w]/ }, async (args) => {
      if (
        args.kind !== 'import-statement' ||
        args.pluginData === 'as-require' ||
        args.importer.includes(`${sep}node_modules${sep}`)
      )
        return undefined;
      const resolved = await pluginBuild.resolve(args.path, {
        kind: 'require-call',
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: 'as-require',
      });
      return resolved.errors.length > 0 ? undefined : resolved;
    });
  },
};

async function packageFunctionApp({ out, entry }) {
  const functionsPackage = readJson(join(functionsDir, 'package.json'));
  const lock = readJson(join(rootDir, 'package-lock.json'));
  const absent = new Set();
  const result = await build({
    plugins: [importsAsRequires, optionalPeersAbsentInProduction(lock, absent)],
    absWorkingDir: rootDir,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: EXTERNAL,
    // Its `paths` map `@oneflow-sync/shared` to the workspace's sources, as in every other build and test.
    tsconfig: join(rootDir, 'tsconfig.json'),
    // Unminified with names kept: stack traces in Application Insights stay readable without a source map, and no
    // source map (which would carry the sources) leaves the machine.
    keepNames: true,
    sourcemap: false,
    legalComments: 'none',
    metafile: true,
    write: false,
    outfile: join(rootDir, 'bundle.js'),
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs).map(repositoryPath);
  const problems = checkInputs(inputs, functionsPackage, lock);

  const imported = new Set();
  for (const output of Object.values(result.metafile.outputs))
    for (const item of output.imports)
      if (item.external && !isBuiltin(item.path) && !absent.has(packageNameOf(item.path)))
        imported.add(packageNameOf(item.path));
  const dependencies = {};
  for (const name of [...imported].sort()) {
    const key = resolveInLock(lock, 'functions', name);
    const entry = key === undefined ? undefined : lock.packages[key];
    if (functionsPackage.dependencies?.[name] === undefined)
      problems.push(`the bundle requires ${name}, which is not a dependency of ${functionsPackage.name}`);
    else if (entry === undefined)
      problems.push(`the bundle requires ${name}, which is not in package-lock.json`);
    else if (entry.dev === true) problems.push(`the bundle requires ${name}, a devDependency`);
    else dependencies[name] = entry.version;
  }
  if (problems.length > 0)
    throw new PackageError(`The Function app bundle may not contain:\n  ${problems.join('\n  ')}`);

  const [bundle] = result.outputFiles;
  if (bundle === undefined) throw new PackageError('esbuild wrote no bundle');
  const manifest = {
    name: 'oneflow-product-sync-functions',
    version: functionsPackage.version,
    private: true,
    description: functionsPackage.description,
    main: BUNDLE,
    engines: { node: NODE_RANGE },
    dependencies,
  };
  const text = (value) => strToU8(`${JSON.stringify(value, null, 2)}\n`);
  const files = {
    [BUNDLE]: bundle.contents,
    'host.json': readFileSync(join(functionsDir, 'host.json')),
    'package.json': text(manifest),
    'package-lock.json': text(lockFor(lock, manifest)),
  };
  const zip = zipSync(
    Object.fromEntries(Object.entries(files).map(([name, data]) => [name, [data, { mtime: ENTRY_TIME }]])),
    { level: 9 },
  );
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, zip);
  return {
    out,
    entries: Object.fromEntries(Object.entries(files).map(([name, data]) => [name, data.length])),
    size: zip.length,
    dependencies,
  };
}

const { values } = parseArgs({ options: { out: { type: 'string' }, entry: { type: 'string' } } });
const out = resolve(values.out ?? join(functionsDir, 'out', 'functionapp.zip'));
const entry = resolve(values.entry ?? join(functionsDir, 'src', 'index.ts'));
try {
  const built = await packageFunctionApp({ out, entry });
  console.log(`${relative(process.cwd(), built.out)}: ${built.size} bytes`);
  for (const [name, size] of Object.entries(built.entries)) console.log(`  ${name} ${size} bytes`);
  console.log(`  dependencies: ${JSON.stringify(built.dependencies)}`);
} catch (error) {
  console.error(error instanceof PackageError ? error.message : error);
  process.exit(1);
}
