// Runs before `npm start` and `npm test` (npm's prestart/pretest): on a fresh clone nothing is installed yet,
// so this file may use Node's builtins only. It runs `npm ci` when node_modules is missing or does not hold what
// package-lock.json asks for, and stays silent when it does (as right after the `npm ci` of .ci/run).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Why an install is needed, or null when node_modules matches the lock file. npm records what it installed in
 * node_modules/.package-lock.json (its "hidden lockfile"); comparing entries, not file times, keeps a `git pull`
 * that rewrote the lock without changing it from reinstalling everything.
 */
export function installReason(root = ROOT) {
  const lockPath = join(root, 'package-lock.json');
  const installedPath = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(join(root, 'node_modules'))) return 'node_modules is missing';
  if (!existsSync(installedPath)) return 'node_modules was not installed by npm from package-lock.json';
  let wanted;
  let installed;
  try {
    wanted = JSON.parse(readFileSync(lockPath, 'utf8')).packages ?? {};
    installed = JSON.parse(readFileSync(installedPath, 'utf8')).packages ?? {};
  } catch (error) {
    return `the lock files could not be read (${error instanceof Error ? error.message : String(error)})`;
  }
  for (const [path, entry] of Object.entries(wanted)) {
    if (path === '') continue;
    const have = installed[path];
    // Optional packages for other platforms (esbuild's per-OS binaries) are never installed here.
    if (have === undefined) {
      if (entry.optional) continue;
      return `${path} is missing`;
    }
    if (have.version !== entry.version || have.resolved !== entry.resolved || have.link !== entry.link) {
      return `${path} is ${have.version ?? have.resolved} but package-lock.json wants ${entry.version ?? entry.resolved}`;
    }
  }
  for (const path of Object.keys(installed)) {
    if (!(path in wanted)) return `${path} is installed but no longer in package-lock.json`;
  }
  return null;
}

function main() {
  const reason = installReason();
  if (reason === null) return;
  console.log(`Installing dependencies with npm ci (${reason}); this takes a minute or two the first time.`);
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(
      `npm ci failed (${result.error?.message ?? `exit code ${result.status}`}); nothing else was run.`,
    );
    process.exit(result.status || 1);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
