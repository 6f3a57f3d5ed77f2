import { z } from 'zod';
import { OneflowFieldKeySchema } from '../fieldCatalog';
import { SideSchema } from '../plan';
import { EntitySettingsSchema, FieldMappingSchema, ProductSourceSchema } from '../settings';

/*
 * `POST /api/settings/{entity}/impact`: what candidate settings would do to the contracts already synced, planned
 * against both sides as they are now and compared with what the current settings do. Everything the settings page
 * shows is in the answer, words included, so it needs no further call.
 */

const Count = z.number().int().min(0);

/** How many contracts, and how many of their lines. */
export const ImpactCountSchema = z.strictObject({ contracts: Count, lines: Count });
export type ImpactCount = z.infer<typeof ImpactCountSchema>;

export const IMPACT_ACTIONS = ['push', 'fetch'] as const;
export const ImpactActionSchema = z.enum(IMPACT_ACTIONS);
export type ImpactAction = z.infer<typeof ImpactActionSchema>;

/**
 * One field, one action, one written side. `side` is where the value is written: `oneflow` takes Dynamics' value,
 * `dynamics` takes Oneflow's. A write is a line whose field the action writes on that side.
 */
export const ImpactRowSchema = z.strictObject({
  action: ImpactActionSchema,
  side: SideSchema,
  /** What the next action writes with the current settings. */
  now: ImpactCountSchema,
  /** What it would write with the candidate settings. */
  after: ImpactCountSchema,
  /** Writes only the candidate settings make. */
  added: ImpactCountSchema,
  /** Writes the current settings make that the candidate ones would no longer make. */
  dropped: ImpactCountSchema,
  /** Lines both settings write, but with another value. */
  otherValue: ImpactCountSchema,
});
export type ImpactRow = z.infer<typeof ImpactRowSchema>;

export const MAPPING_PROPERTIES = ['dynamicsField', 'direction', 'writeCondition', 'conflictPolicy'] as const;
export const MappingPropertySchema = z.enum(MAPPING_PROPERTIES);

/** A mapping the candidate settings add, remove or change, by its Oneflow field (each is mapped once). */
export const MappingDifferenceSchema = z.strictObject({
  oneflowField: OneflowFieldKeySchema,
  /** The Oneflow field's name as people see it ("Quantity"). */
  label: z.string(),
  change: z.enum(['added', 'removed', 'changed']),
  before: FieldMappingSchema.nullable(),
  after: FieldMappingSchema.nullable(),
  /** The properties that differ (all of them for an added or removed mapping). */
  properties: z.array(MappingPropertySchema),
  /** The difference in words: "Quantity: Dynamics to Oneflow → Two-way". */
  description: z.string(),
});
export type MappingDifference = z.infer<typeof MappingDifferenceSchema>;

/** Everything that changes for one Oneflow field: its mapping, and the writes of the next push and fetch. */
export const FieldImpactSchema = z.strictObject({
  oneflowField: OneflowFieldKeySchema,
  label: z.string(),
  /** Its mapping's change, null when only its writes change (another source, products switched off). */
  mapping: MappingDifferenceSchema.nullable(),
  /** Only the actions and sides whose writes differ. */
  rows: z.array(ImpactRowSchema),
  /** In an admin's words: "Quantity becomes Two-way: at the next fetch 3 lines of 2 contracts would take …". */
  headline: z.string(),
});
export type FieldImpact = z.infer<typeof FieldImpactSchema>;

/** Oneflow products a push creates (a line without a product) or deletes (a link whose line is gone). */
export const ProductImpactSchema = z.strictObject({
  action: ImpactActionSchema,
  kind: z.enum(['create_product', 'delete_product']),
  now: ImpactCountSchema,
  after: ImpactCountSchema,
  headline: z.string(),
});
export type ProductImpact = z.infer<typeof ProductImpactSchema>;

/** A contract that could not be read, so it is not compared; `reason` says why in words. */
export const UnreadableContractSchema = z.strictObject({
  contractId: z.number().int(),
  recordId: z.string(),
  reason: z.string(),
});

export const SettingsImpactAnswerSchema = z.strictObject({
  entity: z.string(),
  plannedAt: z.iso.datetime({ offset: true }),
  contracts: z.strictObject({
    /** The entity's contracts stored for the tenant and not deleted in Oneflow. */
    stored: Count,
    /** The ones planned: the first `limit` of them. */
    considered: Count,
    /** The ones read and compared (considered minus unreadable). */
    compared: Count,
    limit: Count,
    /** More contracts are stored than were considered. */
    truncated: z.boolean(),
  }),
  unreadable: z.array(UnreadableContractSchema),
  /** "Transfer products" switched on or off, null when it stays. */
  transferProducts: z
    .strictObject({ before: z.boolean(), after: z.boolean(), contracts: Count, headline: z.string() })
    .nullable(),
  /** Another product source: every stored link's line is a line of the old source. */
  sourceChange: z
    .strictObject({
      before: ProductSourceSchema,
      after: ProductSourceSchema,
      /** Stored links of the compared contracts (their lines are of the old source). */
      links: Count,
      contracts: Count,
      headline: z.string(),
    })
    .nullable(),
  mappings: z.array(MappingDifferenceSchema),
  fields: z.array(FieldImpactSchema),
  products: z.array(ProductImpactSchema),
  /** Whether any compared contract's next push or fetch would write anything else. */
  affected: z.boolean(),
  /** The whole answer in a few sentences, most important first. */
  headlines: z.array(z.string()),
});
export type SettingsImpactAnswer = z.infer<typeof SettingsImpactAnswerSchema>;

/** The body of `POST /api/settings/{entity}/impact`: candidate settings, checked exactly as a save checks them. */
export const SettingsImpactBodySchema = EntitySettingsSchema;
