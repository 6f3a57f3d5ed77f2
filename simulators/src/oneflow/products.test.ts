import { OneflowProductGroupSchema, OneflowProductSchema } from '@oneflow-sync/shared';
import { z } from 'zod';
import { OneflowErrorSchema, PageSchema, shape, useOneflowSimulator, type Answer } from './testSupport';

/** Contract 101 (group 20001): 300001 desk 549.00 −10 % × 12, 300002 installation 1200 − 200, 300003 warranty. */
const DESK = '/v1/contracts/101/products/300001';
const GROUP = '/v1/contracts/101/product_groups/20001';
const CREATE = `${GROUP}/products`;

/** A strict product shape: every documented field present, amounts as decimal strings. */
const Amount = z.object({ amount: z.string().regex(/^-?\d+(\.\d+)?$/) });
const Price = z.object({
  base_amount: Amount,
  discount_amount: z.object({ amount: z.string().nullable() }),
  discount_percent: z.string().nullable(),
  amount: Amount,
});
const ProductShape = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string().nullable(),
  counterparty_lock: z.boolean(),
  _private_ownerside: z.object({
    created_time: z.string(),
    updated_time: z.string(),
    custom_id: z.string().nullable(),
  }),
  price_1: Price,
  price_2: Price,
  quantity: z.object({ type: z.enum(['quantity', 'single_choice', 'multiple_choice']), amount: z.number() }),
});

const { call } = useOneflowSimulator();

function product(answer: Answer): z.output<typeof ProductShape> {
  expect(answer.status).toBe(200);
  OneflowProductSchema.parse(answer.body);
  return shape(ProductShape, answer.body);
}

/** Oneflow's 400: its error body, with parameter_problems naming exactly the fields given. */
function expectRefused(answer: Answer, ...fields: string[]): void {
  expect(answer.status).toBe(400);
  const error = shape(OneflowErrorSchema, answer.body);
  expect(error).toMatchObject({ status: 400, title: 'Bad Request', error_code: 4000000 });
  expect(Object.keys(error.parameter_problems).sort()).toEqual([...fields].sort());
}

const price = (base: string, discount: { amount?: string | null; percent?: string | null } = {}) => ({
  base_amount: { amount: base },
  discount_amount: { amount: discount.amount ?? null },
  discount_percent: discount.percent ?? null,
});

