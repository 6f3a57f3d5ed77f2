import pLimit from 'p-limit';
import {
  DIRECTION_LABELS,
  ONEFLOW_FIELD_KEYS,
  defaultSettings,
  oneflowField,
  planFetch,
  planPush,
  type DynamicsAttribute,
  type DynamicsLine,
  type EntitySettings,
  type FieldImpact,
  type ImpactAction,
  type ImpactCount,
  type ImpactRow,
  type MappingDifference,
  type OneflowFieldKey,
  type ProductImpact,
  type ProductSource,
  type SettingsImpactAnswer,
  type Side,
  type SyncPlan,
} from '@oneflow-sync/shared';
import { isOneflowNotFoundError } from '../oneflow/errors';
import type { ContractRecord } from '../state/store';
import { causeOf } from './runMessages';
import { callFor, type Actor, type SyncDeps } from './syncService';

/** At most this many contracts are planned per preview; the answer says when more are stored. */
const IMPACT_CONTRACT_LIMIT = 200;
/**
 * Contracts read at once: each reads Oneflow once and Dataverse once or twice, and the clients' own limits and
 * the services' rate limits are shared with the sales reps' actions running meanwhile.
 */
const IMPACT_CONCURRENCY = 4;

/** The next push and fetch of one contract. */
interface ActionPlans {
  push: SyncPlan;
  fetch: SyncPlan;
}

/** One contract planned with the current settings (null: the entity has none) and with the candidate ones. */
export interface ContractPlans {
  contractId: number;
  now: ActionPlans | null;
  after: ActionPlans;
  /** Links stored for the contract. */
  links: number;
}

export interface ImpactInput {
  entity: string;
  plannedAt: string;
  current: EntitySettings | null;
  candidate: EntitySettings;
  /** Contracts stored (not deleted in Oneflow), and how many of them were planned at most. */
  stored: number;
  limit: number;
  planned: readonly ContractPlans[];
  unreadable: SettingsImpactAnswer['unreadable'];
}

// ------------------------------------------------------------------------------------------------------------
// Words

function counted(count: number, one: string, many: string): string {
  return `${String(count)} ${count === 1 ? one : many}`;
}

const linesOf = (count: ImpactCount): string =>
  `${counted(count.lines, 'line', 'lines')} of ${counted(count.contracts, 'contract', 'contracts')}`;

const SIDE_NAMES: Record<Side, string> = { dynamics: 'Dynamics', oneflow: 'Oneflow' };

/** What one row of a field's impact means, in a phrase per kind of difference. */
function rowPhrases(row: ImpactRow): string[] {
  const at = `at the next ${row.action}`;
  const phrases: string[] = [];
  if (row.added.lines > 0) {
    phrases.push(
      row.side === 'dynamics'
        ? `${linesOf(row.added)} would take Oneflow's value ${at}`
        : `${linesOf(row.added)} would send their value to Oneflow ${at}`,
    );
  }
  if (row.dropped.lines > 0) {
    phrases.push(
      row.side === 'dynamics'
        ? `${linesOf(row.dropped)} would no longer take Oneflow's value ${at}`
        : `${linesOf(row.dropped)} would no longer send their value to Oneflow ${at}`,
    );
  }
  if (row.otherValue.lines > 0) {
    phrases.push(`${linesOf(row.otherValue)} would write another value into ${SIDE_NAMES[row.side]} ${at}`);
  }
  return phrases;
}

const PROPERTY_WORDS: Record<MappingDifference['properties'][number], string> = {
  dynamicsField: 'Dynamics field',
  direction: 'direction',
  writeCondition: 'write condition',
  conflictPolicy: 'conflict policy',
};

const VALUE_WORDS: Record<string, string> = {
  ...DIRECTION_LABELS,
  always: 'always',
  only_if_target_empty: 'only if the target is empty',
  by_action: 'by action',
  dynamics_wins: 'Dynamics wins',
  oneflow_wins: 'Oneflow wins',
  most_recent: 'most recent wins',
  review: 'review',
};

