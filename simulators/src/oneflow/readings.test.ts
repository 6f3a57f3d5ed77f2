import { z } from 'zod';
import { asRichText, KIND_READINGS, readingsFromEnvironment, UNKIND_READINGS } from './readings';
import { shape, useOneflowSimulator, WebhookReceiver, type Answer, type Call } from './testSupport';

/**
 * The facts Oneflow's sources leave open, one reading switch each: the kind reading is the default, the unkind
 * one is what a client must survive. Contract 101 (group 20001): 300001 desk 549.00 −10 % × 12 (custom_id
 * …-01), 300002 installation 1200 − 200 × 1, 300003 warranty, a multiple choice without custom_id.
 */
const CONTRACT = '/v1/contracts/101';
const DESK = `${CONTRACT}/products/300001`;
const GROUP = `${CONTRACT}/product_groups/20001`;
const DESK_LINE = '2c3d0000-0000-4000-8000-000000000001';

const Product = z.object({
  id: z.number(),
  name: z.string(),
  description: z.string().nullable(),
  counterparty_lock: z.boolean(),
  _private_ownerside: z.record(z.string(), z.unknown()),
  price_1: z.object({
    base_amount: z.object({ amount: z.string() }),
    discount_amount: z.object({ amount: z.string().nullable() }),
    discount_percent: z.string().nullable(),
    amount: z.object({ amount: z.string() }),
  }),
  quantity: z.object({ type: z.string(), amount: z.number() }),
});
const Group = z.object({ products: z.array(Product) });
const Contract = z.object({ updated_time: z.string(), product_groups: z.array(Group) });

let now = new Date('2026-03-02T10:00:00Z');
const tick = (): void => {
  now = new Date(now.getTime() + 5000);
};
const { call, simulator } = useOneflowSimulator({ clock: () => now });

const ok = (answer: Answer): unknown => {
  expect(answer.status).toBe(200);
  return answer.body;
};
const productOf = (answer: Answer) => shape(Product, ok(answer));
const read = async (path = DESK) => productOf(await call('GET', path));
const setReadings = async (readings: unknown, using: Call = call) =>
  ok(await using('PUT', '/_sim/readings', { body: readings }));

describe('partial nested updates (price_N, quantity)', () => {
  it('kind reading: the fields of price_1 and quantity a write leaves out keep their values', async () => {
    await call('PUT', DESK, { body: { price_1: { discount_percent: '5' } } });
    await call('PUT', DESK, { body: { quantity: { amount: 3 } } });
    const desk = await read();
    expect(desk.price_1).toMatchObject({ base_amount: { amount: '549.00' }, discount_percent: '5.00' });
    expect(desk.quantity).toEqual({ type: 'quantity', amount: 3 });
  });

  it('unkind reading: they are reset, the price to empty and the quantity type to multiple_choice', async () => {
    await setReadings({ partialNestedUpdate: 'reset_rest' });
    const discounted = productOf(await call('PUT', DESK, { body: { price_1: { discount_percent: '5' } } }));
    expect(discounted.price_1).toEqual({
      base_amount: { amount: '0.00' },
      discount_amount: { amount: null },
      discount_percent: '5.00',
      amount: { amount: '0.00' },
    });
    // A quantity sent without its type is a multiple choice now: 3 is refused, 1 is taken as a ticked box.
    const refused = await call('PUT', DESK, { body: { quantity: { amount: 3 } } });
    expect(refused.status).toBe(400);
    expect(Object.keys((refused.body as { parameter_problems: object }).parameter_problems)).toEqual([
      'quantity.amount',
    ]);
    expect((await read()).quantity).toEqual({ type: 'quantity', amount: 12 });
    expect(productOf(await call('PUT', DESK, { body: { quantity: { amount: 1 } } })).quantity).toEqual({
      type: 'multiple_choice',
      amount: 1,
    });
  });

  it('unkind reading: whole objects are written exactly, and top-level fields left out still stay', async () => {
    await setReadings({ partialNestedUpdate: 'reset_rest' });
    const whole = {
      price_1: { base_amount: { amount: '600' }, discount_amount: { amount: '25' }, discount_percent: null },
      quantity: { type: 'quantity', amount: 4 },
    };
    const desk = productOf(await call('PUT', DESK, { body: whole }));
    expect(desk).toMatchObject({
      name: 'Standing desk',
      description: 'Electric, 160 x 80 cm',
      price_1: {
        base_amount: { amount: '600.00' },
        discount_amount: { amount: '25.00' },
        amount: { amount: '575.00' },
      },
      quantity: { type: 'quantity', amount: 4 },
    });
  });
});

