import { OneflowProductGroupSchema } from '@oneflow-sync/shared';
import { z } from 'zod';
import { OneflowErrorSchema, PUBLISH, shape, useOneflowSimulator, USER_EMAIL } from './testSupport';

const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/;

const ContractSchema = z.object({
  id: z.number().int(),
  state: z.enum(['draft', 'pending', 'overdue', 'signed', 'declined']),
  state_updated_time: z.string().regex(TIME),
  updated_time: z.string().regex(TIME),
  published_time: z.string().regex(TIME).nullable(),
  _private: z.object({
    name: z.string(),
    value: z.object({ amount: z.string(), currency: z.string() }),
  }),
  data_fields: z.array(z.unknown()),
  parties: z.array(z.unknown()),
  product_groups: z.array(OneflowProductGroupSchema),
});

const WORKSPACE = 130406;
const TEMPLATE_WITH_PRODUCTS = 756510;
const TEMPLATE_WITHOUT_PRODUCTS = 756520;
const LEGAL_WORKSPACE = 130407;
const TEMPLATE_OF_LEGAL = 756530;
const TEMPLATE_COVER_LETTER = 756540;

const { simulator, call } = useOneflowSimulator();

const create = (body: unknown) =>
  call('POST', '/v1/contracts/create', { body, headers: { 'x-oneflow-user-email': USER_EMAIL } });

