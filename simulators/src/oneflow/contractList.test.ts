import { z } from 'zod';
import {
  OneflowErrorSchema,
  PageSchema,
  PUBLISH,
  shape,
  useOneflowSimulator,
  USER_EMAIL,
} from './testSupport';

const WORKSPACE = 130406;
const TEMPLATE_WITH_PRODUCTS = 756510;

const ItemSchema = z.object({
  id: z.number().int(),
  state: z.string(),
  updated_time: z.string(),
  product_groups: z.array(z.unknown()).optional(),
});
const ListSchema = PageSchema.extend({ data: z.array(ItemSchema) });

const { call } = useOneflowSimulator();

const list = async (query: string) => {
  const answer = await call('GET', `/v1/contracts${query}`);
  expect(answer.status).toBe(200);
  return shape(ListSchema, answer.body);
};

const refusal = async (query: string) => {
  const answer = await call('GET', `/v1/contracts${query}`);
  expect(answer.status).toBe(400);
  return shape(OneflowErrorSchema, answer.body).parameter_problems;
};

async function createContracts(count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let index = 0; index < count; index++) {
    const answer = await call('POST', '/v1/contracts/create', {
      body: { workspace_id: WORKSPACE, template_id: TEMPLATE_WITH_PRODUCTS, name: `Deal ${index}` },
      headers: { 'x-oneflow-user-email': USER_EMAIL },
    });
    ids.push(shape(z.object({ id: z.number().int() }), answer.body).id);
  }
  return ids;
}

describe('Oneflow contract list (GET /v1/contracts)', () => {
  it('fact: the list is a page {_links, count, data} of contracts; count is the total, whatever the page', async () => {
    const created = await createContracts(3);
    const first = await list('?limit=2');
    expect(first.count).toBe(5);
    expect(first.data.map((item) => item.id)).toEqual([101, 102]);
    expect(first._links.next?.href).toMatch(/\/v1\/contracts\?limit=2&offset=2$/);
    const rest = await list('?limit=2&offset=2');
    expect(rest.data.map((item) => item.id)).toEqual(created.slice(0, 2));
  });

  it('fact: filter[ids] retrieves the listed contracts only (unknown ids are simply absent); the links keep the filter', async () => {
    const [, second] = await createContracts(2);
    const page = await list(`?filter[ids]=102,${String(second)},999999&limit=1`);
    expect(page.count).toBe(2);
    expect(page.data.map((item) => item.id)).toEqual([102]);
    expect(decodeURIComponent(page._links.next?.href ?? '')).toMatch(
      new RegExp(`filter\\[ids\\]=102,${String(second)},999999&limit=1&offset=1$`),
    );
  });

  it('fact: filter[states] keeps contracts in one of the listed states; other filters still apply with filter[ids]', async () => {
    const publish = await call('POST', '/v1/contracts/102/publish', { body: PUBLISH });
    expect(publish.status).toBe(200);
    expect((await list('?filter[states]=pending')).data.map((item) => item.id)).toEqual([102]);
    expect((await list('?filter[states]=draft,pending')).count).toBe(2);
    expect((await list('?filter[states]=draft&filter[ids]=101,102')).data.map((item) => item.id)).toEqual([
      101,
    ]);
  });

  it('fact: sort takes name, state, state_updated_time, published_time, "-" for descending', async () => {
    await createContracts(1);
    const names = (await list('?sort=-name')).data.map((item) => item.id);
    expect(names).toHaveLength(3);
    expect((await list('?sort=state')).count).toBe(3);
  });

  it('rule: a malformed filter is a 400 naming it (ids longer than 200 characters, not ids, unknown states, unknown sort)', async () => {
    const longIds = Array.from({ length: 30 }, (_, index) => String(1_000_000 + index)).join(',');
    expect(longIds.length).toBeGreaterThan(200);
    expect(Object.keys(await refusal(`?filter[ids]=${longIds}`))).toEqual(['filter[ids]']);
    expect(Object.keys(await refusal('?filter[ids]=101,abc'))).toEqual(['filter[ids]']);
    expect(Object.keys(await refusal('?filter[states]=draft,archived'))).toEqual(['filter[states]']);
    expect(Object.keys(await refusal('?sort=updated_time'))).toEqual(['sort']);
    expect(Object.keys(await refusal('?limit=101'))).toEqual(['limit']);
  });

  it('rule: a filter the simulator does not model is refused, never ignored', async () => {
    expect(Object.keys(await refusal('?filter[updated_time]=2026-01-01T00:00:00%2B0000|'))).toEqual([
      'filter[updated_time]',
    ]);
  });

  it('reading contractListItem: full items carry updated_time and product tables; without_product_groups leaves the tables out', async () => {
    const [full] = (await list('?filter[ids]=101')).data;
    expect(full?.product_groups).toHaveLength(1);
    expect(full?.updated_time).toMatch(/\+0000$/);
    expect(
      (await call('PUT', '/_sim/readings', { body: { contractListItem: 'without_product_groups' } })).status,
    ).toBe(200);
    const [bare] = (await list('?filter[ids]=101')).data;
    expect(bare).not.toHaveProperty('product_groups');
    expect(bare?.updated_time).toBe(full?.updated_time);
    // The contract itself still has them.
    const contract = await call('GET', '/v1/contracts/101');
    expect(shape(ItemSchema, contract.body).product_groups).toHaveLength(1);
  });

  it('control: POST /_sim/contracts/bulk makes many contracts as the create call does, answering their ids', async () => {
    const answer = await call('POST', '/_sim/contracts/bulk', {
      body: { count: 250, workspace_id: WORKSPACE, template_id: TEMPLATE_WITH_PRODUCTS, name: 'Load' },
    });
    expect(answer.status).toBe(200);
    const { ids } = shape(z.object({ ids: z.array(z.number().int()) }), answer.body);
    expect(ids).toHaveLength(250);
    const open = await list('?filter[states]=draft&limit=100&offset=200');
    expect(open.count).toBe(252);
    expect(open.data.map((item) => item.id)).toEqual([...ids.slice(198)]);
    const refused = await call('POST', '/_sim/contracts/bulk', {
      body: { count: 0, workspace_id: WORKSPACE },
    });
    expect(refused.status).toBe(400);
    expect(Object.keys(shape(OneflowErrorSchema, refused.body).parameter_problems).sort()).toEqual([
      'count',
      'template_id',
    ]);
  });
});
