import type { DynamicsAttribute, DynamicsLine } from '../dynamics';
import type { OneflowFieldKey } from '../fieldCatalog';
import type { BaseValue, Link, PlannedLink } from '../link';
import type { OneflowProduct, OneflowProductGroup } from '../oneflow';
import type { FieldNote, Operation, PlanSummary, SyncAction, SyncPlan } from '../plan';
import { RULES } from '../rules';
import type { EntitySettings } from '../settings';
import { validateSettings } from '../settingsValidation';
import { makeCodec, type FieldCodec } from './codec';

/** Everything a plan is computed from; the engine reads nothing else. */
export interface PlanInput {
  settings: EntitySettings;
  /** Column metadata of the product source entity. */
  attributes: readonly DynamicsAttribute[];
  /** The main record's lines, in the order the record shows them. */
  lines: readonly DynamicsLine[];
  contract: { id: number; productGroups: readonly OneflowProductGroup[] };
  links: readonly Link[];
  clock: () => Date;
}

export interface LocatedProduct {
  product: OneflowProduct;
  group: OneflowProductGroup;
}

/** A line with its link (stored, or rebuilt from the product's custom_id) and its product, when they exist. */
export interface LinePair {
  line: DynamicsLine;
  link: Link | undefined;
  product: LocatedProduct | undefined;
}

export interface PlanContext {
  action: SyncAction;
  input: PlanInput;
  entity: string;
  now: string;
  pairs: LinePair[];
  /** Links whose line is gone from Dynamics, by line id. */
  orphanLinks: { link: Link; product: LocatedProduct | undefined }[];
  /** Products no link points at, by id. */
  unlinkedProducts: LocatedProduct[];
  productCount: number;
  /** Where new products go: the contract's first product table. */
  targetGroup: OneflowProductGroup | undefined;
  codecsFor(group: OneflowProductGroup): FieldCodec[];
}

function byId<T extends { product: OneflowProduct }>(a: T, b: T): number {
  return a.product.id - b.product.id;
}

export function buildContext(action: SyncAction, input: PlanInput): PlanContext {
  const now = input.clock().toISOString();
  const entity = input.settings.productSource.entity;
  const products = input.contract.productGroups.flatMap((group) =>
    group.products.map((product) => ({ product, group })),
  );
  const productById = new Map(products.map((located) => [located.product.id, located]));
  // Oneflow keeps custom_id unique; should two products share one anyway, the older (lower id) one counts.
  const productByCustomId = new Map<string, LocatedProduct>();
  for (const located of [...products].sort(byId)) {
    const customId = located.product._private_ownerside?.custom_id;
    if (customId && !productByCustomId.has(customId)) productByCustomId.set(customId, located);
  }
  const storedLinks = new Map(input.links.map((link) => [link.lineId, link]));
  const linkedProductIds = new Set<number>();

  const pairs = input.lines.map((line): LinePair => {
    const stored = storedLinks.get(line.id);
    const storedProduct = stored ? productById.get(stored.productId) : undefined;
    const recovered = storedProduct ? undefined : productByCustomId.get(line.id);
    let link = stored;
    let product = storedProduct;
    if (recovered) {
      // A product carrying this line's id in custom_id: a link lost in a crash, or a product re-created.
      product = recovered;
      link = {
        contractId: input.contract.id,
        lineId: line.id,
        productId: recovered.product.id,
        state: 'active',
        base: stored?.productId === recovered.product.id ? stored.base : {},
        syncedAt: stored?.syncedAt ?? now,
      };
    }
    if (product) linkedProductIds.add(product.product.id);
    return { line, link, product };
  });

  const lineIds = new Set(input.lines.map((line) => line.id));
  const orphanLinks = input.links
    .filter((link) => !lineIds.has(link.lineId))
    .sort((a, b) => a.lineId.localeCompare(b.lineId))
    .map((link) => {
      // The stored link proves the line id is ours, so a product carrying it was made by product sync.
      const product = productById.get(link.productId) ?? productByCustomId.get(link.lineId);
      if (product) linkedProductIds.add(product.product.id);
      return { link, product };
    });

  const codecCache = new Map<number, FieldCodec[]>();
  const attributes = new Map(input.attributes.map((attribute) => [attribute.logicalName, attribute]));
  return {
    action,
    input,
    entity,
    now,
    pairs,
    orphanLinks,
    unlinkedProducts: products.filter((located) => !linkedProductIds.has(located.product.id)).sort(byId),
    productCount: products.length,
    targetGroup: input.contract.productGroups[0],
    codecsFor(group) {
      let codecs = codecCache.get(group.id);
      if (!codecs) {
        codecs = input.settings.mappings.map((mapping) =>
          makeCodec(entity, mapping, attributes.get(mapping.dynamicsField), group.configuration),
        );
        codecCache.set(group.id, codecs);
      }
      return codecs;
    },
  };
}

