import { z } from 'zod';
import type { Link } from '@oneflow-sync/shared';
import type { ActivityEntry, ActivityOutcome } from '../state/types';
import { FIXTURE, startStack, type ApiAnswer, type Stack } from '../testing/stack';
import { errorOf, fieldsOf, parseCsv } from './securitySupport';
import { expectStatus } from './syncE2eSupport';

/**
 * Links and activity a page at a time, and the CSV export of every link, against Azurite as a process through
 * the local runner. 1,200 links (more than one page of Table Storage, which answers at most 1,000 rows per
 * request) are written straight to Azurite through the state layer.
 */

jest.setTimeout(120_000);

const CONTRACTS = 12;
const LINKS_PER_CONTRACT = 100;
const FIRST_CONTRACT = 900_001;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const lineIdOf = (contract: number, index: number) =>
  `1ee70000-0000-4000-8000-${hex(contract * 1000 + index, 12)}`;
const productIdOf = (contract: number, index: number) => 5_000_000 + contract * 1000 + index;
const RECORD = '0a1b0000-0000-4000-8009-000000000001';

let stack: Stack;
let alex: string;
let megan: string;

function linkOf(contractId: number, index: number): Link {
  return {
    contractId,
    lineId: lineIdOf(contractId, index),
    productId: productIdOf(contractId, index),
    state: 'active',
    syncedAt: '2026-11-24T10:00:00.000Z',
    base: { quantity: { dynamics: String(index), oneflow: String(index) } },
  };
}

const OUTCOMES: ActivityOutcome[] = [
  'applied',
  'failed',
  'nothing_to_do',
  'failed',
  'applied',
  'refused',
  'failed',
];

function entryOf(n: number, outcome: ActivityOutcome): ActivityEntry {
  return {
    id: `e0000000-0000-4000-8000-${hex(n, 12)}`,
    tenantId: FIXTURE.contoso,
    contractId: FIRST_CONTRACT,
    mainEntity: 'opportunity',
    recordId: RECORD,
    action: 'push',
    outcome,
    actor: { kind: 'user', id: FIXTURE.users.alex.oid, name: 'Alex' },
    at: new Date(Date.UTC(2026, 10, 24, 10, 0, n)).toISOString(),
    message: `Push ${String(n)}`,
    summary: null,
    changes: [],
  };
}

beforeAll(async () => {
  stack = await startStack();
  [alex, megan] = await Promise.all([stack.token('alex'), stack.token('megan')]);
  const { store } = stack.services;
  const contracts = Array.from({ length: CONTRACTS }, (_, i) => FIRST_CONTRACT + i);
  await Promise.all(
    contracts.map((contractId) =>
      store.links.replaceAll(
        FIXTURE.contoso,
        contractId,
        Array.from({ length: LINKS_PER_CONTRACT }, (_, i) => linkOf(contractId, i + 1)),
      ),
    ),
  );
  // Another tenant's links under the same contract id: never listed, counted or exported for Contoso.
  await store.links.replaceAll(FIXTURE.fabrikam, FIRST_CONTRACT, [linkOf(FIRST_CONTRACT, 5000)]);
  for (const [n, outcome] of OUTCOMES.entries()) await store.activity.record(entryOf(n + 1, outcome));
}, 120_000);

afterAll(async () => {
  await stack.close();
});

const LinksPage = z.strictObject({
  links: z.array(z.object({ contractId: z.number(), lineId: z.string(), productId: z.number() })),
  continuationToken: z.string().nullable(),
  total: z.number().int().nullable(),
});
type LinksPage = z.infer<typeof LinksPage>;

const ActivityPage = z.strictObject({
  entries: z.array(z.object({ id: z.string(), outcome: z.string(), at: z.string() })),
  continuationToken: z.string().nullable(),
  total: z.number().int().nullable(),
});

const get = (path: string, token = alex): Promise<ApiAnswer> => stack.api('GET', path, { token });