describe('product group configuration in answers', () => {
  const groupsOf = async (): Promise<Record<string, unknown>[]> => [
    shape(z.record(z.string(), z.unknown()), ok(await call('GET', GROUP))),
    ...shape(
      z.object({ product_groups: z.array(z.record(z.string(), z.unknown())) }),
      ok(await call('GET', CONTRACT)),
    ).product_groups,
  ];

  it('kind reading: every group in an answer carries its configuration (precisions, columns)', async () => {
    for (const group of await groupsOf()) {
      expect(group.configuration).toMatchObject({ price_precision: 2, quantity_precision: 0 });
    }
  });

  it('unkind reading: no group in an answer carries it, yet it still rules the stored values and /_sim shows it', async () => {
    await setReadings({ groupConfigurationInAnswers: false });
    for (const group of await groupsOf()) expect(Object.hasOwn(group, 'configuration')).toBe(false);
    // Still at the group's quantity precision (0 places): 2.5 is kept as 3.
    const updated = productOf(
      await call('PUT', DESK, { body: { quantity: { type: 'quantity', amount: 2.5 } } }),
    );
    expect(updated.quantity.amount).toBe(3);
    const stored = shape(
      z.object({ product_groups: z.array(z.object({ configuration: z.unknown() })) }),
      ok(await call('GET', '/_sim/contracts/101')),
    );
    expect(stored.product_groups[0]?.configuration).toMatchObject({ quantity_precision: 0 });
  });
});

describe('custom_id in answers', () => {
  const hasCustomId = (product: { _private_ownerside: Record<string, unknown> }) =>
    Object.hasOwn(product._private_ownerside, 'custom_id');

  it('kind reading: every answer carries custom_id under _private_ownerside', async () => {
    expect((await read())._private_ownerside.custom_id).toBe(DESK_LINE);
  });

  it('unkind reading: no answer carries it, yet it is stored, kept unique and shown by /_sim/contracts/{id}', async () => {
    await setReadings({ customIdInAnswers: false });
    const created = productOf(
      await call('POST', `${GROUP}/products`, { body: { name: 'Chair', custom_id: 'line-9' } }),
    );
    const answers = [
      created,
      await read(),
      ...shape(z.object({ data: z.array(Product) }), ok(await call('GET', `${CONTRACT}/products`))).data,
      ...shape(Group, ok(await call('GET', GROUP))).products,
      ...shape(Contract, ok(await call('GET', CONTRACT))).product_groups.flatMap((group) => group.products),
      productOf(await call('PUT', DESK, { body: { name: 'Sit-stand desk' } })),
    ];
    expect(answers.filter(hasCustomId)).toEqual([]);
    const duplicate = await call('POST', `${GROUP}/products`, {
      body: { name: 'Again', custom_id: 'line-9' },
    });
    expect(duplicate.status).toBe(400);
    const stored = shape(Contract, ok(await call('GET', '/_sim/contracts/101'))).product_groups[0]?.products;
    expect(stored?.find((product) => product.id === created.id)?._private_ownerside.custom_id).toBe('line-9');
  });
});