const valueWords = (value: string): string => VALUE_WORDS[value] ?? value;

function describeMapping(difference: Omit<MappingDifference, 'description'>): string {
  const { label, before, after } = difference;
  if (difference.change === 'added' && after) {
    return `${label} is newly mapped from ${after.dynamicsField} (${DIRECTION_LABELS[after.direction]})`;
  }
  if (difference.change === 'removed' || !before || !after) return `${label} is no longer mapped`;
  const parts = difference.properties.map(
    (property) =>
      `${PROPERTY_WORDS[property]} ${valueWords(before[property])} → ${valueWords(after[property])}`,
  );
  return `${label}: ${parts.join(', ')}`;
}

/** How a field's headline starts: what happens to its mapping. */
function headlineStart(label: string, mapping: MappingDifference | null): string {
  if (mapping?.change === 'changed' && mapping.after && mapping.properties.includes('direction')) {
    return `${label} becomes ${DIRECTION_LABELS[mapping.after.direction]}`;
  }
  return mapping?.description ?? label;
}

// ------------------------------------------------------------------------------------------------------------
// Mappings

export function mappingDifferences(
  current: EntitySettings | null,
  candidate: EntitySettings,
): MappingDifference[] {
  const before = new Map((current?.mappings ?? []).map((mapping) => [mapping.oneflowField, mapping]));
  const after = new Map(candidate.mappings.map((mapping) => [mapping.oneflowField, mapping]));
  const differences: MappingDifference[] = [];
  for (const key of ONEFLOW_FIELD_KEYS) {
    const was = before.get(key) ?? null;
    const becomes = after.get(key) ?? null;
    if (!was && !becomes) continue;
    const properties = (['dynamicsField', 'direction', 'writeCondition', 'conflictPolicy'] as const).filter(
      (property) => !was || !becomes || was[property] !== becomes[property],
    );
    if (properties.length === 0) continue;
    const change = !was ? 'added' : !becomes ? 'removed' : 'changed';
    const difference = {
      oneflowField: key,
      label: oneflowField(key).label,
      change,
      before: was,
      after: becomes,
      properties,
    } as const;
    differences.push({ ...difference, description: describeMapping(difference) });
  }
  return differences;
}

// ------------------------------------------------------------------------------------------------------------
// Writes

/** Every field value a plan writes: by field, action and side, the written value by `contract|line`. */
type WriteMap = Map<string, Map<string, string>>;

const writeKey = (field: OneflowFieldKey, action: ImpactAction, side: Side): string =>
  `${field}|${action}|${side}`;

function collectWrites(target: WriteMap, contractId: number, action: ImpactAction, plan: SyncPlan): void {
  for (const operation of plan.operations) {
    if (!('changes' in operation)) continue;
    for (const change of operation.changes) {
      const key = writeKey(change.oneflowField, action, change.side);
      const lines = target.get(key) ?? new Map<string, string>();
      lines.set(`${String(contractId)}|${operation.lineId}`, JSON.stringify(change.new));
      target.set(key, lines);
    }
  }
}

/** Products a plan creates or deletes, by kind and action, as `contract|line`. */
function collectProducts(
  target: Map<string, Set<string>>,
  contractId: number,
  action: ImpactAction,
  plan: SyncPlan,
) {
  for (const operation of plan.operations) {
    if (operation.kind !== 'create_product' && operation.kind !== 'delete_product') continue;
    const key = `${operation.kind}|${action}`;
    const lines = target.get(key) ?? new Set<string>();
    lines.add(`${String(contractId)}|${operation.lineId}`);
    target.set(key, lines);
  }
}

function countOf(keys: Iterable<string>): ImpactCount {
  const contracts = new Set<string>();
  let lines = 0;
  for (const key of keys) {
    contracts.add(key.slice(0, key.indexOf('|')));
    lines += 1;
  }
  return { contracts: contracts.size, lines };
}

