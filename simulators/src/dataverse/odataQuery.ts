import { notModeled, queryError, queryOptionNotSupported } from './errors';
import { parseFilter, type FilterExpression } from './odataFilter';

/**
 * The system query options of a request, parsed but not yet checked against an entity. Options Dataverse itself
 * rejects ($skip) and options this simulator does not model ($apply, $search, nested $expand…) answer 400.
 */

export interface OrderBy {
  property: string;
  descending: boolean;
}

export interface ExpandOption {
  navigationProperty: string;
  select?: string[];
  filter?: FilterExpression;
  orderBy: OrderBy[];
  top?: number;
}

export interface QueryOptions {
  select?: string[];
  filter?: FilterExpression;
  expand: ExpandOption[];
  orderBy: OrderBy[];
  top?: number;
  count: boolean;
  skipToken?: string;
}

const SUPPORTED = new Set(['$select', '$filter', '$expand', '$orderby', '$top', '$count', '$skiptoken']);
/** Microsoft: "The Dataverse Web API doesn't support the following OData query options: $skip, $search, $format." */
const REJECTED_BY_DATAVERSE = new Set(['$skip', '$search', '$format']);
const NOT_MODELED = new Set(['$apply', '$compute', '$levels', '$index', '$schemaversion']);

/** Splits on a separator outside parentheses and quotes. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const char of text) {
    if (char === "'") quoted = !quoted;
    if (!quoted && char === '(') depth += 1;
    if (!quoted && char === ')') depth -= 1;
    if (!quoted && depth === 0 && char === separator) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

function parseSelect(text: string): string[] {
  const names = text.split(',').map((name) => name.trim());
  if (names.some((name) => name === '')) throw queryError(`The $select '${text}' has an empty item.`);
  return names;
}

function parseTop(text: string): number {
  if (!/^\d+$/.test(text.trim())) {
    throw queryError(
      `Invalid value '${text}' for $top query option found. The $top query option requires a non-negative integer value.`,
    );
  }
  return Number(text.trim());
}

function parseOrderBy(text: string): OrderBy[] {
  return text.split(',').map((item) => {
    const [property = '', direction = 'asc', ...extra] = item.trim().split(/\s+/);
    if (!property || extra.length > 0 || !['asc', 'desc'].includes(direction.toLowerCase())) {
      throw queryError(
        `The $orderby '${text}' is not valid: use "property [asc|desc]" items separated by commas.`,
      );
    }
    return { property, descending: direction.toLowerCase() === 'desc' };
  });
}

/** Microsoft: "Option names are case-sensitive." Ignoring `$Select` would answer every column. */
function refuseMisspelledCase(rawName: string): void {
  const name = rawName.toLowerCase();
  if (name !== rawName && (SUPPORTED.has(name) || REJECTED_BY_DATAVERSE.has(name) || NOT_MODELED.has(name))) {
    throw queryError(
      `The query parameter '${rawName}' is not supported. System query option names are case-sensitive: use '${name}'.`,
    );
  }
}

function parseExpandItem(item: string): ExpandOption {
  const trimmed = item.trim();
  const open = trimmed.indexOf('(');
  const navigationProperty = (open === -1 ? trimmed : trimmed.slice(0, open)).trim();
  if (navigationProperty === '' || (open !== -1 && !trimmed.endsWith(')'))) {
    throw queryError(`The $expand item '${trimmed}' is not valid.`);
  }
  if (navigationProperty.includes('/')) throw notModeled(`A $expand path such as '${navigationProperty}'`);
  const option: ExpandOption = { navigationProperty, orderBy: [] };
  if (open === -1) return option;
  for (const clause of splitTopLevel(trimmed.slice(open + 1, -1), ';')) {
    if (clause.trim() === '') continue;
    const equals = clause.indexOf('=');
    const rawName = clause.slice(0, equals).trim();
    const name = rawName.toLowerCase();
    const value = clause.slice(equals + 1);
    if (equals === -1)
      throw queryError(`The $expand option '${clause}' of '${navigationProperty}' is not valid.`);
    refuseMisspelledCase(rawName);
    if (name === '$select') option.select = parseSelect(value);
    else if (name === '$filter') option.filter = parseFilter(value);
    else if (name === '$orderby') option.orderBy = parseOrderBy(value);
    else if (name === '$top') option.top = parseTop(value);
    else if (name === '$expand') throw notModeled('A nested $expand');
    else if (REJECTED_BY_DATAVERSE.has(name)) throw queryOptionNotSupported(name);
    else throw queryError(`The query option '${name}' is not supported inside $expand.`);
  }
  return option;
}

/** Parses the system query options of a URL's search parameters (custom parameters are left alone). */
/**
 * Queries Dataverse runs without OData options: FetchXML and saved or personal views. Each would answer with
 * other rows than the table; ignoring one would hand back the whole table as if it were the answer.
 */
const NOT_MODELED_QUERIES = new Set(['fetchxml', 'savedquery', 'userquery']);

export function parseQueryOptions(params: URLSearchParams): QueryOptions {
  const options: QueryOptions = { expand: [], orderBy: [], count: false };
  const seen = new Set<string>();
  for (const rawName of params.keys()) {
    if (NOT_MODELED_QUERIES.has(rawName.toLowerCase())) throw notModeled(`The ${rawName} query`);
    // An alias left unresolved would change what $filter or $orderby mean.
    if (rawName.startsWith('@')) throw notModeled(`Parameter aliases such as '${rawName}'`);
  }
  for (const [rawName, value] of params) {
    if (!rawName.startsWith('$')) continue;
    const name = rawName.toLowerCase();
    refuseMisspelledCase(rawName);
    if (seen.has(name)) {
      throw queryError(
        `Query option '${name}' was specified more than once, but it must be specified at most once.`,
      );
    }
    seen.add(name);
    if (REJECTED_BY_DATAVERSE.has(name)) throw queryOptionNotSupported(name);
    if (NOT_MODELED.has(name)) throw notModeled(`The query option ${name}`);
    if (!SUPPORTED.has(name)) throw queryError(`The query parameter '${rawName}' is not supported.`);
    switch (name) {
      case '$select':
        options.select = parseSelect(value);
        break;
      case '$filter':
        options.filter = parseFilter(value);
        break;
      case '$expand':
        options.expand = splitTopLevel(value, ',').map(parseExpandItem);
        break;
      case '$orderby':
        options.orderBy = parseOrderBy(value);
        break;
      case '$top':
        options.top = parseTop(value);
        break;
      case '$count':
        if (value !== 'true' && value !== 'false')
          throw queryError(`'${value}' is not a valid count option.`);
        options.count = value === 'true';
        break;
      case '$skiptoken':
        options.skipToken = value;
        break;
    }
  }
  return options;
}
