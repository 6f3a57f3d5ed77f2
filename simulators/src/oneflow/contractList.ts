import { badRequest, type ParameterProblems } from './errors';
import type { ContractState } from './model';

/**
 * `GET /contracts`: Oneflow's paged contract list (developer.oneflow.com/reference/get-contracts) with the filters
 * a client here uses. `filter[ids]` (a comma-separated list of contract ids, at most 200 characters; other filters
 * still apply) and `filter[states]` (a comma-separated list of states) are modeled; `sort` takes the documented
 * columns (`name`, `state`, `state_updated_time`, `published_time`, `-` for descending). Any other `filter[…]` is
 * refused with a 400 naming it rather than ignored, so a client never reads an unfiltered list as a filtered one.
 * Without `sort` the list is in id order (inferred).
 */

const STATES = ['draft', 'pending', 'overdue', 'signed', 'declined'] as const;
type State = (typeof STATES)[number];

const SORT_COLUMNS = {
  name: (contract: ContractState) => contract.name,
  state: (contract: ContractState) => contract.state,
  state_updated_time: (contract: ContractState) => contract.stateUpdatedTime,
  published_time: (contract: ContractState) => contract.publishedTime,
} as const;
type SortColumn = keyof typeof SORT_COLUMNS;

/** Documented lengths of the filter parameters. */
const MAX_IDS_LENGTH = 200;
const MAX_STATES_LENGTH = 100;

export interface ContractListQuery {
  ids: Set<number> | null;
  states: Set<State> | null;
  sort: { column: SortColumn; descending: boolean }[];
}

const isState = (value: string): value is State => (STATES as readonly string[]).includes(value);
const isSortColumn = (value: string): value is SortColumn => Object.hasOwn(SORT_COLUMNS, value);

function commaList(value: string): string[] {
  return value.split(',').map((item) => item.trim());
}

/** The list's filters and sort from the query; anything malformed is Oneflow's 400 naming the parameter. */
export function parseContractListQuery(query: unknown): ContractListQuery {
  const params = typeof query === 'object' && query !== null ? (query as Record<string, unknown>) : {};
  const problems: ParameterProblems = {};
  const problem = (name: string, message: string) => (problems[name] ??= []).push(message);
  const text = (name: string): string | undefined => {
    const value = params[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      problem(name, 'Give this parameter once.');
      return undefined;
    }
    return value;
  };
  const result: ContractListQuery = { ids: null, states: null, sort: [] };

  const ids = text('filter[ids]');
  if (ids !== undefined) {
    if (ids.length > MAX_IDS_LENGTH)
      problem('filter[ids]', `Ensure this value has at most ${MAX_IDS_LENGTH} characters.`);
    const items = commaList(ids);
    if (items.some((item) => !/^\d{1,15}$/.test(item))) {
      problem('filter[ids]', 'A comma-separated list of contract ids (whole numbers) is expected.');
    } else {
      result.ids = new Set(items.map(Number));
    }
  }

  const states = text('filter[states]');
  if (states !== undefined) {
    if (states.length > MAX_STATES_LENGTH) {
      problem('filter[states]', `Ensure this value has at most ${MAX_STATES_LENGTH} characters.`);
    }
    const items = commaList(states);
    const unknown = items.filter((item) => !isState(item));
    if (unknown.length > 0) {
      problem('filter[states]', `Unknown state(s) ${unknown.join(', ')}; allowed: ${STATES.join(', ')}.`);
    } else {
      result.states = new Set(items.filter(isState));
    }
  }

  const sort = text('sort');
  if (sort !== undefined) {
    for (const item of commaList(sort)) {
      const descending = item.startsWith('-');
      const column = descending ? item.slice(1) : item;
      if (isSortColumn(column)) result.sort.push({ column, descending });
      else
        problem('sort', `Cannot sort by '${item}'; valid columns: ${Object.keys(SORT_COLUMNS).join(', ')}.`);
    }
  }

  for (const name of Object.keys(params)) {
    if (/^filter\[/.test(name) && name !== 'filter[ids]' && name !== 'filter[states]') {
      problem(name, 'This filter is not modeled by the simulator.');
    }
  }
  if (Object.keys(problems).length > 0) throw badRequest(problems);
  return result;
}

/** Empty strings first and nulls last, as Oneflow's sorting page says; otherwise by value. */
function compareValues(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/** The contracts the query selects, in the order it asks for (id order otherwise, and between equals). */
export function selectContracts(
  contracts: readonly ContractState[],
  query: ContractListQuery,
): ContractState[] {
  const { ids, states, sort } = query;
  return contracts
    .filter(
      (contract) => (ids === null || ids.has(contract.id)) && (states === null || states.has(contract.state)),
    )
    .sort((a, b) => {
      for (const { column, descending } of sort) {
        const order = compareValues(SORT_COLUMNS[column](a), SORT_COLUMNS[column](b));
        // Nulls stay last whichever the direction.
        const valueOf = SORT_COLUMNS[column];
        if (order !== 0) {
          if (valueOf(a) === null || valueOf(b) === null) return order;
          return descending ? -order : order;
        }
      }
      return a.id - b.id;
    });
}