function rowOf(
  action: ImpactAction,
  side: Side,
  now: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): ImpactRow | null {
  const added = [...after.keys()].filter((key) => !now.has(key));
  const dropped = [...now.keys()].filter((key) => !after.has(key));
  const otherValue = [...after.entries()].filter(([key, value]) => now.has(key) && now.get(key) !== value);
  if (added.length + dropped.length + otherValue.length === 0) return null;
  return {
    action,
    side,
    now: countOf(now.keys()),
    after: countOf(after.keys()),
    added: countOf(added),
    dropped: countOf(dropped),
    otherValue: countOf(otherValue.map(([key]) => key)),
  };
}

const ACTIONS: readonly ImpactAction[] = ['fetch', 'push'];
const SIDES: readonly Side[] = ['dynamics', 'oneflow'];

function fieldImpacts(now: WriteMap, after: WriteMap, mappings: readonly MappingDifference[]): FieldImpact[] {
  const empty = new Map<string, string>();
  const fields: FieldImpact[] = [];
  for (const key of ONEFLOW_FIELD_KEYS) {
    const rows = ACTIONS.flatMap((action) =>
      SIDES.flatMap((side) => {
        const at = writeKey(key, action, side);
        const row = rowOf(action, side, now.get(at) ?? empty, after.get(at) ?? empty);
        return row ? [row] : [];
      }),
    );
    const mapping = mappings.find((difference) => difference.oneflowField === key) ?? null;
    if (rows.length === 0 && !mapping) continue;
    const label = oneflowField(key).label;
    const phrases = rows.flatMap(rowPhrases);
    const effect = phrases.length > 0 ? phrases.join('; ') : 'no contract synced so far is affected';
    fields.push({
      oneflowField: key,
      label,
      mapping,
      rows,
      headline: `${headlineStart(label, mapping)}: ${effect}.`,
    });
  }
  return fields;
}

function productImpacts(now: Map<string, Set<string>>, after: Map<string, Set<string>>): ProductImpact[] {
  const impacts: ProductImpact[] = [];
  for (const action of ACTIONS) {
    for (const kind of ['create_product', 'delete_product'] as const) {
      const key = `${kind}|${action}`;
      const was = now.get(key) ?? new Set<string>();
      const becomes = after.get(key) ?? new Set<string>();
      if (was.size === becomes.size && [...becomes].every((line) => was.has(line))) continue;
      const nowCount = countOf(was);
      const afterCount = countOf(becomes);
      const what =
        kind === 'create_product'
          ? `${linesOf(afterCount)} would be added to Oneflow as new products`
          : `${counted(afterCount.lines, 'product', 'products')} of ${counted(afterCount.contracts, 'contract', 'contracts')} would be removed from Oneflow, because their linked lines are not among the record's lines`;
      impacts.push({
        action,
        kind,
        now: nowCount,
        after: afterCount,
        headline: `At the next ${action}, ${what} (${String(nowCount.lines)} with the current settings).`,
      });
    }
  }
  return impacts;
}

const sourceWords = (source: ProductSource): string => `${source.entity} (${source.lookupAttribute})`;

function sameSource(a: ProductSource, b: ProductSource): boolean {
  return (
    a.entity === b.entity && a.lookupAttribute === b.lookupAttribute && a.relationship === b.relationship
  );
}

