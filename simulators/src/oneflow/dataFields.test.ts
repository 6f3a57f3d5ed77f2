import { z } from 'zod';
import {
  OneflowErrorSchema,
  PUBLISH,
  shape,
  until,
  useOneflowSimulator,
  USER_EMAIL,
  WebhookReceiver,
} from './testSupport';

const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/;

/** The connector's `Datafield` answer. */
const DataFieldSchema = z.strictObject({
  id: z.number().int(),
  name: z.string(),
  description: z.string(),
  placeholder: z.string(),
  value: z.string(),
  _private_ownerside: z.strictObject({
    custom_id: z.string(),
    created_time: z.string().regex(TIME),
    updated_time: z.string().regex(TIME),
  }),
});
type DataField = z.output<typeof DataFieldSchema>;

const ContractFieldsSchema = z.object({ updated_time: z.string(), data_fields: z.array(DataFieldSchema) });

/** The simulator's clock: tests move it to see times change. */
let now = new Date('2025-03-01T10:00:00Z');
const { call } = useOneflowSimulator({ clock: () => now });
const receiver = new WebhookReceiver();

beforeAll(async () => {
  await receiver.start();
});
afterAll(async () => {
  await receiver.close();
});
beforeEach(() => {
  receiver.clear();
});

const asUser = { 'x-oneflow-user-email': USER_EMAIL };
const put = (path: string, body: unknown) =>
  call('PUT', `/v1/contracts/101/${path}`, { body, headers: asUser });
const contract101 = async () => shape(ContractFieldsSchema, (await call('GET', '/v1/contracts/101')).body);
const field = (fields: DataField[], customId: string): DataField | undefined =>
  fields.find((candidate) => candidate._private_ownerside.custom_id === customId);

