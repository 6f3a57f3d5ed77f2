import type { TableClient, TransactionAction } from '@azure/data-tables';
import { LinkSchema, type Link } from '@oneflow-sync/shared';
import { CorruptStateError, StateInputError } from './errors';
import { escapeKey, key, prefixUpperBound, requireContractId, requireId, SEP } from './keys';
import {
  deleteRow,
  deleteRows,
  getRow,
  keysOf,
  mapLimit,
  packJson,
  parseInput,
  parseStored,
  partitionFilter,
  partitionRangeFilter,
  queryRows,
  rowPrefixFilter,
  statusOf,
  submitActions,
  unpackJson,
  type Entity,
  type Row,
  type RowKeyPair,
} from './tables';
import { collectPage, decodeToken, encodeToken, listingOf, type Page, type PageRequest } from './paging';
import type { LinkSearchQuery, LinkStore } from './types';

/**
 * Links: one partition per (tenant, contract) — PartitionKey `<tenant>|<contractId>`, RowKey `<lineId>` — so a
 * contract's links are one partition query and replaceAll writes them in entity group transactions.
 *
 * LinkIndex (search across a tenant's contracts): PartitionKey `<tenant>`, RowKeys
 *   `l|<lower-case lineId>|<contractId>|<lineId>`   line id, case-insensitive prefix by a RowKey range
 *   `p|<productId>|<contractId>|<lineId>`           Oneflow product id, exact by a RowKey range
 * The index can hold more than the links (it is written before and cleaned after the links), never less; search
 * reads the links it points at and keeps only real matches, so a stale index entry is harmless. An entry's keys
 * hold all it says, so entries are only ever added or removed, never rewritten.
 */

const BASE_PIECES = 12;
const DEFAULT_SEARCH_LIMIT = 100;
const MAX_SEARCH_LIMIT = 5000;
const LINE_INDEX = 'l';
const PRODUCT_INDEX = 'p';

interface IndexTarget {
  contractId: number;
  lineId: string;
  productId: number;
}

