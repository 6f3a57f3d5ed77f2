/**
 * scripts/install-if-needed.mjs, run before `npm start` and `npm test`, in a throwaway project of its own: one
 * dependency on a local folder, so `npm ci` works without the network and in a second or two.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(__dirname, '..', 'scripts', 'install-if-needed.mjs');
let project: string;

function write(path: string, content: unknown): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
}

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'oneflow-sync-install-'));
  write(join(project, 'vendor', 'tiny', 'package.json'), { name: 'tiny', version: '1.0.0' });
  write(join(project, 'package.json'), {
    name: 'install-check',
    version: '1.0.0',
    private: true,
    dependencies: { tiny: 'file:vendor/tiny' },
  });
  const lock = spawnSync('npm', ['install', '--package-lock-only', '--no-audit', '--no-fund'], {
    cwd: project,
    encoding: 'utf8',
  });
  if (lock.status !== 0) throw new Error(`could not make the lock file: ${lock.stderr}`);
  mkdirSync(join(project, 'scripts'));
  copyFileSync(SCRIPT, join(project, 'scripts', 'install-if-needed.mjs'));
});

afterEach(() => {
  rmSync(project, { recursive: true, force: true });
});

function run() {
  return spawnSync(process.execPath, [join('scripts', 'install-if-needed.mjs')], {
    cwd: project,
    encoding: 'utf8',
  });
}

const hiddenLock = (): string => join(project, 'node_modules', '.package-lock.json');

describe('install-if-needed (before npm start and npm test)', () => {
  it('on a fresh clone it says why in one line and installs with npm ci; right after, it does nothing and says nothing', () => {
    const first = run();
    expect(first.status).toBe(0);
    expect(first.stdout.split('\n')[0]).toBe(
      'Installing dependencies with npm ci (node_modules is missing); this takes a minute or two the first time.',
    );
    expect(existsSync(join(project, 'node_modules', 'tiny', 'package.json'))).toBe(true);

    const second = run();
    expect(second.status).toBe(0);
    expect(second.stdout).toBe('');
    expect(second.stderr).toBe('');
  }, 120_000);

  it('does nothing after a plain `npm ci` (as .ci/run does before npm test)', () => {
    expect(spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: project }).status).toBe(0);
    const result = run();
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
  }, 120_000);

  it('reinstalls when node_modules no longer holds what the lock file asks for, naming the package', () => {
    expect(spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: project }).status).toBe(0);
    const installed = JSON.parse(readFileSync(hiddenLock(), 'utf8')) as {
      packages: Record<string, { resolved?: string }>;
    };
    const tiny = installed.packages['node_modules/tiny'];
    if (!tiny) throw new Error('npm recorded no node_modules/tiny');
    tiny.resolved = 'vendor/older-tiny';
    write(hiddenLock(), installed);
    const result = run();
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      'Installing dependencies with npm ci (node_modules/tiny is vendor/older-tiny but package-lock.json wants vendor/tiny)',
    );
    expect(JSON.parse(readFileSync(hiddenLock(), 'utf8'))).toMatchObject({
      packages: { 'node_modules/tiny': { resolved: 'vendor/tiny' } },
    });
  }, 120_000);

  it('stops with npm’s exit code and a clear line when npm ci fails', () => {
    // A lock file that no longer matches package.json: npm ci refuses it.
    const manifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    manifest.dependencies.other = 'file:vendor/other';
    write(join(project, 'package.json'), manifest);
    const result = run();
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/npm ci failed \(exit code \d+\); nothing else was run\./);
  }, 120_000);
});
