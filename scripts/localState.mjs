// The local stack's state folder (`.local/` unless LOCAL_STATE_DIR says otherwise): Azurite's data, the
// simulators' saved state, and the pid of the `npm start` using it. Shared by `npm start` and `npm run reset`.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export function stateFolder(environment = process.env) {
  const dir = resolve(ROOT, environment.LOCAL_STATE_DIR || '.local');
  return {
    dir,
    azurite: join(dir, 'azurite'),
    simulators: join(dir, 'simulators'),
    lock: join(dir, 'stack.pid'),
  };
}

/** The pid of a running `npm start` that uses this folder, or null. */
export function runningStack(folder) {
  if (!existsSync(folder.lock)) return null;
  const pid = Number(readFileSync(folder.lock, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else; it still holds the folder.
    return error && error.code === 'EPERM' ? pid : null;
  }
}

/** True when an earlier run left state that the next start would continue from. */
export function hasSavedState(folder) {
  return existsSync(folder.azurite) || existsSync(folder.simulators);
}

/**
 * Azurite keeps contracts and links that name Oneflow contracts by id; the simulators hold those contracts. One
 * without the other (state from a version that did not save the simulators, or a folder deleted by hand) would
 * strand every contract, so such a folder is treated as unusable.
 */
export function isPartial(folder) {
  return existsSync(folder.azurite) && !existsSync(join(folder.simulators, 'oneflow.json'));
}

/** Removes the saved state (Azurite's data and the simulators'), never anything else in the folder. */
export function wipe(folder) {
  const had = hasSavedState(folder);
  rmSync(folder.azurite, { recursive: true, force: true });
  rmSync(folder.simulators, { recursive: true, force: true });
  return had;
}