describe('bulk group write: a row with an id', () => {
  const idsOnly = async () =>
    shape(Group, ok(await call('GET', GROUP))).products.map((product) => ({ id: product.id }));

  it('kind reading: rows of {id} alone keep their products as they were', async () => {
    const before = shape(Group, ok(await call('GET', GROUP)));
    const after = shape(Group, ok(await call('PUT', GROUP, { body: { products: await idsOnly() } })));
    expect(after).toEqual(before);
  });

  it('unkind reading: a row is the whole product, so {id} alone blanks it (all but its name)', async () => {
    await setReadings({ bulkRowWithId: 'replace' });
    const after = shape(Group, ok(await call('PUT', GROUP, { body: { products: await idsOnly() } })));
    expect(after.products[0]).toMatchObject({
      id: 300001,
      name: 'Standing desk',
      description: null,
      price_1: { base_amount: { amount: '0.00' }, discount_percent: null, amount: { amount: '0.00' } },
      quantity: { type: 'multiple_choice', amount: 0 },
    });
    expect(after.products[0]?._private_ownerside.custom_id).toBeNull();
  });

  it('unkind reading: a row sent whole keeps everything it sends', async () => {
    await setReadings({ bulkRowWithId: 'replace' });
    const before = shape(Group, ok(await call('GET', GROUP)));
    const after = shape(Group, ok(await call('PUT', GROUP, { body: { products: before.products } })));
    expect(after).toEqual(before);
  });
});

describe("the contract's updated_time on product writes", () => {
  it('kind reading: a product write moves it', async () => {
    const before = shape(Contract, ok(await call('GET', CONTRACT))).updated_time;
    tick();
    await call('PUT', DESK, { body: { name: 'Sit-stand desk' } });
    expect(shape(Contract, ok(await call('GET', CONTRACT))).updated_time).not.toBe(before);
  });

  it("unkind reading: it stays, while the product's own updated_time moves", async () => {
    await setReadings({ productEditMovesContractTime: false });
    const before = shape(Contract, ok(await call('GET', CONTRACT)));
    const deskBefore = await read();
    tick();
    await call('PUT', DESK, { body: { name: 'Sit-stand desk' } });
    await call('POST', `${GROUP}/products`, { body: { name: 'Chair' } });
    await call('DELETE', `${CONTRACT}/products/300002`);
    const after = shape(Contract, ok(await call('GET', CONTRACT)));
    expect(after.updated_time).toBe(before.updated_time);
    expect((await read())._private_ownerside.updated_time).not.toBe(
      deskBefore._private_ownerside.updated_time,
    );
  });
});

describe('descriptions (rich text)', () => {
  const typed = 'Blue & white <matte>\n\n  Café  finish ';

  it('kind reading: a description comes back exactly as sent', async () => {
    expect(productOf(await call('PUT', DESK, { body: { description: typed } })).description).toBe(typed);
  });

  it('unkind reading: it comes back as a rich-text editor stores it: paragraphs, entities, whitespace changed', async () => {
    await setReadings({ description: 'rich_text' });
    const rewritten = '<p>Blue &amp; white &lt;matte&gt;</p><p>Caf&eacute; finish</p>';
    expect(productOf(await call('PUT', DESK, { body: { description: typed } })).description).toBe(rewritten);
    expect(
      productOf(await call('POST', `${GROUP}/products`, { body: { name: 'Chair', description: 'Oak' } }))
        .description,
    ).toBe('<p>Oak</p>');
  });

  it('unkind reading: sending the text again, plain or as given back, changes nothing and fires no webhook', async () => {
    await setReadings({ description: 'rich_text' });
    const receiver = await new WebhookReceiver().start();
    try {
      await call('POST', '/v1/webhooks', { body: { callback_url: receiver.url, sign_key: 'k' } });
      const first = productOf(await call('PUT', DESK, { body: { description: typed } }));
      const notified = simulator.webhooks.deliveries.length;
      expect(notified).toBe(1);
      tick();
      for (const description of [typed, first.description]) {
        const again = productOf(await call('PUT', DESK, { body: { description } }));
        expect(again.description).toBe(first.description);
        expect(again._private_ownerside.updated_time).toBe(first._private_ownerside.updated_time);
      }
      expect(simulator.webhooks.deliveries).toHaveLength(notified);
    } finally {
      await receiver.close();
    }
  });

  it('the rewrite keeps rich text as it is and turns each typed line into one paragraph', () => {
    expect(asRichText('<p>Already <b>rich</b></p>')).toBe('<p>Already <b>rich</b></p>');
    expect(asRichText(' one \r\ntwo\n\n')).toBe('<p>one</p><p>two</p>');
    expect(asRichText('  ')).toBe('');
  });
});