/** Compares what the next push and fetch of every planned contract write with either settings. */
export function compareImpact(input: ImpactInput): SettingsImpactAnswer {
  const { current, candidate, planned } = input;
  const nowWrites: WriteMap = new Map();
  const afterWrites: WriteMap = new Map();
  const nowProducts = new Map<string, Set<string>>();
  const afterProducts = new Map<string, Set<string>>();
  for (const contract of planned) {
    for (const action of ACTIONS) {
      if (contract.now) {
        collectWrites(nowWrites, contract.contractId, action, contract.now[action]);
        collectProducts(nowProducts, contract.contractId, action, contract.now[action]);
      }
      collectWrites(afterWrites, contract.contractId, action, contract.after[action]);
      collectProducts(afterProducts, contract.contractId, action, contract.after[action]);
    }
  }
  const mappings = mappingDifferences(current, candidate);
  const fields = fieldImpacts(nowWrites, afterWrites, mappings);
  const products = productImpacts(nowProducts, afterProducts);
  const considered = Math.min(input.stored, input.limit);

  const enabledBefore = current?.productsEnabled ?? false;
  const transferProducts =
    enabledBefore === candidate.productsEnabled
      ? null
      : {
          before: enabledBefore,
          after: candidate.productsEnabled,
          contracts: input.stored,
          headline: candidate.productsEnabled
            ? `Transfer products switched on: ${counted(input.stored, 'contract starts', 'contracts start')} syncing products again.`
            : `Transfer products switched off: ${counted(input.stored, 'contract stops', 'contracts stop')} syncing; no products are sent to or taken from Oneflow.`,
        };
  const links = planned.reduce((sum, contract) => sum + contract.links, 0);
  const linked = planned.filter((contract) => contract.links > 0).length;
  const sourceChange =
    current && !sameSource(current.productSource, candidate.productSource)
      ? {
          before: current.productSource,
          after: candidate.productSource,
          links,
          contracts: linked,
          headline: `The product source changes from ${sourceWords(current.productSource)} to ${sourceWords(candidate.productSource)}: the ${counted(links, 'link', 'links')} of ${counted(linked, 'contract', 'contracts')} are to lines of ${current.productSource.entity}.`,
        }
      : null;

  const affected =
    fields.some((field) => field.rows.length > 0) ||
    products.length > 0 ||
    (transferProducts !== null && input.stored > 0) ||
    (sourceChange !== null && links > 0);
  const headlines = [
    ...(transferProducts ? [transferProducts.headline] : []),
    ...(sourceChange ? [sourceChange.headline] : []),
    ...fields.filter((field) => field.rows.length > 0).map((field) => field.headline),
    ...products.map((product) => product.headline),
    ...(affected ? [] : ['No contract synced so far is affected.']),
    ...(input.stored > considered
      ? [`Only the first ${String(considered)} of ${String(input.stored)} contracts were planned.`]
      : []),
    ...(input.unreadable.length > 0
      ? [
          `${counted(input.unreadable.length, 'contract', 'contracts')} could not be read and ${input.unreadable.length === 1 ? 'is' : 'are'} not counted.`,
        ]
      : []),
  ];
  return {
    entity: input.entity,
    plannedAt: input.plannedAt,
    contracts: {
      stored: input.stored,
      considered,
      compared: planned.length,
      limit: input.limit,
      truncated: input.stored > considered,
    },
    unreadable: input.unreadable,
    transferProducts,
    sourceChange,
    mappings,
    fields,
    products,
    affected,
    headlines,
  };
}

// ------------------------------------------------------------------------------------------------------------
// Reading

export interface ImpactOptions {
  tenantId: string;
  entity: string;
  candidate: EntitySettings;
  /** Whose privileges the Dynamics reads run with (the admin asking). */
  actor: Actor;
  limit?: number;
}

type LineSide = { attributes: DynamicsAttribute[]; lines: DynamicsLine[] };

/** Settings read the same lines when they have the same source and map the same columns. */
function linesKey(settings: EntitySettings): string {
  const columns = [...new Set(settings.mappings.map((mapping) => mapping.dynamicsField))].sort();
  return JSON.stringify([settings.productSource, columns]);
}

/**
 * Reads one contract as a dry run does (Oneflow's contract, the stored links, the lines as each settings reads
 * them) and plans its next push and fetch with both settings. No lease, and nothing is written: a contract Oneflow
 * no longer has is reported, not marked (the next action on it marks it).
 */
