import { encodeHTML } from 'entities';
import { z } from 'zod';

/**
 * Facts Oneflow's public sources leave open, each with the reading the simulator takes. The defaults are the kind
 * readings (what a client would hope for); each can be switched to the unkind one, so tests can prove that a
 * client works whichever way Oneflow really behaves.
 */
const ReadingsSchema = z.strictObject({
  /**
   * A product update that sends part of `price_1` / `price_2` / `quantity`: `keep_rest` keeps the fields it
   * leaves out; `reset_rest` clears them (amounts and discounts empty, quantity type back to the documented
   * default, multiple_choice).
   */
  partialNestedUpdate: z.enum(['keep_rest', 'reset_rest']),
  /** `custom_id` in `_private_ownerside` of answers; when false it is stored (and kept unique) but never shown. */
  customIdInAnswers: z.boolean(),
  /**
   * A row with an `id` in a bulk product-group write: `merge` updates the fields it gives; `replace` makes it the
   * whole product, so fields it leaves out go back to their defaults (a row of `{id}` alone is blanked; the name,
   * which cannot be empty, stays).
   */
  bulkRowWithId: z.enum(['merge', 'replace']),
  /** Whether a product write moves the contract's `updated_time` (the product's own time always moves). */
  productEditMovesContractTime: z.boolean(),
  /** `as_sent` stores a description as given; `rich_text` stores what a rich-text editor makes of it. */
  description: z.enum(['as_sent', 'rich_text']),
  /**
   * Whether a product group in an answer carries its `configuration` (Oneflow's developer reference lists it; the
   * certified connector's `Product_Group` does not). Without it a client must fall back on Oneflow's defaults.
   */
  groupConfigurationInAnswers: z.boolean(),
  /**
   * What an item of the contract list (`GET /contracts`) carries: `full`, the contract as `GET /contracts/{id}`
   * answers it; `without_product_groups`, the contract without its product tables (the reference gives no item
   * shape), so a client learns of a product edit only by reading the contract itself.
   */
  contractListItem: z.enum(['full', 'without_product_groups']),
});
export type Readings = z.output<typeof ReadingsSchema>;

export const KIND_READINGS: Readings = {
  partialNestedUpdate: 'keep_rest',
  customIdInAnswers: true,
  bulkRowWithId: 'merge',
  productEditMovesContractTime: true,
  description: 'as_sent',
  groupConfigurationInAnswers: true,
  contractListItem: 'full',
};

export const UNKIND_READINGS: Readings = {
  partialNestedUpdate: 'reset_rest',
  customIdInAnswers: false,
  bulkRowWithId: 'replace',
  productEditMovesContractTime: false,
  description: 'rich_text',
  groupConfigurationInAnswers: false,
  contractListItem: 'without_product_groups',
};

const PresetSchema = z.enum(['kind', 'unkind']);
const ChangedReadingsSchema = ReadingsSchema.partial();

/** `kind`, `unkind`, or single readings changed from the current ones. */
export type ReadingsInput = z.input<typeof PresetSchema> | z.input<typeof ChangedReadingsSchema>;

/**
 * The readings an input names, the fields it leaves out taken from `current`; or the problems, each naming its
 * field (`description: Invalid option…`).
 */
export function parseReadings(
  input: unknown,
  current: Readings = KIND_READINGS,
): { ok: true; readings: Readings } | { ok: false; problems: string[] } {
  const parsed =
    typeof input === 'string' ? PresetSchema.safeParse(input) : ChangedReadingsSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => {
        const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
        const field = [...issue.path, ...keys].map(String).join('.');
        return `${field || 'readings'}: ${issue.message}`;
      }),
    };
  }
  if (parsed.data === 'kind') return { ok: true, readings: KIND_READINGS };
  if (parsed.data === 'unkind') return { ok: true, readings: UNKIND_READINGS };
  return { ok: true, readings: { ...current, ...parsed.data } };
}

/** The readings to start with; a bad input throws naming the field. */
export function startingReadings(input: ReadingsInput | undefined): Readings {
  if (input === undefined) return KIND_READINGS;
  const parsed = parseReadings(input);
  if (!parsed.ok) throw new Error(`invalid Oneflow simulator readings: ${parsed.problems.join('; ')}`);
  return parsed.readings;
}

/**
 * The readings SIM_ONEFLOW_READINGS asks for: `kind`, `unkind`, or a JSON object of single readings
 * (`{"description":"rich_text"}`); unset means kind. A bad value throws naming the variable and the field.
 */
export function readingsFromEnvironment(value: string | undefined): Readings {
  if (value === undefined || value.trim() === '') return KIND_READINGS;
  let input: unknown = value.trim();
  if (value.trim().startsWith('{')) {
    try {
      input = JSON.parse(value);
    } catch {
      throw new Error('SIM_ONEFLOW_READINGS is not valid JSON');
    }
  }
  const parsed = parseReadings(input);
  if (!parsed.ok) throw new Error(`SIM_ONEFLOW_READINGS: ${parsed.problems.join('; ')}`);
  return parsed.readings;
}

/** Elements a rich-text editor's output opens with: such a value is already rich text and is kept. */
const RICH_TEXT_OPENING = /^\s*<(?:p|div|ul|ol|h[1-6]|blockquote|pre)\b[^>]*>/i;

/**
 * What a rich-text editor stores for a description typed as plain text: each line a paragraph, special and
 * non-ASCII characters as HTML entities, runs of spaces as one, blank lines dropped. Rich text is kept as it is.
 */
export function asRichText(text: string): string {
  if (RICH_TEXT_OPENING.test(text)) return text;
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .filter((line) => line !== '')
    .map((line) => `<p>${encodeHTML(line)}</p>`)
    .join('');
}
