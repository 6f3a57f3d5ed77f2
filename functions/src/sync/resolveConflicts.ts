import {
  planFetch,
  planPush,
  type EntitySettings,
  type Link,
  type OneflowFieldKey,
  type Operation,
  type PlanInput,
  type Side,
  type SyncPlan,
} from '@oneflow-sync/shared';
import type { ContractRecord } from '../state/store';
import { runSync, type Actor, type SyncDeps, type SyncResult } from './syncService';

/** A person's choice for one held field of one line: whose value both sides get. */
export interface Resolution {
  lineId: string;
  oneflowField: OneflowFieldKey;
  keep: Side;
}

const key = (lineId: string, field: OneflowFieldKey): string => `${lineId}|${field}`;

/** The chosen fields decided for one side, whatever their policy says. */
function settingsKeeping(
  settings: EntitySettings,
  side: Side,
  fields: ReadonlySet<OneflowFieldKey>,
): EntitySettings {
  return {
    ...settings,
    mappings: settings.mappings.map((mapping) =>
      fields.has(mapping.oneflowField)
        ? {
            ...mapping,
            conflictPolicy: side === 'dynamics' ? 'dynamics_wins' : 'oneflow_wins',
            writeCondition: 'always',
          }
        : mapping,
    ),
  };
}

/**
 * The part of a push (keep Dynamics) or fetch (keep Oneflow) plan that concerns the chosen line fields: their
 * writes and their new bases. Every other field and line is left exactly as it was, held conflicts included.
 */
function resolutionPlan(input: PlanInput, side: Side, resolutions: readonly Resolution[]): SyncPlan {
  const wanted = new Set(resolutions.map((resolution) => key(resolution.lineId, resolution.oneflowField)));
  const fields = new Set(resolutions.map((resolution) => resolution.oneflowField));
  const settings = settingsKeeping(input.settings, side, fields);
  const full = (side === 'dynamics' ? planPush : planFetch)({ ...input, settings });
  const dynamicsFieldOf = new Map(
    settings.mappings.map((mapping) => [mapping.oneflowField, mapping.dynamicsField]),
  );

  const operations: Operation[] = [];
  for (const operation of full.operations) {
    if (operation.kind !== 'update_product' && operation.kind !== 'update_line') continue;
    const changes = operation.changes.filter((change) =>
      wanted.has(key(operation.lineId, change.oneflowField)),
    );
    if (changes.length === 0) continue;
    const keptFields = new Set(changes.map((change) => change.oneflowField));
    if (operation.kind === 'update_product') {
      const values = Object.fromEntries(
        Object.entries(operation.values).filter(([field]) => keptFields.has(field as OneflowFieldKey)),
      );
      operations.push({ ...operation, values, changes, notes: [] });
    } else {
      const columns = new Set([...keptFields].map((field) => dynamicsFieldOf.get(field)));
      const values = Object.fromEntries(
        Object.entries(operation.values).filter(([column]) => columns.has(column)),
      );
      operations.push({ ...operation, values, changes, notes: [] });
    }
  }

  const plannedBase = new Map(full.links.map((link) => [link.lineId, link.base]));
  const links: Link[] = input.links.map((link) => {
    const next = plannedBase.get(link.lineId);
    const base = { ...link.base };
    for (const field of fields) {
      const value = next?.[field];
      if (wanted.has(key(link.lineId, field)) && value) base[field] = value;
    }
    return { ...link, base };
  });

  const changes = operations.flatMap((operation) => ('changes' in operation ? operation.changes : []));
  return {
    ...full,
    operations,
    links,
    summary: {
      productsCreated: 0,
      productsUpdated: operations.filter((operation) => operation.kind === 'update_product').length,
      productsDeleted: 0,
      linesUpdated: operations.filter((operation) => operation.kind === 'update_line').length,
      fieldsWritten: changes.length,
      conflictsOverwritten: changes.filter((change) => change.conflict).length,
      held: 0,
      untouchedProducts: 0,
      skipped: 0,
      errors: 0,
    },
  };
}

/** Applies the choices, one run per side kept, each under the contract's lease like any write. */
export async function resolveConflicts(
  deps: SyncDeps,
  record: ContractRecord,
  resolutions: readonly Resolution[],
  actor: Actor,
): Promise<SyncResult[]> {
  const results: SyncResult[] = [];
  for (const side of ['dynamics', 'oneflow'] as const) {
    const chosen = resolutions.filter((resolution) => resolution.keep === side);
    if (chosen.length === 0) continue;
    results.push(
      await runSync(deps, {
        record,
        action: side === 'dynamics' ? 'push' : 'fetch',
        actor,
        dryRun: false,
        plan: (input) => resolutionPlan(input, side, chosen),
        activityAction: 'conflict_resolution',
      }),
    );
  }
  return results;
}