describe('Oneflow products: create, read, update, delete', () => {
  it('fact: POST …/product_groups/{pgid}/products creates a product with every documented field; amounts are decimal strings', async () => {
    const created = product(
      await call('POST', CREATE, {
        body: {
          name: 'Monitor arm',
          description: 'Dual',
          _private_ownerside: { custom_id: 'line-1' },
          price_1: price('89.5'),
          quantity: { type: 'quantity', amount: 2 },
        },
      }),
    );
    expect(created).toMatchObject({
      name: 'Monitor arm',
      description: 'Dual',
      counterparty_lock: false,
      _private_ownerside: { custom_id: 'line-1' },
      price_1: { base_amount: { amount: '89.50' }, amount: { amount: '89.50' } },
      quantity: { type: 'quantity', amount: 2 },
    });
    expect(created._private_ownerside.created_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/);
    expect(product(await call('GET', `/v1/contracts/101/products/${created.id}`))).toEqual(created);
  });

  it('fact: custom_id can be written top-level too; it is returned under _private_ownerside', async () => {
    const created = product(await call('POST', CREATE, { body: { name: 'Lamp', custom_id: 'line-2' } }));
    expect(created._private_ownerside.custom_id).toBe('line-2');
  });

  it('fact: amount.amount is the final unit price: base − discount_amount, or base × (1 − percent/100), at the group price precision', async () => {
    const byAmount = product(
      await call('POST', CREATE, { body: { name: 'A', price_1: price('100', { amount: '12.5' }) } }),
    );
    expect(byAmount.price_1).toEqual({
      base_amount: { amount: '100.00' },
      discount_amount: { amount: '12.50' },
      discount_percent: null,
      amount: { amount: '87.50' },
    });
    const byPercent = product(
      await call('POST', CREATE, { body: { name: 'B', price_1: price('19.99', { percent: '15' }) } }),
    );
    // 19.99 × 0.85 = 16.9915, rounded to 2 places.
    expect(byPercent.price_1).toMatchObject({ discount_percent: '15.00', amount: { amount: '16.99' } });
    const halfUp = product(await call('POST', CREATE, { body: { name: 'C', price_1: price('10.005') } }));
    expect(halfUp.price_1.base_amount.amount).toBe('10.01');
    const asNumber = product(
      await call('POST', CREATE, { body: { name: 'D', price_1: { base_amount: { amount: 7 } } } }),
    );
    expect(asNumber.price_1.base_amount.amount).toBe('7.00');
  });

  it("fact: a quantity is kept at the group's quantity precision (0 places: 2.5 becomes 3)", async () => {
    const created = product(
      await call('POST', CREATE, { body: { name: 'Cable', quantity: { type: 'quantity', amount: 2.5 } } }),
    );
    expect(created.quantity).toEqual({ type: 'quantity', amount: 3 });
  });

  it('fact: a quantity amount is a JSON number; a string ("10") is a 400 naming quantity.amount, and nothing is written', async () => {
    const before = product(await call('GET', DESK));
    for (const [path, method] of [
      [CREATE, 'POST'],
      [DESK, 'PUT'],
    ] as const) {
      const answer = await call(method, path, {
        body: { name: 'Cable', quantity: { type: 'quantity', amount: '10' } },
      });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({
        parameter_problems: { 'quantity.amount': expect.anything() as unknown },
      });
    }
    expect(product(await call('GET', DESK))).toEqual(before);
  });

  it('fact: a product written without a quantity type gets multiple_choice', async () => {
    const created = product(await call('POST', CREATE, { body: { name: 'Option' } }));
    expect(created.quantity.type).toBe('multiple_choice');
  });

  it('fact: PUT /v1/contracts/{cid}/products/{pid} changes the given fields and keeps the others', async () => {
    const before = product(await call('GET', DESK));
    const after = product(
      await call('PUT', DESK, { body: { name: 'Sit-stand desk', quantity: { amount: 10 } } }),
    );
    expect(after).toMatchObject({ name: 'Sit-stand desk', quantity: { type: 'quantity', amount: 10 } });
    expect(after.price_1).toEqual(before.price_1);
    expect(after._private_ownerside.custom_id).toBe(before._private_ownerside.custom_id);
    expect(after._private_ownerside.created_time).toBe(before._private_ownerside.created_time);
    expect(after._private_ownerside.updated_time).not.toBe(before._private_ownerside.updated_time);
  });

  it('fact: PUT {} changes nothing (not even updated_time)', async () => {
    const before = await call('GET', DESK);
    const contractBefore = await call('GET', '/v1/contracts/101');
    const answer = await call('PUT', DESK, { body: {} });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(before.body);
    expect((await call('GET', '/v1/contracts/101')).body).toEqual(contractBefore.body);
  });

  it('fact: a product can be updated under its group (PUT …/product_groups/{pgid}/products/{pid}); under another group it is 404', async () => {
    const updated = product(
      await call('PUT', `${GROUP}/products/300001`, { body: { description: 'Oak top' } }),
    );
    expect(updated.description).toBe('Oak top');
    const wrongGroup = await call('PUT', '/v1/contracts/102/product_groups/20002/products/300001', {
      body: {},
    });
    expect(wrongGroup.status).toBe(404);
  });

  it('fact: DELETE /v1/contracts/{cid}/products/{pid} removes the product (200, empty body); it is 404 afterwards', async () => {
    const answer = await call('DELETE', DESK);
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
    expect((await call('GET', DESK)).status).toBe(404);
    expect((await call('DELETE', DESK)).status).toBe(404);
  });

  it('fact: GET /v1/contracts/{cid}/product_groups[/{pgid}] returns groups with configuration and products', async () => {
    const list = shape(PageSchema, (await call('GET', '/v1/contracts/101/product_groups')).body);
    expect(list.count).toBe(1);
    const group = OneflowProductGroupSchema.parse((await call('GET', GROUP)).body);
    expect(group).toMatchObject({ id: 20001, created_from: 9001, configuration: { price_precision: 2 } });
    expect(list.data[0]).toEqual((await call('GET', GROUP)).body);
  });
});