describe('Oneflow contracts', () => {
  it('fact: GET /v1/contracts/{id} returns id, state, times, _private{name, value{amount, currency}}, data_fields, parties, product_groups', async () => {
    const answer = await call('GET', '/v1/contracts/101');
    expect(answer.status).toBe(200);
    const contract = shape(ContractSchema, answer.body);
    expect(contract).toMatchObject({ id: 101, state: 'draft', published_time: null });
    // Currency lives on the contract; the value is Σ final unit price × quantity: 494.10 × 12 + 1000 × 1 + 99 × 1.
    expect(contract._private.value).toEqual({ amount: '7028.20', currency: 'EUR' });
    expect(contract.product_groups[0]?.products).toHaveLength(3);
  });

  it("fact: POST /v1/contracts/create makes a draft from the template; product groups copy the template's groups (created_from, configuration)", async () => {
    const answer = await create({
      workspace_id: WORKSPACE,
      template_id: TEMPLATE_WITH_PRODUCTS,
      name: 'New deal',
      data_fields: [{ custom_id: 'dynamics_entity', value: 'opportunity' }],
      product_groups: [
        {
          products: [
            {
              name: 'Chair',
              price_1: { base_amount: { amount: '100' } },
              quantity: { type: 'quantity', amount: 4 },
            },
          ],
        },
      ],
    });
    expect(answer.status).toBe(200);
    const contract = shape(ContractSchema, answer.body);
    expect(contract).toMatchObject({ state: 'draft', _private: { name: 'New deal' } });
    const group = contract.product_groups[0];
    expect(group?.created_from).toBe(9001);
    expect(group?.configuration).toMatchObject({ price_precision: 2, quantity_precision: 0 });
    expect(group?.products[0]).toMatchObject({
      name: 'Chair',
      price_1: { base_amount: { amount: '100.00' }, amount: { amount: '100.00' } },
      quantity: { type: 'quantity', amount: 4 },
    });
    expect(contract._private.value.amount).toBe('400.00');
    expect((await call('GET', `/v1/contracts/${contract.id}`)).status).toBe(200);
  });

  it('fact: creating a contract with products needs a template with a product table (400 naming product_groups)', async () => {
    const answer = await create({
      workspace_id: WORKSPACE,
      template_id: TEMPLATE_WITHOUT_PRODUCTS,
      product_groups: [{ products: [{ name: 'Chair' }] }],
    });
    expect(answer.status).toBe(400);
    expect(shape(OneflowErrorSchema, answer.body).parameter_problems).toHaveProperty('product_groups');
    const withoutProducts = await create({ workspace_id: WORKSPACE, template_id: TEMPLATE_WITHOUT_PRODUCTS });
    expect(withoutProducts.status).toBe(200);
  });

  it('fact: creating a contract validates its products like any product write, and makes nothing when refused', async () => {
    const contractsBefore = simulator.store.contracts().length;
    const answer = await create({
      workspace_id: WORKSPACE,
      template_id: TEMPLATE_WITH_PRODUCTS,
      product_groups: [{ products: [{ name: '' }] }],
    });
    expect(answer.status).toBe(400);
    expect(Object.keys(shape(OneflowErrorSchema, answer.body).parameter_problems)).toEqual([
      'product_groups[0].products[0].name',
    ]);
    expect(simulator.store.contracts()).toHaveLength(contractsBefore);
  });

  it('fact: create without workspace_id or template_id gets 400 naming the field; an unknown template gets 404', async () => {
    const missing = await create({ workspace_id: WORKSPACE });
    expect(missing.status).toBe(400);
    expect(shape(OneflowErrorSchema, missing.body).parameter_problems).toHaveProperty('template_id');
    const unknown = await create({ workspace_id: WORKSPACE, template_id: 1 });
    expect(unknown.status).toBe(404);
  });

  it('fact: a template of another workspace cannot be used: 404, and nothing is made', async () => {
    const contractsBefore = simulator.store.contracts().length;
    // 756530 belongs to the legal workspace only.
    const answer = await create({ workspace_id: WORKSPACE, template_id: TEMPLATE_OF_LEGAL });
    expect(answer.status).toBe(404);
    expect(shape(OneflowErrorSchema, answer.body).error_code).toBe(4040000);
    expect(simulator.store.contracts()).toHaveLength(contractsBefore);
  });

  it('fact: creating in a workspace where the user may not create contracts is a 403 (Access denied); the account admin may', async () => {
    const denied = await create({ workspace_id: LEGAL_WORKSPACE, template_id: TEMPLATE_OF_LEGAL });
    expect(denied.status).toBe(403);
    expect(shape(OneflowErrorSchema, denied.body)).toMatchObject({
      status: 403,
      title: 'Forbidden',
      error_code: 4030000,
    });
    const asAdmin = await call('POST', '/v1/contracts/create', {
      body: { workspace_id: LEGAL_WORKSPACE, template_id: TEMPLATE_OF_LEGAL },
      headers: { 'x-oneflow-user-email': 'sam.admin@contoso.example' },
    });
    expect(asAdmin.status).toBe(200);
    expect(shape(ContractSchema, asAdmin.body)._private.value.currency).toBe('SEK');
  });

  it('fact: a template that cannot receive products refuses product_groups with products (400), also when the template has a type and data fields', async () => {
    const answer = await create({
      workspace_id: WORKSPACE,
      template_id: TEMPLATE_COVER_LETTER,
      product_groups: [{ products: [{ name: 'Chair' }] }],
    });
    expect(answer.status).toBe(400);
    expect(Object.keys(shape(OneflowErrorSchema, answer.body).parameter_problems)).toEqual([
      'product_groups',
    ]);
    const empty = await create({
      workspace_id: WORKSPACE,
      template_id: TEMPLATE_COVER_LETTER,
      product_groups: [],
    });
    expect(empty.status).toBe(200);
  });

  it("fact: create takes data_fields [{custom_id, value?}] for the template type's fields: the rest keep the type's value, an unknown custom_id is a 400 naming it", async () => {
    const answer = await create({
      workspace_id: WORKSPACE,
      template_id: TEMPLATE_WITH_PRODUCTS,
      data_fields: [{ custom_id: 'dynamics_entity', value: 'quote' }, { custom_id: 'dynamics_record_id' }],
    });
    expect(answer.status).toBe(200);
    const fields = z
      .array(z.object({ value: z.string(), _private_ownerside: z.object({ custom_id: z.string() }) }))
      .parse(shape(ContractSchema, answer.body).data_fields);
    expect(fields.map(({ _private_ownerside, value }) => [_private_ownerside.custom_id, value])).toEqual([
      ['dynamics_entity', 'quote'],
      ['dynamics_record_id', ''],
      ['payment_terms', '30 days net'],
    ]);
    const unknown = await create({
      workspace_id: WORKSPACE,
      template_id: TEMPLATE_WITH_PRODUCTS,
      data_fields: [{ custom_id: 'counterparty_reference', value: 'x' }],
    });
    expect(unknown.status).toBe(400);
    expect(Object.keys(shape(OneflowErrorSchema, unknown.body).parameter_problems)).toEqual([
      'data_fields[0].custom_id',
    ]);
  });

  it('fact: POST /v1/contracts/{id}/publish turns a draft into pending and sets published_time; publishing again is a 409', async () => {
    const answer = await call('POST', '/v1/contracts/101/publish', {
      body: { subject: 'Hi', message: 'Please sign' },
    });
    expect(answer.status).toBe(200);
    const contract = shape(ContractSchema, answer.body);
    expect(contract.state).toBe('pending');
    expect(contract.published_time).toMatch(TIME);
    const again = await call('POST', '/v1/contracts/101/publish', { body: PUBLISH });
    expect(again.status).toBe(409);
    expect(shape(OneflowErrorSchema, again.body)).toMatchObject({ status: 409, title: 'Conflict' });
  });

  it('fact: POST /v1/contracts/{id}/publish takes {subject, message}: both are required (400 naming each), and a refused publish leaves the draft', async () => {
    for (const [body, fields] of [
      [{}, ['message', 'subject']],
      [{ subject: 'Hi' }, ['message']],
      [{ message: 'Please sign' }, ['subject']],
    ] as const) {
      const answer = await call('POST', '/v1/contracts/101/publish', { body });
      expect(answer.status).toBe(400);
      expect(Object.keys(shape(OneflowErrorSchema, answer.body).parameter_problems).sort()).toEqual(fields);
    }
    const contract = shape(ContractSchema, (await call('GET', '/v1/contracts/101')).body);
    expect(contract).toMatchObject({ state: 'draft', published_time: null });
  });

  it("fact: a signed contract can no longer be edited: product writes get 409 with Oneflow's body", async () => {
    await call('POST', '/v1/contracts/101/publish', { body: PUBLISH });
    const signed = await call('POST', '/_sim/contracts/101/sign');
    expect(shape(ContractSchema, signed.body).state).toBe('signed');
    const writes = [
      call('PUT', '/v1/contracts/101/products/300001', { body: { name: 'Renamed' } }),
      call('POST', '/v1/contracts/101/product_groups/20001/products', { body: { name: 'New' } }),
      call('DELETE', '/v1/contracts/101/products/300001'),
      call('PUT', '/v1/contracts/101/product_groups/20001', { body: { products: [] } }),
      call('PUT', '/v1/contracts/101/product_groups/20001/products/300001', { body: { name: 'Renamed' } }),
      call('PUT', '/v1/contracts/101/product_groups', {
        body: { product_groups: [{ id: 20001, products: [] }] },
      }),
    ];
    for (const answer of await Promise.all(writes)) {
      expect(answer.status).toBe(409);
      expect(shape(OneflowErrorSchema, answer.body)).toMatchObject({ status: 409, error_code: 4090000 });
    }
    const product = await call('GET', '/v1/contracts/101/products/300001');
    expect(product.body).toMatchObject({ name: 'Standing desk' });
  });

  it('fact: only a published contract can be signed (the sign control refuses a draft)', async () => {
    expect((await call('POST', '/_sim/contracts/101/sign')).status).toBe(409);
  });

  it('fact: DELETE /v1/contracts/{id} answers 200 with an empty body, also when the contract does not exist', async () => {
    const answer = await call('DELETE', '/v1/contracts/102');
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
    expect((await call('GET', '/v1/contracts/102')).status).toBe(404);
    const again = await call('DELETE', '/v1/contracts/102');
    expect(again.status).toBe(200);
  });

  it("fact: product writes move the contract's updated_time", async () => {
    const before = shape(ContractSchema, (await call('GET', '/v1/contracts/101')).body);
    await call('PUT', '/v1/contracts/101/products/300001', { body: { name: 'Sit-stand desk' } });
    const after = shape(ContractSchema, (await call('GET', '/v1/contracts/101')).body);
    expect(after.updated_time).not.toBe(before.updated_time);
    expect(after.state_updated_time).toBe(before.state_updated_time);
  });
});
