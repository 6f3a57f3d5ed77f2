import type { z } from 'zod';
import {
  BUILT_IN_TWO_WAY_FIELDS,
  attributeKind,
  isBuiltInSalesLineEntity,
  whyNotWritable,
  type DynamicsAttribute,
} from './dynamics';
import { oneflowField } from './fieldCatalog';
import { DIRECTION_LABELS, EntitySettingsSchema, type Direction, type EntitySettings } from './settings';

/** One thing wrong with settings: where (a path such as `mappings[2].direction`) and why, in an admin's words. */
export interface SettingsProblem {
  path: string;
  message: string;
}

export type SettingsValidation =
  { ok: true; settings: EntitySettings } | { ok: false; problems: SettingsProblem[] };

/** Directions that write into Dynamics. */
export function writesToDynamics(direction: Direction): boolean {
  return direction === 'two_way' || direction === 'oneflow_to_dynamics';
}

const ENTITY_LABELS: ReadonlyMap<string, string> = new Map([
  ['opportunityproduct', 'Opportunity Product'],
  ['quotedetail', 'Quote Product'],
  ['salesorderdetail', 'Order Product'],
  ['invoicedetail', 'Invoice Product'],
]);

function pathOf(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'settings';
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_value') {
    return `must be one of: ${issue.values.map((value) => String(value)).join(', ')}`;
  }
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return 'is required';
    return `must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
  }
  return issue.message;
}

/**
 * Parses settings and checks them against the product source entity's columns. Every problem names its field and
 * says why in words an admin can act on; nothing is accepted while any problem remains.
 */
export function validateSettings(
  input: unknown,
  attributes: readonly DynamicsAttribute[],
): SettingsValidation {
  // reportInput keeps the offending value on each issue, to tell a missing field from a mistyped one.
  const parsed = EntitySettingsSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        path: pathOf(issue.path),
        message: describeIssue(issue),
      })),
    };
  }
  const settings = parsed.data;
  const problems = [...checkMappings(settings, attributes)];
  return problems.length === 0 ? { ok: true, settings } : { ok: false, problems };
}

function* checkMappings(
  settings: EntitySettings,
  attributes: readonly DynamicsAttribute[],
): Generator<SettingsProblem> {
  const entity = settings.productSource.entity;
  const entityLabel = ENTITY_LABELS.get(entity) ?? entity;
  const columns = new Map(attributes.map((attribute) => [attribute.logicalName, attribute]));
  const seenOneflow = new Map<string, number>();
  const seenDynamics = new Map<string, number>();
  const discountKinds = new Map<string, number>();

  for (const [index, mapping] of settings.mappings.entries()) {
    const at = `mappings[${index}]`;
    const spec = oneflowField(mapping.oneflowField);
    const direction = DIRECTION_LABELS[mapping.direction];

    const firstOneflow = seenOneflow.get(mapping.oneflowField);
    if (firstOneflow !== undefined) {
      yield {
        path: `${at}.oneflowField`,
        message: `Oneflow's ${spec.label} is already mapped in mapping ${firstOneflow + 1}; each Oneflow field can be mapped once`,
      };
    } else {
      seenOneflow.set(mapping.oneflowField, index);
    }
    const firstDynamics = seenDynamics.get(mapping.dynamicsField);
    if (firstDynamics !== undefined) {
      yield {
        path: `${at}.dynamicsField`,
        message: `${mapping.dynamicsField} is already mapped in mapping ${firstDynamics + 1}; each Dynamics field can be mapped once`,
      };
    } else {
      seenDynamics.set(mapping.dynamicsField, index);
    }

    if (spec.price && spec.price.part !== 'base_amount') {
      const other = discountKinds.get(spec.price.key);
      if (other !== undefined) {
        yield {
          path: `${at}.oneflowField`,
          message: `mapping ${other + 1} already maps a discount of ${spec.label.split(':')[0] ?? spec.price.key}; Oneflow takes a discount amount or a discount percent, not both`,
        };
      } else {
        discountKinds.set(spec.price.key, index);
      }
    }

    const attribute = columns.get(mapping.dynamicsField);
    if (!attribute) {
      yield {
        path: `${at}.dynamicsField`,
        message: `${mapping.dynamicsField} is not a column of ${entityLabel}`,
      };
      continue;
    }
    const label = attribute.displayName ?? attribute.logicalName;
    const kind = attributeKind(attribute);
    if (kind !== spec.kind) {
      yield {
        path: `${at}.dynamicsField`,
        message: `${label} is a ${attribute.attributeType} column and cannot fill Oneflow's ${spec.label}, which takes ${spec.kind === 'text' ? 'text' : 'a number'}`,
      };
    }
    if (
      isBuiltInSalesLineEntity(entity) &&
      mapping.dynamicsField === 'manualdiscountamount' &&
      spec.price?.part === 'discount_percent'
    ) {
      yield {
        path: `${at}.oneflowField`,
        message: `${label} is an amount for the whole line; map it to a discount amount, not a percent`,
      };
    }
    if (!writesToDynamics(mapping.direction)) continue;
    if (
      isBuiltInSalesLineEntity(entity) &&
      !(BUILT_IN_TWO_WAY_FIELDS as readonly string[]).includes(mapping.dynamicsField)
    ) {
      yield {
        path: `${at}.direction`,
        message: `${direction} is only available for Price Per Unit and Quantity on ${entityLabel} lines, because Dynamics recalculates the rest; choose Dynamics to Oneflow or Sync once for ${label}`,
      };
      continue;
    }
    const reason = whyNotWritable(attribute);
    if (reason) {
      yield {
        path: `${at}.direction`,
        message: `${direction} would write into ${label}, but ${reason}; choose Dynamics to Oneflow or Sync once`,
      };
    }
  }

  if (settings.productsEnabled && !seenOneflow.has('name')) {
    yield {
      path: 'mappings',
      message: "map a Dynamics field to Oneflow's Name: Oneflow needs a name for every product",
    };
  }
}