describe('Oneflow product validation', () => {
  it('fact: name is required on create', async () => {
    expectRefused(await call('POST', CREATE, { body: { description: 'no name' } }), 'name');
  });

  it('fact: name is 1–80 characters (counted as characters, not UTF-16 units)', async () => {
    expectRefused(await call('PUT', DESK, { body: { name: '' } }), 'name');
    expectRefused(await call('PUT', DESK, { body: { name: 'x'.repeat(81) } }), 'name');
    expect((await call('PUT', DESK, { body: { name: 'x'.repeat(80) } })).status).toBe(200);
    expect((await call('PUT', DESK, { body: { name: '🪑'.repeat(80) } })).status).toBe(200);
  });

  it('fact: description is at most 3000 characters', async () => {
    expectRefused(await call('PUT', DESK, { body: { description: 'd'.repeat(3001) } }), 'description');
    expect((await call('PUT', DESK, { body: { description: 'd'.repeat(3000) } })).status).toBe(200);
  });

  it('fact: only one of discount_percent / discount_amount may be set; the other must be null or 0', async () => {
    expectRefused(
      await call('POST', CREATE, {
        body: { name: 'X', price_1: price('100', { amount: '5', percent: '5' }) },
      }),
      'price_1.discount_amount',
      'price_1.discount_percent',
    );
    const zeroOther = await call('POST', CREATE, {
      body: { name: 'Y', price_1: price('100', { amount: '5', percent: '0' }) },
    });
    expect(product(zeroOther).price_1.amount.amount).toBe('95.00');
    // The desk has a 10 % discount: adding an amount without clearing the percent is refused.
    expectRefused(
      await call('PUT', DESK, { body: { price_1: { discount_amount: { amount: '20' } } } }),
      'price_1.discount_amount',
      'price_1.discount_percent',
    );
    const switched = await call('PUT', DESK, {
      body: { price_1: { discount_amount: { amount: '20' }, discount_percent: null } },
    });
    expect(product(switched).price_1.amount.amount).toBe('529.00');
  });

  it('fact: base_amount must exceed the discount unless the discount is 0 or base_amount is 0 (negative prices)', async () => {
    expectRefused(
      await call('POST', CREATE, { body: { name: 'X', price_1: price('100', { amount: '100' }) } }),
      'price_1.discount_amount',
    );
    expectRefused(
      await call('POST', CREATE, { body: { name: 'X', price_2: price('10', { amount: '12' }) } }),
      'price_2.discount_amount',
    );
    expectRefused(
      await call('POST', CREATE, { body: { name: 'X', price_1: price('100', { percent: '100' }) } }),
      'price_1.discount_percent',
    );
    expect(
      (await call('POST', CREATE, { body: { name: 'Free', price_1: price('0', { amount: '0' }) } })).status,
    ).toBe(200);
    const credit = product(
      await call('POST', CREATE, { body: { name: 'Credit', price_1: price('0', { amount: '25.5' }) } }),
    );
    expect(credit.price_1).toMatchObject({
      base_amount: { amount: '0.00' },
      discount_amount: { amount: '25.50' },
      amount: { amount: '-25.50' },
    });
  });

  it('fact: single_choice and multiple_choice take amount 0 or 1 only', async () => {
    for (const type of ['single_choice', 'multiple_choice']) {
      expectRefused(
        await call('POST', CREATE, { body: { name: 'X', quantity: { type, amount: 2 } } }),
        'quantity.amount',
      );
      expect(
        (await call('POST', CREATE, { body: { name: 'X', quantity: { type, amount: 0 } } })).status,
      ).toBe(200);
    }
  });

  it('fact: only one single_choice product per group may have amount 1', async () => {
    // Contract 102: 300013 (single_choice, 1) and 300014 (single_choice, 0).
    expectRefused(
      await call('PUT', '/v1/contracts/102/products/300014', { body: { quantity: { amount: 1 } } }),
      'quantity.amount',
    );
    const moved = await call('PUT', '/v1/contracts/102/product_groups/20002', {
      body: {
        products: [
          { id: 300011 },
          { id: 300012 },
          { id: 300013, quantity: { amount: 0 } },
          { id: 300014, quantity: { amount: 1 } },
        ],
      },
    });
    expect(moved.status).toBe(200);
  });

  it('fact: a contract holds at most 150 products', async () => {
    const products = Array.from({ length: 150 }, (_, index) => ({ name: `P${index}` }));
    const full = await call('PUT', GROUP, { body: { products } });
    expect(full.status).toBe(200);
    expectRefused(await call('POST', CREATE, { body: { name: 'One too many' } }), 'products');
    expectRefused(
      await call('PUT', GROUP, { body: { products: [...products, { name: 'P150' }] } }),
      'products',
    );
  });

  it('fact: _private_ownerside.custom_id is unique within a contract (and reported under the field used)', async () => {
    const taken = '2c3d0000-0000-4000-8000-000000000001';
    expectRefused(
      await call('POST', CREATE, { body: { name: 'X', _private_ownerside: { custom_id: taken } } }),
      '_private_ownerside.custom_id',
    );
    expectRefused(await call('POST', CREATE, { body: { name: 'X', custom_id: taken } }), 'custom_id');
    // Another contract may use the same custom_id.
    const elsewhere = await call('POST', '/v1/contracts/102/product_groups/20002/products', {
      body: { name: 'X', custom_id: taken },
    });
    expect(elsewhere.status).toBe(200);
  });

  it('fact: amounts must be decimal numbers (400 naming the amount)', async () => {
    expectRefused(
      await call('POST', CREATE, { body: { name: 'X', price_1: { base_amount: { amount: 'ten' } } } }),
      'price_1.base_amount.amount',
    );
  });
});