function summarize(operations: readonly Operation[]): PlanSummary {
  const count = (kind: Operation['kind']): number => operations.filter((op) => op.kind === kind).length;
  const notes = operations.flatMap((op) => op.notes);
  const changes = operations.flatMap((op) =>
    op.kind === 'create_product' || op.kind === 'update_product' || op.kind === 'update_line'
      ? op.changes
      : [],
  );
  const skips = operations.filter((op) => op.kind === 'skip');
  return {
    productsCreated: count('create_product'),
    productsUpdated: count('update_product'),
    productsDeleted: count('delete_product'),
    linesUpdated: count('update_line'),
    fieldsWritten: changes.length,
    conflictsOverwritten: changes.filter((change) => change.conflict).length,
    held: notes.filter((note) => note.kind === 'held_for_review').length,
    untouchedProducts: skips.filter((op) => op.rule === 'P4' || op.rule === 'F2').length,
    skipped: skips.filter((op) => op.rule !== 'P4' && op.rule !== 'F2').length,
    errors: notes.filter((note) => note.kind === 'invalid_value').length,
  };
}

export function finishPlan(
  context: PlanContext,
  operations: Operation[],
  links: readonly PlannedLink[],
): SyncPlan {
  return {
    action: context.action,
    mainEntity: context.input.settings.mainEntity,
    contractId: context.input.contract.id,
    productsEnabled: context.input.settings.productsEnabled,
    plannedAt: context.now,
    operations,
    links: [...links].sort((a, b) => a.lineId.localeCompare(b.lineId)),
    summary: summarize(operations),
  };
}

const ENTITY_WORDS: ReadonlyMap<string, string> = new Map([
  ['opportunity', 'opportunities'],
  ['quote', 'quotes'],
]);

/** A plan that moves nothing, when sync is off or the settings are invalid; the links stay as they were. */
export function refusal(action: SyncAction, input: PlanInput): SyncPlan | null {
  const context = buildContext(action, input);
  const { settings } = input;
  if (!settings.productsEnabled) {
    const entities = ENTITY_WORDS.get(settings.mainEntity) ?? settings.mainEntity;
    return finishPlan(
      context,
      [
        {
          kind: 'skip',
          rule: 'OFF',
          reason: `Product sync is turned off for ${entities}: nothing was sent to Oneflow or taken from it. An admin can turn it on in the settings.`,
          lineId: null,
          productId: null,
          notes: [],
        },
      ],
      input.links,
    );
  }
  const validation = validateSettings(settings, input.attributes);
  if (validation.ok) return null;
  return finishPlan(
    context,
    [
      {
        kind: 'skip',
        rule: 'SETTINGS',
        reason: `${RULES.SETTINGS}: ${validation.problems.length} problem(s) to fix first.`,
        lineId: null,
        productId: null,
        notes: validation.problems.map((problem): FieldNote => ({
          kind: 'invalid_value',
          rule: 'SETTINGS',
          oneflowField: null,
          dynamicsField: null,
          reason: `${problem.path}: ${problem.message}`,
        })),
      },
    ],
    input.links,
  );
}

export function activeLink(
  context: PlanContext,
  lineId: string,
  productId: number | null,
  base: Partial<Record<OneflowFieldKey, BaseValue>>,
): PlannedLink {
  return {
    contractId: context.input.contract.id,
    lineId,
    productId,
    state: 'active',
    base,
    syncedAt: context.now,
  };
}
