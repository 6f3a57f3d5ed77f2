import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { DebouncedStateFile, readStateFile } from './common/stateFile';
import type { DataverseSimulator } from './dataverse';
import { dataverseSnapshot, DataverseSnapshotSchema, persistedRecordsOf } from './dataverse/snapshot';
import type { OneflowSimulator } from './oneflow';
import { oneflowSnapshot, OneflowSnapshotSchema, runtimeStateOf } from './oneflow/snapshot';

export interface SavedSimulatorState {
  /** Saves whatever changed since the last save; called once the servers have stopped taking requests. */
  flush(): void;
  /** True when the folder held state from an earlier run (it was loaded). */
  restored: boolean;
}

const READ_ONLY_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Every request that may change a simulator's state is answered through one of these. */
function onChange(app: FastifyInstance, file: DebouncedStateFile): void {
  app.addHook('onResponse', async (request) => {
    if (!READ_ONLY_METHODS.has(request.method)) file.changed();
  });
}

/**
 * Keeps the Oneflow and Dataverse simulators' state in `folder` (`oneflow.json`, `dataverse.json`) so that the
 * local stack, whose Azurite keeps contracts and links on disk, finds the same contracts and records after a
 * restart. Loads what an earlier run saved (before the servers listen), then saves after every request that is
 * not a read, `debounceMs` after the last one. The identity provider keeps nothing: tokens are minted anew.
 */
export function keepSimulatorState(
  folder: string,
  simulators: { oneflow: OneflowSimulator; dataverse: DataverseSimulator },
  debounceMs = 250,
): SavedSimulatorState {
  const { oneflow, dataverse } = simulators;
  const oneflowFile = join(folder, 'oneflow.json');
  const dataverseFile = join(folder, 'dataverse.json');
  const savedOneflow = readStateFile(oneflowFile, OneflowSnapshotSchema);
  const savedDataverse = readStateFile(dataverseFile, DataverseSnapshotSchema);
  if (savedOneflow) oneflow.store.restoreRuntimeState(runtimeStateOf(savedOneflow));
  if (savedDataverse) dataverse.state.store.loadPersisted(persistedRecordsOf(savedDataverse));
  const files = [
    new DebouncedStateFile(oneflowFile, () => oneflowSnapshot(oneflow.store.runtimeState()), debounceMs),
    new DebouncedStateFile(
      dataverseFile,
      () => dataverseSnapshot(dataverse.state.store.persisted()),
      debounceMs,
    ),
  ] as const;
  onChange(oneflow.app, files[0]);
  onChange(dataverse.app, files[1]);
  // The seed is saved at once, so that the folder always holds both simulators' state from the first start on.
  for (const file of files) file.changed();
  return {
    restored: savedOneflow !== null || savedDataverse !== null,
    flush: () => {
      for (const file of files) file.flush();
    },
  };
}