describe('Oneflow bulk replace of product groups', () => {
  it('fact: PUT …/product_groups/{pgid} updates products with an id, creates those without, deletes those left out', async () => {
    const answer = await call('PUT', GROUP, {
      body: {
        products: [
          { id: 300002, name: 'Installation (2 days)' },
          { name: 'Delivery', price_1: price('150') },
          { id: 300001 },
        ],
      },
    });
    expect(answer.status).toBe(200);
    const group = OneflowProductGroupSchema.parse(answer.body);
    expect(group.products.map(({ id, name }) => [id, name])).toEqual([
      [300002, 'Installation (2 days)'],
      [expect.any(Number), 'Delivery'],
      [300001, 'Standing desk'],
    ]);
    expect((await call('GET', '/v1/contracts/101/products/300003')).status).toBe(404);
  });

  it('fact: a bulk replace replaces the configuration; amounts follow the new price precision', async () => {
    const answer = await call('PUT', GROUP, {
      body: { configuration: { price_precision: 3, quantity_precision: 1, counterpart_edit: false } },
    });
    const group = OneflowProductGroupSchema.parse(answer.body);
    expect(group.configuration).toEqual({
      price_precision: 3,
      quantity_precision: 1,
      counterpart_edit: false,
    });
    expect(group.products[0]?.price_1?.amount?.amount).toBe('494.100');
    expect(group.products).toHaveLength(3);
  });

  it('fact: a bulk replace with one bad product changes nothing and names the bad row', async () => {
    const before = await call('GET', GROUP);
    const answer = await call('PUT', GROUP, {
      body: { products: [{ id: 300001, name: 'Kept?' }, { name: 'y'.repeat(81) }, { id: 424242 }] },
    });
    expectRefused(answer, 'products[1].name', 'products[2].id');
    expect((await call('GET', GROUP)).body).toEqual(before.body);
  });

  it('fact: PUT /v1/contracts/{cid}/product_groups replaces several groups in one call', async () => {
    const answer = await call('PUT', '/v1/contracts/101/product_groups', {
      body: { product_groups: [{ id: 20001, products: [{ id: 300003, quantity: { amount: 0 } }] }] },
    });
    expect(answer.status).toBe(200);
    const page = shape(PageSchema, answer.body);
    const group = OneflowProductGroupSchema.parse(page.data[0]);
    expect(group.products.map(({ id }) => id)).toEqual([300003]);
    const unknownGroup = await call('PUT', '/v1/contracts/101/product_groups', {
      body: { product_groups: [{ id: 1, products: [] }] },
    });
    expectRefused(unknownGroup, 'product_groups[0].id');
  });

  it('fact: product lists page at 100 by default; count is the total', async () => {
    const products = Array.from({ length: 120 }, (_, index) => ({ name: `P${index}` }));
    await call('PUT', GROUP, { body: { products } });
    const first = shape(PageSchema, (await call('GET', '/v1/contracts/101/products')).body);
    expect(first.count).toBe(120);
    expect(first.data).toHaveLength(100);
    expect(first._links.next?.href).toMatch(/limit=100&offset=100$/);
    const rest = shape(PageSchema, (await call('GET', '/v1/contracts/101/products?offset=100')).body);
    expect(rest.data).toHaveLength(20);
  });
});