describe('Oneflow contract data fields', () => {
  it("fact: a contract has its template type's data fields (name, description, placeholder, value, custom_id), valued from the fixture or the type", async () => {
    const { data_fields: fields } = await contract101();
    expect(fields.map(({ _private_ownerside, value }) => [_private_ownerside.custom_id, value])).toEqual([
      ['dynamics_entity', 'opportunity'],
      ['dynamics_record_id', 'dec0a001-0000-4000-8000-000000000001'],
      ['payment_terms', '30 days net'],
    ]);
    expect(field(fields, 'payment_terms')).toMatchObject({
      name: 'Payment terms',
      placeholder: 'e.g. 30 days net',
    });
  });

  it('fact: PUT /v1/contracts/{id}/data_fields/c::{custom_id} sets one value and answers the data field; the contract shows it', async () => {
    const answer = await put('data_fields/c::payment_terms', { value: '60 days net' });
    expect(answer.status).toBe(200);
    const updated = shape(DataFieldSchema, answer.body);
    expect(updated).toMatchObject({ name: 'Payment terms', value: '60 days net' });
    expect(field((await contract101()).data_fields, 'payment_terms')?.value).toBe('60 days net');
  });

  it('fact: the path may name the field by its id too; an unknown id or custom_id, or another form, is a 404', async () => {
    const { data_fields: fields } = await contract101();
    const terms = field(fields, 'payment_terms');
    const byId = await put(`data_fields/${String(terms?.id)}`, { value: 'Prepaid' });
    expect(shape(DataFieldSchema, byId.body)).toMatchObject({ id: terms?.id, value: 'Prepaid' });
    for (const path of ['data_fields/c::nothing', 'data_fields/99999', 'data_fields/payment_terms']) {
      const missing = await put(path, { value: 'x' });
      expect(missing.status).toBe(404);
      expect(shape(OneflowErrorSchema, missing.body).error_code).toBe(4040000);
    }
  });

  it('fact: no value leaves the field as it is; null or "" empties it to ""', async () => {
    const kept = shape(DataFieldSchema, (await put('data_fields/c::payment_terms', {})).body);
    expect(kept.value).toBe('30 days net');
    for (const value of [null, '']) {
      await put('data_fields/c::payment_terms', { value: 'something' });
      const emptied = shape(DataFieldSchema, (await put('data_fields/c::payment_terms', { value })).body);
      expect(emptied.value).toBe('');
    }
  });

  it('fact: a body whose id or _private_ownerside.custom_id names another field than the path is a 400 naming the key, and nothing changes', async () => {
    const { data_fields: fields } = await contract101();
    const otherId = field(fields, 'dynamics_entity')?.id;
    const wrongId = await put('data_fields/c::payment_terms', { id: otherId, value: 'x' });
    expect(wrongId.status).toBe(400);
    expect(Object.keys(shape(OneflowErrorSchema, wrongId.body).parameter_problems)).toEqual(['id']);
    const wrongCustomId = await put('data_fields/c::payment_terms', {
      _private_ownerside: { custom_id: 'dynamics_entity' },
      value: 'x',
    });
    expect(Object.keys(shape(OneflowErrorSchema, wrongCustomId.body).parameter_problems)).toEqual([
      '_private_ownerside.custom_id',
    ]);
    expect(field((await contract101()).data_fields, 'payment_terms')?.value).toBe('30 days net');
    const matching = await put('data_fields/c::payment_terms', {
      _private_ownerside: { custom_id: 'payment_terms' },
      value: 'Matching',
    });
    expect(matching.status).toBe(200);
  });

  it('fact: a value is text of at most 1024 characters; longer or not text is a 400 naming value', async () => {
    for (const value of ['x'.repeat(1025), 42]) {
      const answer = await put('data_fields/c::payment_terms', { value });
      expect(answer.status).toBe(400);
      expect(Object.keys(shape(OneflowErrorSchema, answer.body).parameter_problems)).toEqual(['value']);
    }
    expect((await put('data_fields/c::payment_terms', { value: 'x'.repeat(1024) })).status).toBe(200);
  });

  it("fact: a data field with source=system (an integration extension's) answers 200 to an update and keeps its value", async () => {
    const answer = await put('data_fields/c::dynamics_entity', { value: 'quote' });
    expect(answer.status).toBe(200);
    expect(shape(DataFieldSchema, answer.body).value).toBe('opportunity');
    expect(field((await contract101()).data_fields, 'dynamics_entity')?.value).toBe('opportunity');
  });

  it('fact: PUT /v1/contracts/{id}/data_fields updates several fields named by id or custom_id, and answers every field of the contract', async () => {
    const created = await call('POST', '/v1/contracts/create', {
      body: { workspace_id: 130406, template_id: 756520 },
      headers: asUser,
    });
    const contractId = shape(z.object({ id: z.number() }), created.body).id;
    const fields = shape(ContractFieldsSchema, created.body).data_fields;
    const reference = field(fields, 'counterparty_reference');
    const answer = await call('PUT', `/v1/contracts/${String(contractId)}/data_fields`, {
      body: { data_fields: [{ id: reference?.id, value: 'PO-7781' }] },
      headers: asUser,
    });
    expect(answer.status).toBe(200);
    const all = shape(z.object({ data_fields: z.array(DataFieldSchema) }), answer.body).data_fields;
    expect(all.map(({ _private_ownerside, value }) => [_private_ownerside.custom_id, value])).toEqual([
      ['counterparty_reference', 'PO-7781'],
    ]);

    const both = await put('data_fields', {
      data_fields: [
        { _private_ownerside: { custom_id: 'payment_terms' }, value: 'Prepaid' },
        { _private_ownerside: { custom_id: 'dynamics_record_id' } },
      ],
    });
    expect(both.status).toBe(200);
    expect(field((await contract101()).data_fields, 'payment_terms')?.value).toBe('Prepaid');
  });

  it('fact: in the list, an item naming no field, an unknown one, or one twice refuses the whole list (400 naming each item) and nothing changes', async () => {
    const answer = await put('data_fields', {
      data_fields: [
        { _private_ownerside: { custom_id: 'payment_terms' }, value: 'Changed' },
        { value: 'no field named' },
        { id: 99999, value: 'x' },
        { _private_ownerside: { custom_id: 'nothing' }, value: 'x' },
        { _private_ownerside: { custom_id: 'payment_terms' }, value: 'Twice' },
      ],
    });
    expect(answer.status).toBe(400);
    expect(Object.keys(shape(OneflowErrorSchema, answer.body).parameter_problems).sort()).toEqual([
      'data_fields[1]',
      'data_fields[2].id',
      'data_fields[3]._private_ownerside.custom_id',
      'data_fields[4]',
    ]);
    expect(field((await contract101()).data_fields, 'payment_terms')?.value).toBe('30 days net');
    const empty = await put('data_fields', { data_fields: [] });
    expect(Object.keys(shape(OneflowErrorSchema, empty.body).parameter_problems)).toEqual(['data_fields']);
  });

  it("fact: a changed value moves the field's and the contract's updated_time and fires data_field:update; an unchanged one does neither", async () => {
    await call('POST', '/v1/webhooks', { body: { callback_url: receiver.url, sign_key: 'k' } });
    const before = await contract101();
    await put('data_fields/c::payment_terms', { value: '30 days net' });
    expect((await contract101()).updated_time).toBe(before.updated_time);
    const deliveries = await call('GET', '/_sim/webhooks/deliveries');
    expect(deliveries.body).toMatchObject({ total: 0 });
    now = new Date(now.getTime() + 60_000);
    const changed = shape(
      DataFieldSchema,
      (await put('data_fields/c::payment_terms', { value: 'Prepaid' })).body,
    );
    expect(changed._private_ownerside).toMatchObject({
      created_time: '2025-01-15T09:30:00+0000',
      updated_time: '2025-03-01T10:01:00+0000',
    });
    expect((await contract101()).updated_time).toBe(changed._private_ownerside.updated_time);
    const received = await until(() => receiver.calls[0]);
    expect(received.payload.events.map(({ type }) => type)).toEqual(['data_field:update']);
    expect(receiver.calls).toHaveLength(1);
  });

  it('fact: a signed contract refuses data field updates (409), one or many', async () => {
    await call('POST', '/v1/contracts/101/publish', { body: PUBLISH });
    await call('POST', '/_sim/contracts/101/sign');
    for (const answer of [
      await put('data_fields/c::payment_terms', { value: 'x' }),
      await put('data_fields', {
        data_fields: [{ _private_ownerside: { custom_id: 'payment_terms' }, value: 'x' }],
      }),
    ]) {
      expect(answer.status).toBe(409);
      expect(shape(OneflowErrorSchema, answer.body).status).toBe(409);
    }
  });

  it('fact: GET /v1/contracts/{id}/data_fields is not an operation of the definition or the developer pages: 404', async () => {
    const answer = await call('GET', '/v1/contracts/101/data_fields');
    expect(answer.status).toBe(404);
  });
});
