import { moneyPrecision } from './rules';
import type { AttributeDefinition } from './schema';
import type { SimulatorState } from './state';
import type { FieldValue, RecordValues } from './store';

/**
 * Formatted values (`@OData.Community.Display.V1.FormattedValue`) as Dataverse renders them for an en-US user
 * in UTC: money with the record's currency symbol, numbers grouped, option labels, lookup names, and dates as
 * `4/7/2023 2:59 PM`.
 */

function groupedNumber(value: number, places: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: places, maximumFractionDigits: places });
}

function formattedDate(value: string): string | null {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return null;
  const hours = date.getUTCHours();
  const minutes = String(date.getUTCMinutes()).padStart(2, '0');
  const hour12 = hours % 12 === 0 ? 12 : hours % 12;
  return `${date.getUTCMonth() + 1}/${date.getUTCDate()}/${date.getUTCFullYear()} ${hour12}:${minutes} ${hours < 12 ? 'AM' : 'PM'}`;
}

export function formattedValue(
  state: SimulatorState,
  attribute: AttributeDefinition,
  value: FieldValue,
  record: RecordValues,
): string | null {
  if (value === null) return null;
  switch (attribute.type) {
    case 'Money': {
      if (typeof value !== 'number') return null;
      // A base-currency value (`priceperunit_base`) is shown in the organization's base currency.
      const currencyId = attribute.isBaseCurrency
        ? state.organization.basecurrencyid
        : record.transactioncurrencyid;
      const currency =
        typeof currencyId === 'string' ? state.store.get('transactioncurrency', currencyId) : undefined;
      const symbol =
        typeof currency?.values.currencysymbol === 'string' ? currency.values.currencysymbol : '';
      const places = moneyPrecision(state, attribute, currencyId ?? null);
      const text = `${symbol}${groupedNumber(Math.abs(value), places)}`;
      return value < 0 ? `-${text}` : text;
    }
    case 'Decimal':
      return typeof value === 'number' ? groupedNumber(value, attribute.precision ?? 2) : null;
    case 'Integer':
    case 'BigInt':
      return typeof value === 'number' ? groupedNumber(value, 0) : null;
    case 'Boolean':
    case 'Picklist':
    case 'State':
    case 'Status':
      return attribute.options?.[value === true ? 1 : value === false ? 0 : Number(value)] ?? null;
    case 'DateTime':
      return typeof value === 'string' ? formattedDate(value) : null;
    case 'Lookup':
    case 'Owner': {
      const target = attribute.lookup ? state.catalog.entity(attribute.lookup.target) : undefined;
      const referenced =
        target && typeof value === 'string' ? state.store.get(target.logicalName, value) : undefined;
      const name = target?.primaryNameAttribute ? referenced?.values[target.primaryNameAttribute] : undefined;
      return typeof name === 'string' ? name : null;
    }
    default:
      return null;
  }
}
