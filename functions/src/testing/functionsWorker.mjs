// Stands in for the Azure Functions Node.js worker in a child process started in an unpacked Function app folder:
// it provides `@azure/functions-core`, the module the worker hands the app (answered from Module.prototype.require,
// as the worker does), loads the folder's package.json "main" with the folder's own node_modules, and prints one
// JSON line with what the app registered. With --start it then runs the appStart hooks, as the worker does once
// the app is loaded, and reports how they ended. Nothing else is replaced: the real `@azure/functions` runs.
import Module, { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const functions = [];
const hooks = [];
let programmingModel;

const core = {
  version: 'stand-in',
  hostVersion: 'stand-in',
  setProgrammingModel(model) {
    programmingModel = { name: model.name, version: model.version };
  },
  getProgrammingModel: () => programmingModel,
  registerFunction(metadata, callback) {
    functions.push({ metadata, callbackType: typeof callback });
    return { dispose: () => undefined };
  },
  registerHook(name, callback) {
    hooks.push({ name, callback });
    return { dispose: () => undefined };
  },
  log: () => undefined,
  Disposable: class {
    dispose() {}
  },
};

const originalRequire = Module.prototype.require;
Module.prototype.require = function require(id) {
  return id === '@azure/functions-core' ? core : originalRequire.apply(this, arguments);
};

async function main() {
  const appDir = process.cwd();
  const appRequire = createRequire(resolve(appDir, 'package.json'));
  const manifest = JSON.parse(readFileSync(resolve(appDir, 'package.json'), 'utf8'));
  appRequire(resolve(appDir, manifest.main));
  const report = {
    node: process.version,
    library: appRequire('@azure/functions/package.json').version,
    libraryPath: appRequire.resolve('@azure/functions'),
    programmingModel,
    functions: functions.map((entry) => ({ ...entry.metadata, callbackType: entry.callbackType })),
    hooks: hooks.map((hook) => hook.name),
  };
  if (process.argv.includes('--start')) {
    try {
      for (const hook of hooks.filter((entry) => entry.name === 'appStart'))
        await hook.callback({ hookData: {}, appHookData: {}, functionAppDirectory: appDir });
      report.start = { ok: true };
    } catch (error) {
      report.start = {
        ok: false,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      };
    }
  }
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

await main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