async function planContract(
  deps: SyncDeps,
  record: ContractRecord,
  settings: { current: EntitySettings | null; candidate: EntitySettings },
  actor: Actor,
): Promise<ContractPlans> {
  const call = callFor(actor);
  const sides = new Map<string, Promise<LineSide>>();
  const readSide = (forSettings: EntitySettings): Promise<LineSide> => {
    const key = linesKey(forSettings);
    const known = sides.get(key);
    if (known) return known;
    const read = Promise.all([
      deps.tenant.dynamics.listAttributes(forSettings.productSource.entity),
      deps.tenant.dynamics.readLines(forSettings, record.recordId, call),
    ]).then(([attributes, lines]) => ({ attributes, lines }));
    sides.set(key, read);
    return read;
  };
  const [contract, links, nowSide, afterSide] = await Promise.all([
    deps.tenant.oneflow.getContract(record.contractId),
    deps.store.links.list(record.tenantId, record.contractId),
    settings.current ? readSide(settings.current) : Promise.resolve(null),
    readSide(settings.candidate),
  ]);
  const plans = (forSettings: EntitySettings, side: LineSide): ActionPlans => {
    const input = {
      settings: forSettings,
      attributes: side.attributes,
      lines: side.lines,
      contract: { id: record.contractId, productGroups: contract.product_groups ?? [] },
      links,
      clock: deps.clock,
    };
    return { push: planPush(input), fetch: planFetch(input) };
  };
  return {
    contractId: record.contractId,
    now: settings.current && nowSide ? plans(settings.current, nowSide) : null,
    after: plans(settings.candidate, afterSide),
    links: links.length,
  };
}

function unreadableReason(error: unknown): string {
  if (isOneflowNotFoundError(error)) return 'Oneflow no longer has this contract: it was deleted there';
  return causeOf(error);
}

/** Most recently synced first: when there are more than the limit, the active contracts are the ones planned. */
function byRecentSync(a: ContractRecord, b: ContractRecord): number {
  const at = (record: ContractRecord) => record.lastSyncAt ?? record.createdAt;
  return at(b).localeCompare(at(a)) || a.contractId - b.contractId;
}

/**
 * What candidate settings would change in the next push and fetch of the entity's synced contracts, against the
 * settings in force now (the stored ones, or the defaults). Reads both sides, writes nothing.
 */
export async function previewSettingsImpact(
  deps: SyncDeps,
  options: ImpactOptions,
): Promise<SettingsImpactAnswer> {
  const { tenantId, entity, candidate } = options;
  const limit = options.limit ?? IMPACT_CONTRACT_LIMIT;
  const [stored, records] = await Promise.all([
    deps.store.settings.get(tenantId, entity),
    deps.store.contracts.listAll(tenantId),
  ]);
  const current = stored?.settings ?? defaultSettings(entity);
  const synced = records
    .filter((record) => record.mainEntity === entity && record.deletedInOneflowAt === null)
    .sort(byRecentSync);
  const considered = synced.slice(0, limit);
  const limiter = pLimit(IMPACT_CONCURRENCY);
  const results = await Promise.all(
    considered.map((record) =>
      limiter(() =>
        planContract(deps, record, { current, candidate }, options.actor).then(
          (plans) => ({ ok: true as const, plans }),
          (error: unknown) => ({ ok: false as const, record, reason: unreadableReason(error) }),
        ),
      ),
    ),
  );
  return compareImpact({
    entity,
    plannedAt: deps.clock().toISOString(),
    current,
    candidate,
    stored: synced.length,
    limit,
    planned: results.flatMap((result) => (result.ok ? [result.plans] : [])),
    unreadable: results.flatMap((result) =>
      result.ok
        ? []
        : [{ contractId: result.record.contractId, recordId: result.record.recordId, reason: result.reason }],
    ),
  });
}
