import {
  isBuiltInSalesLineEntity,
  lineValue,
  type DynamicsAttribute,
  type DynamicsLine,
  type DynamicsValue,
} from '../dynamics';
import { oneflowField, precisionOf, readOneflowField, type OneflowFieldSpec } from '../fieldCatalog';
import type { OneflowProduct, ProductGroupConfiguration } from '../oneflow';
import { fail, ok, type Result } from '../result';
import type { FieldMapping } from '../settings';
import {
  checkTextLength,
  compareDecimals,
  isZero,
  lineDiscountToPerUnit,
  normalizeDecimal,
  normalizeRichText,
  normalizeText,
  perUnitDiscountToLine,
  type Canonical,
} from '../values';

/** Quantities are read at Dataverse's own precision for the per-unit discount conversion. */
const DYNAMICS_QUANTITY_PRECISION = 5;

/** Reads, converts and validates one mapped field on both sides, at one product group's precision. */
export interface FieldCodec {
  mapping: FieldMapping;
  spec: OneflowFieldSpec;
  /** Normalizes a Dynamics value in Dynamics' own terms (a manual discount stays a line total). */
  normalizeDynamics(raw: unknown): Result<Canonical>;
  readDynamics(line: DynamicsLine): Result<Canonical>;
  readOneflow(product: OneflowProduct): Result<Canonical>;
  /** The Dynamics value as Oneflow holds it, within Oneflow's limits. */
  toOneflow(dynamics: Canonical, line: DynamicsLine): Result<Canonical>;
  /**
   * What is sent to Oneflow for `toOneflow`'s value: that value, except a description, which goes as it was typed
   * (trimmed). Its normalised form is only for comparing: spacing and blank lines a rep typed are not rewritten.
   */
  sentToOneflow(value: Canonical, line: DynamicsLine): Canonical;
  /** The Oneflow value as the Dynamics column holds it, within the column's limits. */
  toDynamics(oneflow: Canonical, line: DynamicsLine): Result<DynamicsValue>;
  /** Whether the two sides hold the same value, each in its own terms. */
  agrees(dynamics: Canonical, oneflow: Canonical, line: DynamicsLine): boolean;
  /**
   * Line discounts only: Oneflow's per-unit discount × the quantity rounds to Dynamics' line total. Below a
   * quantity of 1 this can hold while {@link agrees} does not (6.67 × 0.5 rounds to 3.34, but 3.34 ÷ 0.5 = 6.68).
   */
  agreesWithinRounding(dynamics: Canonical, oneflow: Canonical, line: DynamicsLine): boolean;
  /** Dynamics' manual discount (a line total) against Oneflow's per-unit discount amount. */
  lineDiscount: boolean;
  /** The Dynamics column's name as people see it. */
  dynamicsLabel: string;
}

export function makeCodec(
  entity: string,
  mapping: FieldMapping,
  attribute: DynamicsAttribute | undefined,
  group: ProductGroupConfiguration,
): FieldCodec {
  const spec = oneflowField(mapping.oneflowField);
  const precision = precisionOf(spec, group);
  const oneflowLabel = `Oneflow's ${spec.label}`;
  const dynamicsLabel = attribute?.displayName ?? mapping.dynamicsField;
  const isLineDiscount =
    isBuiltInSalesLineEntity(entity) &&
    mapping.dynamicsField === 'manualdiscountamount' &&
    spec.price?.part === 'discount_amount';
  const isText = spec.kind === 'text';

  const normalize = (raw: unknown): Result<Canonical> => {
    if (!isText) return normalizeDecimal(raw, precision);
    return spec.richText ? normalizeRichText(raw) : normalizeText(raw);
  };
  const lineQuantity = (line: DynamicsLine): Canonical => {
    const quantity = normalizeDecimal(line.values.quantity, DYNAMICS_QUANTITY_PRECISION);
    return quantity.ok ? quantity.value : null;
  };

  const codec: FieldCodec = {
    mapping,
    spec,
    lineDiscount: isLineDiscount,
    dynamicsLabel,
    normalizeDynamics: normalize,
    readDynamics(line) {
      const value = normalize(lineValue(entity, line, mapping.dynamicsField));
      return value.ok ? value : fail(`${dynamicsLabel}: ${value.error}`);
    },
    readOneflow(product) {
      // Oneflow has no empty amounts: an amount it leaves out is zero.
      const raw = readOneflowField(product, mapping.oneflowField);
      const value = normalize(isText ? raw : (raw ?? 0));
      return value.ok ? value : fail(`${oneflowLabel}: ${value.error}`);
    },
    toOneflow(dynamics, line) {
      if (isText)
        return checkTextLength(dynamics, { min: spec.minLength, max: spec.maxLength }, oneflowLabel);
      const converted = isLineDiscount
        ? lineDiscountToPerUnit(dynamics, lineQuantity(line), precision)
        : normalizeDecimal(dynamics ?? 0, precision);
      if (!converted.ok) return fail(`${oneflowLabel}: ${converted.error}`);
      if (spec.min !== undefined && compareDecimals(converted.value, spec.min) < 0) {
        return fail(`${oneflowLabel} is ${converted.value}; the least it takes is ${spec.min}`);
      }
      if (spec.max !== undefined && compareDecimals(converted.value, spec.max) > 0) {
        return fail(`${oneflowLabel} is ${converted.value}; the most it takes is ${spec.max}`);
      }
      return converted;
    },
    toDynamics(oneflow, line) {
      if (isText) {
        const checked = checkTextLength(
          oneflow,
          { max: attribute?.maxLength, units: 'utf16' },
          dynamicsLabel,
        );
        return checked.ok ? ok(checked.value) : checked;
      }
      if (oneflow === null) return ok(null);
      const value = isLineDiscount ? perUnitDiscountToLine(oneflow, lineQuantity(line), precision) : oneflow;
      const number = Number(value);
      if (attribute?.attributeType === 'Integer' && !Number.isInteger(number)) {
        return fail(`${dynamicsLabel} takes whole numbers; Oneflow has ${oneflow}`);
      }
      return ok(number);
    },
    sentToOneflow(value, line) {
      if (!spec.richText || value === null) return value;
      const typed = normalizeText(lineValue(entity, line, mapping.dynamicsField));
      if (!typed.ok || typed.value === null) return value;
      // Over the limit only by its spacing: the normalised form is the one that fits.
      const fits = checkTextLength(typed.value, { max: spec.maxLength }, oneflowLabel).ok;
      return fits ? typed.value : value;
    },
    agrees(dynamics, oneflow, line) {
      const asOneflow = codec.toOneflow(dynamics, line);
      return asOneflow.ok && asOneflow.value === oneflow;
    },
    agreesWithinRounding(dynamics, oneflow, line) {
      const quantity = lineQuantity(line);
      if (!isLineDiscount || isZero(quantity)) return false;
      return compareDecimals(perUnitDiscountToLine(oneflow, quantity, precision), dynamics) === 0;
    },
  };
  return codec;
}