export function createLinkStore(links: TableClient, index: TableClient): LinkStore {
  const table = links.tableName;
  const tenantKey = (tenantId: string) => requireId('tenantId', tenantId);
  const partitionOf = (tenantId: string, contractId: number) =>
    key(tenantKey(tenantId), requireContractId(contractId));
  const lineKey = (lineId: string) => key(requireId('lineId', lineId));

  const indexKeys = (tenantId: string, target: IndexTarget): RowKeyPair[] => {
    const partitionKey = key(tenantKey(tenantId));
    const contract = requireContractId(target.contractId);
    const line = escapeKey(target.lineId);
    return [
      { partitionKey, rowKey: key(LINE_INDEX, escapeKey(target.lineId.toLowerCase()), contract, line) },
      { partitionKey, rowKey: key(PRODUCT_INDEX, requireContractId(target.productId), contract, line) },
    ];
  };
  const indexEntity = (target: IndexTarget, k: RowKeyPair): Entity => ({
    ...k,
    contractId: target.contractId,
    lineId: target.lineId,
    productId: target.productId,
  });

  const toEntity = (tenantId: string, link: Link): Entity => ({
    partitionKey: partitionOf(tenantId, link.contractId),
    rowKey: lineKey(link.lineId),
    tenantId,
    contractId: link.contractId,
    lineId: link.lineId,
    productId: link.productId,
    state: link.state,
    syncedAt: link.syncedAt,
    ...packJson('base', link.base, BASE_PIECES),
  });

  const read = (row: Row, tenantId: string, contractId: number): Link => {
    const link = parseStored(
      LinkSchema,
      {
        contractId: row.contractId,
        lineId: row.lineId,
        productId: row.productId,
        state: row.state,
        syncedAt: row.syncedAt,
        base: unpackJson(table, row, 'base'),
      },
      table,
      row,
    );
    if (
      row.tenantId !== tenantId ||
      link.contractId !== contractId ||
      row.rowKey !== escapeKey(link.lineId)
    ) {
      throw new CorruptStateError(
        table,
        keysOf(row),
        'its tenant, contract or line id does not match its keys',
      );
    }
    return link;
  };

  /** The index target a stored row stands for, read leniently (a corrupt row must still be replaceable). */
  const targetOf = (row: Row): IndexTarget | null =>
    typeof row.contractId === 'number' && typeof row.lineId === 'string' && typeof row.productId === 'number'
      ? { contractId: row.contractId, lineId: row.lineId, productId: row.productId }
      : null;

  const validated = (tenantId: string, link: Link, contractId?: number): Link => {
    const parsed = parseInput(LinkSchema, link, 'Link');
    if (contractId !== undefined && parsed.contractId !== contractId) {
      throw new StateInputError(
        `Link of line ${parsed.lineId} belongs to contract ${parsed.contractId}, not ${contractId}`,
      );
    }
    toEntity(tenantId, parsed); // key and size checks
    return parsed;
  };

  const get = async (tenantId: string, contractId: number, lineId: string): Promise<Link | null> => {
    const row = await getRow(links, partitionOf(tenantId, contractId), lineKey(lineId));
    return row === null ? null : read(row, tenantId, contractId);
  };

  const list = async (tenantId: string, contractId: number): Promise<Link[]> => {
    const rows = await queryRows(links, partitionFilter(partitionOf(tenantId, contractId)));
    return rows.map((row) => read(row, tenantId, contractId));
  };

  const sameProps = (entity: Entity, row: Row | Entity | undefined): boolean =>
    row !== undefined && Object.entries(entity).every(([name, value]) => row[name] === value);

  /**
   * Makes the partition hold exactly `wanted`, given what it holds now (`existing`: its rows, or the links read
   * under the contract's lease). Only what differs is written: the index only when a line or its product id
   * comes or goes, a link row only when it changed, and rows of the same step go out at once.
   */
  const replaceFrom = async (
    tenantId: string,
    wanted: Link[],
    existing: readonly { rowKey: string; entity: Row | Entity; target: IndexTarget | null }[],
  ) => {
    const existingByKey = new Map(existing.map((row) => [row.rowKey, row.entity]));
    const entities = wanted.map((link) => toEntity(tenantId, link));
    const wantedKeys = new Set(entities.map((entity) => entity.rowKey));

    const oldIndex = new Map<string, RowKeyPair>();
    for (const { target } of existing) {
      if (target !== null) for (const k of indexKeys(tenantId, target)) oldIndex.set(k.rowKey, k);
    }
    const newIndex = new Map<string, Entity>();
    for (const link of wanted) {
      for (const k of indexKeys(tenantId, link)) newIndex.set(k.rowKey, indexEntity(link, k));
    }

    // 1. index entries of new lines and products first, so every stored link is always findable (an entry's
    //    key holds everything it says, so an entry already there is already right)
    await submitActions(
      index,
      [...newIndex.values()]
        .filter((entity) => !oldIndex.has(entity.rowKey))
        .map((entity): TransactionAction => ['upsert', entity, 'Replace']),
    );
    // 2. the links themselves: unchanged rows are left alone, missing ones deleted
    const actions: TransactionAction[] = [];
    for (const entity of entities) {
      if (!sameProps(entity, existingByKey.get(entity.rowKey))) actions.push(['upsert', entity, 'Replace']);
    }
    for (const { rowKey, entity } of existing) {
      if (!wantedKeys.has(rowKey))
        actions.push(['delete', { partitionKey: entity.partitionKey ?? '', rowKey }]);
    }
    // One contract's rows are independent of each other: their transactions need no order among them.
    await submitActions(links, actions, { concurrently: true });
    // 3. index entries of links that are gone
    await deleteRows(
      index,
      [...oldIndex.values()].filter((k) => !newIndex.has(k.rowKey)),
    );
  };

  const replaceOnce = async (tenantId: string, contractId: number, wanted: Link[]) => {
    const rows = await queryRows(links, partitionFilter(partitionOf(tenantId, contractId)));
    await replaceFrom(
      tenantId,
      wanted,
      rows.map((row) => ({ rowKey: row.rowKey ?? '', entity: row, target: targetOf(row) })),
    );
  };

  const searchIndex = async (tenantId: string, q: string, limit: number): Promise<IndexTarget[]> => {
    const partitionKey = key(tenantKey(tenantId));
    const ranges: [string, string][] = [];
    const linePrefix = `${LINE_INDEX}${SEP}${escapeKey(q.toLowerCase())}`;
    ranges.push([linePrefix, prefixUpperBound(linePrefix)]);
    if (/^\d+$/.test(q) && Number.isSafeInteger(Number(q))) {
      const productPrefix = `${PRODUCT_INDEX}${SEP}${String(Number(q))}${SEP}`;
      ranges.push([productPrefix, prefixUpperBound(productPrefix)]);
    }
    const found = new Map<string, IndexTarget>();
    for (const [lower, upper] of ranges) {
      // Over-fetch a little: some entries may be stale.
      for (const row of await queryRows(index, rowPrefixFilter(partitionKey, lower, upper), {
        limit: limit * 2,
      })) {
        const target = targetOf(row);
        if (target !== null) found.set(`${target.contractId}${SEP}${target.lineId}`, target);
      }
    }
    return [...found.values()];
  };

  const matchesIds = (q: string, lineId: string, productId: number): boolean =>
    q === '' ||
    lineId.toLowerCase().startsWith(q.toLowerCase()) ||
    (/^\d+$/.test(q) && productId === Number(q));
  const matcher = (q: string) => (link: Link) => matchesIds(q, link.lineId, link.productId);

  /** The index's key ranges for a search: line ids by prefix, then (for digits) the product id exactly. */
  const searchRanges = (tenantId: string, q: string): string[] => {
    const partitionKey = key(tenantKey(tenantId));
    const linePrefix = `${LINE_INDEX}${SEP}${escapeKey(q.toLowerCase())}`;
    const ranges = [rowPrefixFilter(partitionKey, linePrefix, prefixUpperBound(linePrefix))];
    if (/^\d+$/.test(q) && Number.isSafeInteger(Number(q))) {
      const productPrefix = `${PRODUCT_INDEX}${SEP}${String(Number(q))}${SEP}`;
      ranges.push(rowPrefixFilter(partitionKey, productPrefix, prefixUpperBound(productPrefix)));
    }
    return ranges;
  };

  const searchPage = async (
    tenantId: string,
    query: LinkSearchQuery,
    request: PageRequest,
  ): Promise<Page<Link>> => {
    const limit = Math.min(Math.max(1, Math.floor(request.limit)), MAX_SEARCH_LIMIT);
    const q = query.q?.trim() ?? '';
    const matches = matcher(q);
    const tenantPrefix = `${tenantKey(tenantId)}${SEP}`;

    if (query.contractId !== undefined) {
      const contractId = query.contractId;
      const partitionKey = partitionOf(tenantId, contractId);
      const listing = listingOf('links', tenantId, contractId, q);
      const position = decodeToken(request.continuationToken, listing);

      const [page, all] = await Promise.all([
        collectPage(links, [partitionFilter(partitionKey)], position, limit, async (rows) =>
          rows.map((row) => read(row, tenantId, contractId)).filter(matches),
        ),
        // A contract holds at most a few hundred links (Oneflow's limit is 150 products): one request counts
        // them, reading only the two ids a search compares.
        queryRows(links, partitionFilter(partitionKey), { select: ['lineId', 'productId'] }),
      ]);
      const total = all.filter((row) => {
        const ids = { lineId: row.lineId, productId: row.productId };
        return (
          typeof ids.lineId === 'string' &&
          typeof ids.productId === 'number' &&
          matchesIds(q, ids.lineId, ids.productId)
        );
      }).length;
      return {
        items: page.items,
        continuationToken: page.next === null ? null : encodeToken(page.next, listing),
        total,
      };
    }

    let segments: string[];
    let toItems: (rows: Row[]) => Promise<Link[]>;
    if (q === '') {
      segments = [partitionRangeFilter(tenantPrefix, prefixUpperBound(tenantPrefix))];
      toItems = async (rows) =>
        rows.map((row) => {
          const target = targetOf(row);
          if (target === null)
            throw new CorruptStateError(table, keysOf(row), 'contractId, lineId or productId is missing');
          return read(row, tenantId, target.contractId);
        });
    } else {
      segments = searchRanges(tenantId, q);
      const lineMatch = q.toLowerCase();
      toItems = async (rows) => {
        const targets = rows.flatMap((row) => {
          const target = targetOf(row);
          // The product range repeats a link the line range found when its line id also starts with q.
          const seenInLines =
            row.rowKey?.startsWith(`${PRODUCT_INDEX}${SEP}`) === true &&
            target !== null &&
            target.lineId.toLowerCase().startsWith(lineMatch);
          return target === null || seenInLines ? [] : [target];
        });
        const found = await mapLimit(targets, 16, (target) =>
          get(tenantId, target.contractId, target.lineId),
        );
        return found.filter((link): link is Link => link !== null && matches(link));
      };
    }
    const listing = listingOf('links', tenantId, undefined, q);
    const position = decodeToken(request.continuationToken, listing, segments.length);
    const page = await collectPage(q === '' ? links : index, segments, position, limit, toItems);
    const complete = request.continuationToken === undefined && page.next === null;
    return {
      items: page.items,
      continuationToken: page.next === null ? null : encodeToken(page.next, listing),
      total: complete ? page.items.length : null,
    };
  };

  return {
    list,
    get,
    searchPage,

    async replaceAll(tenantId, contractId, input, previous) {
      requireContractId(contractId);
      const wanted = input.map((link) => validated(tenantId, link, contractId));
      const seen = new Set<string>();
      for (const link of wanted) {
        if (seen.has(link.lineId))
          throw new StateInputError(
            `Line ${link.lineId} appears twice in the links of contract ${contractId}`,
          );
        seen.add(link.lineId);
      }
      if (previous !== undefined) {
        try {
          await replaceFrom(
            tenantId,
            wanted,
            previous.map((link) => {
              const entity = toEntity(tenantId, validated(tenantId, link, contractId));
              return { rowKey: entity.rowKey, entity, target: link };
            }),
          );
          return;
        } catch (error) {
          // The links were not as read (a row deleted meanwhile fails its delete with 404): read them and redo.
          if (statusOf(error) !== 404) throw error;
        }
      }
      for (let attempt = 1; ; attempt++) {
        try {
          await replaceOnce(tenantId, contractId, wanted);
          return;
        } catch (error) {
          // A row deleted meanwhile makes its delete in a transaction fail with 404: read again and redo.
          if (statusOf(error) !== 404 || attempt >= 3) throw error;
        }
      }
    },

    async put(tenantId, input) {
      const link = validated(tenantId, input);
      const entity = toEntity(tenantId, link);
      const previous = await getRow(links, entity.partitionKey, entity.rowKey);
      const previousTarget = previous === null ? null : targetOf(previous);
      const newKeys = indexKeys(tenantId, link);
      await submitActions(
        index,
        newKeys.map((k): TransactionAction => ['upsert', indexEntity(link, k), 'Replace']),
      );
      await links.upsertEntity(entity, 'Replace');
      if (previousTarget !== null) {
        const keep = new Set(newKeys.map((k) => k.rowKey));
        await deleteRows(
          index,
          indexKeys(tenantId, previousTarget).filter((k) => !keep.has(k.rowKey)),
        );
      }
    },

    async delete(tenantId, contractId, lineId) {
      const partitionKey = partitionOf(tenantId, contractId);
      const rowKey = lineKey(lineId);
      const previous = await getRow(links, partitionKey, rowKey);
      if (previous === null) return false;
      const removed = await deleteRow(links, partitionKey, rowKey);
      const target = targetOf(previous);
      if (target !== null) await deleteRows(index, indexKeys(tenantId, target));
      return removed;
    },

    async search(tenantId, query: LinkSearchQuery) {
      const limit = Math.min(Math.max(1, Math.floor(query.limit ?? DEFAULT_SEARCH_LIMIT)), MAX_SEARCH_LIMIT);
      const q = query.q?.trim() ?? '';
      const matches = (link: Link) =>
        q === '' ||
        link.lineId.toLowerCase().startsWith(q.toLowerCase()) ||
        (/^\d+$/.test(q) && link.productId === Number(q));
      const order = (a: Link, b: Link) => a.contractId - b.contractId || a.lineId.localeCompare(b.lineId);

      if (query.contractId !== undefined) {
        return (await list(tenantId, query.contractId)).filter(matches).sort(order).slice(0, limit);
      }
      if (q === '') {
        const lower = `${tenantKey(tenantId)}${SEP}`;
        const rows = await queryRows(links, partitionRangeFilter(lower, prefixUpperBound(lower)), { limit });
        return rows
          .map((row) => {
            const target = targetOf(row);
            if (target === null)
              throw new CorruptStateError(table, keysOf(row), 'contractId, lineId or productId is missing');
            return read(row, tenantId, target.contractId);
          })
          .sort(order);
      }
      const targets = await searchIndex(tenantId, q, limit);
      const found = await mapLimit(targets, 16, (target) => get(tenantId, target.contractId, target.lineId));
      return found
        .filter((link): link is Link => link !== null && matches(link))
        .sort(order)
        .slice(0, limit);
    },
  };
}
