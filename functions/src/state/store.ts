import { StateInputError } from './errors';
import { createActivityStore } from './activityStore';
import { createCallbackStore } from './callbackStore';
import { createContractStore } from './contractStore';
import { createCreateIntentStore } from './createIntentStore';
import { createLeaseStore } from './leaseStore';
import { createLinkStore } from './linkStore';
import { createPendingFetchStore } from './pendingFetchStore';
import { createReconcileCheckStore } from './reconcileCheckStore';
import { createRunStore } from './runStore';
import { createSettingsStore } from './settingsStore';
import { ensureTable, serviceClient, tableClient, type TableConnection } from './tables';
import type { StateStore } from './types';

export type * from './types';

export interface StateStoreOptions {
  /** Prepended to every table name (letters and digits, starting with a letter); default `ofsync`. */
  tablePrefix?: string;
}

const DEFAULT_TABLE_PREFIX = 'ofsync';

const TABLE_SUFFIXES = {
  settings: 'Settings',
  contracts: 'Contracts',
  links: 'Links',
  linkIndex: 'LinkIndex',
  activity: 'Activity',
  activityChanges: 'ActivityChanges',
  callbacks: 'Callbacks',
  leases: 'Leases',
  runs: 'Runs',
  pendingFetches: 'PendingFetches',
  reconcileChecks: 'ReconcileChecks',
  createIntents: 'CreateIntents',
} as const;

export type TableNames = Record<keyof typeof TABLE_SUFFIXES, string>;

export function tableNames(prefix: string = DEFAULT_TABLE_PREFIX): TableNames {
  // Table names: alphanumeric, start with a letter, 3–63 characters (the longest suffix has 15).
  if (!/^[A-Za-z][A-Za-z0-9]{0,47}$/.test(prefix) && prefix !== '') {
    throw new StateInputError(
      `tablePrefix must be letters and digits starting with a letter (≤ 48), got '${prefix}'`,
    );
  }
  const names = {} as TableNames;
  for (const [name, suffix] of Object.entries(TABLE_SUFFIXES) as [keyof TableNames, string][]) {
    names[name] = `${prefix}${suffix}`;
  }
  return names;
}

/** The sync's Table Storage state; creates its tables when missing. Never stores secrets. */
export async function createStateStore(
  connection: TableConnection,
  options: StateStoreOptions = {},
): Promise<StateStore> {
  const names = tableNames(options.tablePrefix ?? DEFAULT_TABLE_PREFIX);
  const service = serviceClient(connection);
  await Promise.all(Object.values(names).map((name) => ensureTable(service, name)));
  const client = (name: string) => tableClient(connection, name);
  return {
    settings: createSettingsStore(client(names.settings)),
    contracts: createContractStore(client(names.contracts)),
    links: createLinkStore(client(names.links), client(names.linkIndex)),
    activity: createActivityStore(client(names.activity), client(names.activityChanges)),
    callbacks: createCallbackStore(client(names.callbacks)),
    leases: createLeaseStore(client(names.leases)),
    runs: createRunStore(client(names.runs)),
    pendingFetches: createPendingFetchStore(client(names.pendingFetches)),
    reconcileChecks: createReconcileCheckStore(client(names.reconcileChecks)),
    createIntents: createCreateIntentStore(client(names.createIntents)),
  };
}