async function allPages(path: string): Promise<LinksPage[]> {
  const pages: LinksPage[] = [];
  let token: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const answer = await get(
      token === null ? path : `${path}${separator}continuationToken=${encodeURIComponent(token)}`,
    );
    expectStatus(answer, 200);
    const page = LinksPage.parse(answer.body);
    pages.push(page);
    token = page.continuationToken;
  } while (token !== null && pages.length < 20);
  return pages;
}

const keysOf = (pages: LinksPage[]) =>
  pages.flatMap((page) => page.links.map((link) => `${String(link.contractId)}/${link.lineId}`));

describe('GET /api/links, a page at a time', () => {
  it("walks every one of the tenant's 1,200 links in pages of 500, each once, with no total (it would need them all read)", async () => {
    const pages = await allPages('links?limit=500');
    expect(pages.map((page) => page.links.length)).toEqual([500, 500, 200]);
    expect(pages.map((page) => page.total)).toEqual([null, null, null]);
    const keys = keysOf(pages);
    expect(new Set(keys).size).toBe(CONTRACTS * LINKS_PER_CONTRACT);
    expect(keys.every((k) => !k.endsWith(lineIdOf(FIRST_CONTRACT, 5000)))).toBe(true);
  });

  it("gives one contract's total and pages through its links", async () => {
    const pages = await allPages(`links?contractId=${String(FIRST_CONTRACT + 2)}&limit=30`);
    expect(pages.map((page) => page.links.length)).toEqual([30, 30, 30, 10]);
    expect(pages.map((page) => page.total)).toEqual([100, 100, 100, 100]);
    expect(new Set(keysOf(pages)).size).toBe(100);
    const product = productIdOf(FIRST_CONTRACT + 2, 5);
    const [searched] = await allPages(`links?contractId=${String(FIRST_CONTRACT + 2)}&q=${String(product)}`);
    expect(searched).toMatchObject({ total: 1, continuationToken: null });
    expect(searched?.links.map((link) => link.productId)).toEqual([product]);
  });

  it('pages through a search by line id prefix, and finds a product id exactly', async () => {
    const pages = await allPages('links?q=1EE7&limit=1000');
    expect(pages.map((page) => page.links.length)).toEqual([1000, 200]);
    expect(new Set(keysOf(pages)).size).toBe(1200);
    const product = productIdOf(FIRST_CONTRACT + 5, 42);
    const [found] = await allPages(`links?q=${String(product)}`);
    expect(found?.links.map((link) => link.productId)).toEqual([product]);
    expect(found?.total).toBe(1);
  });

  it('400 naming continuationToken for a token it did not hand out, one of another listing, or of another tenant', async () => {
    const first = LinksPage.parse((await get(`links?contractId=${String(FIRST_CONTRACT)}&limit=10`)).body);
    const token = first.continuationToken ?? '';
    expect(token).not.toBe('');
    const forged = Buffer.from(JSON.stringify({ t: 'not a table token' })).toString('base64url');
    const paths = [
      'links?continuationToken=%25%25%25',
      `links?continuationToken=${forged}`,
      `links?contractId=${String(FIRST_CONTRACT + 1)}&continuationToken=${token}`,
    ];
    for (const path of paths) expect(fieldsOf(await get(path))).toEqual(['query.continuationToken']);
    const otherTenant = await get(
      `links?contractId=${String(FIRST_CONTRACT)}&continuationToken=${token}`,
      megan,
    );
    expect(fieldsOf(otherTenant)).toEqual(['query.continuationToken']);
    expect(fieldsOf(await get('links?limit=1001'))).toEqual(['query.limit']);
  });
});