describe('the readings control', () => {
  it('GET /_sim/readings shows the kind readings by default; PUT changes the fields given, "unkind" all of them', async () => {
    expect(ok(await call('GET', '/_sim/readings'))).toEqual(KIND_READINGS);
    expect(await setReadings({ customIdInAnswers: false })).toEqual({
      ...KIND_READINGS,
      customIdInAnswers: false,
    });
    expect(await setReadings('unkind')).toEqual(UNKIND_READINGS);
    expect(await setReadings({ description: 'as_sent' })).toEqual({
      ...UNKIND_READINGS,
      description: 'as_sent',
    });
    expect(await setReadings('kind')).toEqual(KIND_READINGS);
  });

  it('a bad reading is a 400 naming it, and nothing changes', async () => {
    const cases: [unknown, string][] = [
      [{ description: 'markdown' }, 'description'],
      [{ partialNestedUpdate: true }, 'partialNestedUpdate'],
      [{ colour: 'red' }, 'colour'],
      ['nasty', 'readings'],
    ];
    for (const [body, field] of cases) {
      const answer = await call('PUT', '/_sim/readings', { body });
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({
        error: 'invalid readings',
        problems: [expect.stringMatching(`^${field}: `)],
      });
    }
    expect(ok(await call('GET', '/_sim/readings'))).toEqual(KIND_READINGS);
  });

  it('reset comes back to the readings the simulator started with', async () => {
    await setReadings('unkind');
    await call('POST', '/_sim/reset');
    expect(ok(await call('GET', '/_sim/readings'))).toEqual(KIND_READINGS);
  });
});

describe('readings given at start', () => {
  const started = useOneflowSimulator({ readings: 'unkind' });

  it('the simulator starts with them, and reset keeps them', async () => {
    expect(ok(await started.call('GET', '/_sim/readings'))).toEqual(UNKIND_READINGS);
    await setReadings('kind', started.call);
    await started.call('POST', '/_sim/reset');
    expect(ok(await started.call('GET', '/_sim/readings'))).toEqual(UNKIND_READINGS);
    const desk = productOf(await started.call('GET', DESK));
    expect(Object.hasOwn(desk._private_ownerside, 'custom_id')).toBe(false);
  });
});

describe('SIM_ONEFLOW_READINGS', () => {
  it('unset or empty is kind; kind, unkind and a JSON object of single readings are taken', () => {
    expect(readingsFromEnvironment(undefined)).toEqual(KIND_READINGS);
    expect(readingsFromEnvironment(' ')).toEqual(KIND_READINGS);
    expect(readingsFromEnvironment('unkind')).toEqual(UNKIND_READINGS);
    expect(readingsFromEnvironment(' kind ')).toEqual(KIND_READINGS);
    expect(readingsFromEnvironment('{"customIdInAnswers":false}')).toEqual({
      ...KIND_READINGS,
      customIdInAnswers: false,
    });
  });

  it('a bad value names the variable (and the reading)', () => {
    expect(() => readingsFromEnvironment('nasty')).toThrow(/^SIM_ONEFLOW_READINGS: readings: /);
    expect(() => readingsFromEnvironment('{"description":"markdown"}')).toThrow(
      /^SIM_ONEFLOW_READINGS: description: /,
    );
    expect(() => readingsFromEnvironment('{"description":')).toThrow(
      'SIM_ONEFLOW_READINGS is not valid JSON',
    );
  });
});