describe('GET /api/links/export.csv', () => {
  it('streams every link of the tenant, more than a page of the table, once each', async () => {
    const answer = await get('links/export.csv');
    expectStatus(answer, 200);
    expect(answer.headers['content-type']).toMatch(/^text\/csv/);
    expect(answer.headers['transfer-encoding']).toBe('chunked');
    const [header, ...rows] = parseCsv(answer.text);
    expect(header).toEqual(['contractId', 'lineId', 'productId', 'state', 'syncedAt', 'base']);
    expect(rows).toHaveLength(CONTRACTS * LINKS_PER_CONTRACT);
    expect(new Set(rows.map((row) => `${row[0] ?? ''}/${row[1] ?? ''}`)).size).toBe(1200);
    expect(rows.find((row) => row[1] === lineIdOf(FIRST_CONTRACT, 7))).toEqual([
      String(FIRST_CONTRACT),
      lineIdOf(FIRST_CONTRACT, 7),
      String(productIdOf(FIRST_CONTRACT, 7)),
      'active',
      '2026-11-24T10:00:00.000Z',
      JSON.stringify({ quantity: { dynamics: '7', oneflow: '7' } }),
    ]);
  });

  it("exports one contract's links, and answers 400 for a bad filter before any of the file", async () => {
    const answer = await get(`links/export.csv?contractId=${String(FIRST_CONTRACT + 11)}`);
    expectStatus(answer, 200);
    expect(parseCsv(answer.text)).toHaveLength(1 + LINKS_PER_CONTRACT);
    expect(fieldsOf(await get('links/export.csv?contractId=0x10'))).toEqual(['query.contractId']);
    expect(errorOf(await stack.api('GET', 'links/export.csv'), 401).code).toBe('unauthorized');
  });
});

describe('GET /api/activity, a page at a time and by outcome', () => {
  const activity = (query: string) => get(`activity?recordId=${RECORD}&${query}`);

  it('pages newest first with a continuation token; the total is given when one page holds everything', async () => {
    const ids: string[] = [];
    let token: string | null = null;
    const sizes: number[] = [];
    do {
      const answer = await activity(
        `limit=3${token === null ? '' : `&continuationToken=${encodeURIComponent(token)}`}`,
      );
      expectStatus(answer, 200);
      const page = ActivityPage.parse(answer.body);
      expect(page.total).toBeNull();
      sizes.push(page.entries.length);
      ids.push(...page.entries.map((entry) => entry.id));
      token = page.continuationToken;
    } while (token !== null);
    expect(sizes).toEqual([3, 3, 1]);
    expect(ids).toEqual(OUTCOMES.map((_, i) => entryOf(OUTCOMES.length - i, 'applied').id));
    const whole = ActivityPage.parse((await activity('limit=50')).body);
    expect(whole.total).toBe(OUTCOMES.length);
    expect(whole.continuationToken).toBeNull();
  });

  it('filters by outcome in the table, across pages', async () => {
    const first = ActivityPage.parse((await activity('outcome=failed&limit=2')).body);
    expect(first.entries.map((entry) => entry.outcome)).toEqual(['failed', 'failed']);
    const token = first.continuationToken ?? '';
    const rest = ActivityPage.parse(
      (await activity(`outcome=failed&limit=2&continuationToken=${encodeURIComponent(token)}`)).body,
    );
    expect(rest.entries.map((entry) => entry.outcome)).toEqual(['failed']);
    expect(rest.continuationToken).toBeNull();
    const refused = ActivityPage.parse((await activity('outcome=refused')).body);
    expect(refused).toMatchObject({ total: 1, continuationToken: null });
  });

  it('400 naming outcome for an outcome that does not exist, and continuationToken for a foreign token', async () => {
    expect(fieldsOf(await activity('outcome=exploded'))).toEqual(['query.outcome']);
    const contractPage = ActivityPage.parse(
      (await get(`activity?contractId=${String(FIRST_CONTRACT)}&limit=1`)).body,
    );
    const token = contractPage.continuationToken ?? '';
    expect(token).not.toBe('');
    expect(fieldsOf(await activity(`continuationToken=${token}`))).toEqual(['query.continuationToken']);
    expect(fieldsOf(await activity('continuationToken=!!'))).toEqual(['query.continuationToken']);
  });
});
