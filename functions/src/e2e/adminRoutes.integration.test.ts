import { z } from 'zod';
import { EntitySettingsSchema, LinkSchema, type EntitySettings, type Link } from '@oneflow-sync/shared';
import { FIXTURE, startStack, type ApiAnswer, type Stack } from '../testing/stack';
import {
  createContract,
  errorOf,
  expectError,
  fieldsOf,
  oneflowProducts,
  parseCsv,
  seedDataverseFixture,
  shippedDefaults,
  writeCounts,
} from './securitySupport';

/**
 * The settings page's routes (settings with etags, metadata) and the link repair routes, end to end: the backend
 * mounted by the local runner, the simulators and Azurite as their own processes. Settings are in our tables
 * only, so "nothing written" is checked there (and that Dynamics saw no write).
 */

let stack: Stack;
let alex: string;
let sam: string;

beforeAll(async () => {
  stack = await startStack();
  [alex, sam] = await Promise.all([stack.token('alex'), stack.token('sam')]);
}, 60_000);

afterAll(async () => {
  await stack.close();
});

const SettingsAnswer = z.object({
  settings: EntitySettingsSchema,
  etag: z.string().nullable(),
  isDefault: z.boolean(),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
});

function settingsOf(answer: ApiAnswer): z.infer<typeof SettingsAnswer> {
  expect({ status: answer.status, error: (answer.body as { error?: unknown } | null)?.error }).toEqual({
    status: 200,
    error: undefined,
  });
  return SettingsAnswer.parse(answer.body);
}

const putSettings = (body: unknown, ifMatch?: string, token = sam) =>
  stack.api('PUT', 'settings/opportunity', {
    token,
    body,
    ...(ifMatch === undefined ? {} : { headers: { 'if-match': ifMatch } }),
  });

const stored = () => stack.services.store.settings.get(FIXTURE.contoso, 'opportunity');

/** The shipped opportunity settings with one mapping's direction changed. */
function withDirection(dynamicsField: string, direction: EntitySettings['mappings'][number]['direction']) {
  const settings = shippedDefaults('opportunity');
  return {
    ...settings,
    mappings: settings.mappings.map((mapping) =>
      mapping.dynamicsField === dynamicsField ? { ...mapping, direction } : mapping,
    ),
  };
}

describe('settings', () => {
  beforeEach(async () => {
    const current = await stored();
    if (current) await stack.services.store.settings.delete(FIXTURE.contoso, 'opportunity', current.etag);
  });

  it('GET of an entity nobody configured answers the shipped defaults, etag null and isDefault', async () => {
    const answer = await stack.api('GET', 'settings/opportunity', { token: alex });
    expect(settingsOf(answer)).toEqual({
      settings: shippedDefaults('opportunity'),
      etag: null,
      isDefault: true,
      updatedAt: null,
      updatedBy: null,
    });
    expect(answer.headers.etag).toBeUndefined();
    // The default product source is one Dynamics really offers for the entity.
    const sources = z
      .object({ sources: z.array(z.object({ entity: z.string(), relationship: z.string() }).loose()) })
      .parse((await stack.api('GET', 'metadata/product-sources?entity=opportunity', { token: alex })).body);
    expect(sources.sources[0]).toMatchObject(shippedDefaults('opportunity').productSource);
  });

  it('GET of an entity without shipped defaults and no settings is 404', async () => {
    const answer = await stack.api('GET', 'settings/new_contractline', { token: alex });
    expect(errorOf(answer, 404).code).toBe('not_found');
  });

  it('PUT without If-Match creates the settings, answers their ETag, and GET reads them back', async () => {
    const body = withDirection('description', 'sync_once');
    const answer = await putSettings(body);
    const saved = settingsOf(answer);
    expect(saved).toMatchObject({ settings: body, isDefault: false, updatedBy: 'Sam Admin' });
    expect(saved.etag).toEqual(expect.any(String));
    expect(answer.headers.etag).toBe(saved.etag);
    expect(await stored()).toMatchObject({ settings: body, etag: saved.etag });
    const read = await stack.api('GET', 'settings/opportunity', { token: alex });
    expect(settingsOf(read)).toEqual(saved);
    expect(read.headers.etag).toBe(saved.etag);
  });

  it('412: a second PUT without If-Match does not overwrite settings that exist', async () => {
    const first = withDirection('description', 'sync_once');
    settingsOf(await putSettings(first));
    const before = await stored();
    const second = await putSettings(withDirection('quantity', 'dynamics_to_oneflow'));
    expect(errorOf(second, 412).code).toBe('precondition_failed');
    expect(await stored()).toEqual(before);
  });

  it('412: two admins edit from the same etag; the first save wins, the second is refused and changes nothing', async () => {
    const otherAdmin = await stack.token('alex', { roles: [stack.services.config.auth.adminRole] });
    const created = settingsOf(await putSettings(shippedDefaults('opportunity')));
    const readBySam = settingsOf(await stack.api('GET', 'settings/opportunity', { token: sam }));
    const readByAlex = settingsOf(await stack.api('GET', 'settings/opportunity', { token: otherAdmin }));
    expect(readBySam.etag).toBe(created.etag);
    expect(readByAlex.etag).toBe(created.etag);

    const samsEdit = withDirection('description', 'sync_once');
    const alexsEdit = withDirection('quantity', 'dynamics_to_oneflow');
    const first = settingsOf(await putSettings(samsEdit, readBySam.etag ?? ''));
    const second = await putSettings(alexsEdit, readByAlex.etag ?? '', otherAdmin);
    expectError(second, 412, 'precondition_failed', /reload/i);
    expect(await stored()).toMatchObject({ settings: samsEdit, etag: first.etag, updatedBy: 'Sam Admin' });
  });

  it('412: two saves sent at the same moment from the same etag: exactly one wins, and the stored settings are its', async () => {
    const created = settingsOf(await putSettings(shippedDefaults('opportunity')));
    const edits = [
      withDirection('description', 'sync_once'),
      withDirection('quantity', 'dynamics_to_oneflow'),
    ];
    const answers = await Promise.all(edits.map((edit) => putSettings(edit, created.etag ?? '')));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 412]);
    const winner = edits[answers.findIndex((answer) => answer.status === 200)];
    expect(await stored()).toMatchObject({ settings: winner });
  });

  it('412: an If-Match that is no etag of ours is refused like a stale one, and changes nothing', async () => {
    settingsOf(await putSettings(shippedDefaults('opportunity'), '*'));
    const before = await stored();
    const answer = await putSettings(withDirection('description', 'sync_once'), '"not-an-etag"');
    expect(errorOf(answer, 412).code).toBe('precondition_failed');
    expect(await stored()).toEqual(before);
  });

  it('PUT with the current If-Match saves and answers a new ETag', async () => {
    const created = settingsOf(await putSettings(shippedDefaults('opportunity')));
    const edit = withDirection('description', 'sync_once');
    const answer = await putSettings(edit, created.etag ?? '');
    const saved = settingsOf(answer);
    expect(saved.settings).toEqual(edit);
    expect(answer.headers.etag).toBe(saved.etag);
    expect(saved.etag).not.toBe(created.etag);
    expect((await stored())?.etag).toBe(saved.etag);
    // The old etag is stale now.
    expect(errorOf(await putSettings(shippedDefaults('opportunity'), created.etag ?? ''), 412).code).toBe(
      'precondition_failed',
    );
  });

  it('reset puts the mappings back to the defaults, keeping the products toggle and the product source', async () => {
    const edited = {
      ...withDirection('description', 'sync_once'),
      productsEnabled: false,
      mappings: withDirection('description', 'sync_once').mappings.filter(
        (mapping) => mapping.dynamicsField !== 'manualdiscountamount',
      ),
    };
    const saved = settingsOf(await putSettings(edited));
    const answer = await stack.api('POST', 'settings/opportunity/reset', {
      token: sam,
      headers: { 'if-match': saved.etag ?? '' },
    });
    const reset = settingsOf(answer);
    expect(reset.settings).toEqual({ ...shippedDefaults('opportunity'), productsEnabled: false });
    expect(answer.headers.etag).toBe(reset.etag);
    expect(reset.etag).not.toBe(saved.etag);
    expect((await stored())?.settings).toEqual(reset.settings);
  });

  it("reset of a custom product source maps the source's primary name column to Oneflow's Name", async () => {
    const sources = z
      .object({
        sources: z.array(
          z.object({ entity: z.string(), lookupAttribute: z.string(), relationship: z.string() }),
        ),
      })
      .parse((await stack.api('GET', 'metadata/product-sources?entity=opportunity', { token: alex })).body);
    const custom = sources.sources.find((source) => source.entity === 'new_contractline');
    if (!custom) throw new Error('Dynamics offers no Contract Line source for opportunities');
    const settings: EntitySettings = {
      mainEntity: 'opportunity',
      productsEnabled: true,
      productSource: custom,
      mappings: [
        {
          dynamicsField: 'new_name',
          oneflowField: 'name',
          direction: 'dynamics_to_oneflow',
          writeCondition: 'always',
          conflictPolicy: 'by_action',
        },
        {
          dynamicsField: 'new_quantity',
          oneflowField: 'quantity',
          direction: 'two_way',
          writeCondition: 'always',
          conflictPolicy: 'by_action',
        },
      ],
    };
    const saved = settingsOf(await putSettings(settings));
    const reset = settingsOf(
      await stack.api('POST', 'settings/opportunity/reset', {
        token: sam,
        headers: { 'if-match': saved.etag ?? '' },
      }),
    );
    // Contract Line's primary name column is new_name (the simulator's metadata): Name only, Dynamics to Oneflow.
    expect(reset.settings).toEqual({ ...settings, mappings: [settings.mappings[0]] });
    expect(reset.settings.mappings[0]).toMatchObject({ dynamicsField: 'new_name', oneflowField: 'name' });
    // What reset saved passes the same checks as a PUT.
    expect((await putSettings(reset.settings, reset.etag ?? '')).status).toBe(200);
  });

  it('412: reset from a stale etag changes nothing', async () => {
    const created = settingsOf(await putSettings(shippedDefaults('opportunity')));
    const edited = settingsOf(
      await putSettings(withDirection('description', 'sync_once'), created.etag ?? ''),
    );
    const answer = await stack.api('POST', 'settings/opportunity/reset', {
      token: sam,
      headers: { 'if-match': created.etag ?? '' },
    });
    expect(errorOf(answer, 412).code).toBe('precondition_failed');
    expect(await stored()).toMatchObject({ etag: edited.etag, settings: edited.settings });
  });

  describe('400 naming the field, with nothing written', () => {
    const indexOf = (dynamicsField: string) =>
      shippedDefaults('opportunity').mappings.findIndex((mapping) => mapping.dynamicsField === dynamicsField);

    const cases: [string, () => unknown, string[]][] = [
      [
        'two-way on an Opportunity Product field other than price and quantity',
        () => withDirection('description', 'two_way'),
        [`body.mappings.${String(indexOf('description'))}.direction`],
      ],
      [
        'Oneflow to Dynamics on the product name',
        () => withDirection('productidname', 'oneflow_to_dynamics'),
        [`body.mappings.${String(indexOf('productidname'))}.direction`],
      ],
      [
        'a column the product source does not have',
        () => {
          const settings = shippedDefaults('opportunity');
          return {
            ...settings,
            mappings: settings.mappings.map((mapping, index) =>
              index === 1 ? { ...mapping, dynamicsField: 'new_nosuchcolumn' } : mapping,
            ),
          };
        },
        ['body.mappings.1.dynamicsField'],
      ],
      [
        'a product source that is not a relationship of the entity',
        () => ({ ...shippedDefaults('opportunity'), productSource: shippedDefaults('quote').productSource }),
        ['body.productSource'],
      ],
      [
        'settings of another entity than the address names',
        () => ({ ...shippedDefaults('quote') }),
        ['body.mainEntity'],
      ],
      [
        'a direction that does not exist',
        () => withDirection('quantity', 'sideways' as 'two_way'),
        [`body.mappings.${String(indexOf('quantity'))}.direction`],
      ],
      [
        'no products toggle',
        () => {
          const settings: Partial<EntitySettings> = shippedDefaults('opportunity');
          delete settings.productsEnabled;
          return settings;
        },
        ['body.productsEnabled'],
      ],
      [
        'one Oneflow field mapped twice',
        () => {
          const settings = shippedDefaults('opportunity');
          return {
            ...settings,
            mappings: [
              ...settings.mappings,
              { ...settings.mappings[0], dynamicsField: 'productdescription' },
            ],
          };
        },
        [`body.mappings.${String(shippedDefaults('opportunity').mappings.length)}.oneflowField`],
      ],
      ['a body that is not an object', () => [shippedDefaults('opportunity')], ['body']],
    ];

    it.each(cases)('PUT with %s', async (_, body, fields) => {
      // Saved settings first, and the right If-Match: the only reason to refuse is the body.
      const before = settingsOf(await putSettings(withDirection('description', 'sync_once')));
      const writes = await writeCounts(stack);
      const answer = await putSettings(body(), before.etag ?? '');
      expect(fieldsOf(answer)).toEqual(fields);
      expect(errorOf(answer, 400).details.every((detail) => detail.message.length > 3)).toBe(true);
      expect(await stored()).toMatchObject({ etag: before.etag, settings: before.settings });
      expect(await writeCounts(stack)).toEqual(writes);
    });

    it('PUT with a body that is not JSON names body; nothing is created', async () => {
      const answer = await putSettings('{"mainEntity": "opportunity", ');
      const error = errorOf(answer, 400);
      expect(error.code).toBe('bad_request');
      expect(error.message).toMatch(/not valid JSON/);
      expect(error.details.map((detail) => detail.field)).toEqual(['body']);
      expect(await stored()).toBeNull();
    });

    it('PUT of invalid settings where none are stored creates nothing', async () => {
      const answer = await putSettings(withDirection('description', 'two_way'));
      expect(fieldsOf(answer)).toEqual([`body.mappings.${String(indexOf('description'))}.direction`]);
      expect(await stored()).toBeNull();
      expect(settingsOf(await stack.api('GET', 'settings/opportunity', { token: alex })).isDefault).toBe(
        true,
      );
    });
  });
});

describe('metadata', () => {
  const EntitiesAnswer = z.object({
    entities: z.array(
      z.object({ logicalName: z.string(), displayName: z.string(), entitySetName: z.string() }),
    ),
  });
  const SourcesAnswer = z.object({
    entity: z.string(),
    sources: z.array(
      z.object({
        entity: z.string(),
        lookupAttribute: z.string(),
        relationship: z.string(),
        label: z.string(),
        entitySetName: z.string(),
      }),
    ),
  });
  const FieldsAnswer = z.object({
    entity: z.string(),
    fields: z.array(
      z
        .object({
          logicalName: z.string(),
          attributeType: z.string(),
          isValidForCreate: z.boolean(),
          isValidForUpdate: z.boolean(),
          isCalculated: z.boolean(),
          kind: z.enum(['text', 'decimal', 'other']),
          notWritableBecause: z.string().nullable(),
        })
        .loose(),
    ),
  });

  /** Entities of the Dataverse fixture that must never be offered: activities, process flows, not customizable. */
  const refused = () =>
    seedDataverseFixture()
      .metadataOnlyEntities.filter(
        (entity) =>
          entity.isActivity === true || entity.isBPFEntity === true || entity.isCustomizable === false,
      )
      .map((entity) => entity.logicalName);

  it('main entities: Opportunity and Quote offered; activities, process flows and non-customizable entities not', async () => {
    const answer = await stack.api('GET', 'metadata/main-entities', { token: alex });
    const { entities } = EntitiesAnswer.parse(answer.body);
    const names = entities.map((entity) => entity.logicalName);
    expect(names).toEqual(expect.arrayContaining(['opportunity', 'quote']));
    expect(refused().length).toBeGreaterThanOrEqual(3);
    for (const name of refused()) expect(names).not.toContain(name);
    expect(new Set(names).size).toBe(names.length);
    expect(entities.find((entity) => entity.logicalName === 'opportunity')).toEqual({
      logicalName: 'opportunity',
      displayName: 'Opportunity',
      entitySetName: 'opportunities',
    });
  });

  it('product sources of opportunity: one entry per relationship, labelled with the lookup field in brackets, the default first', async () => {
    const answer = await stack.api('GET', 'metadata/product-sources?entity=opportunity', { token: alex });
    const { entity, sources } = SourcesAnswer.parse(answer.body);
    expect(entity).toBe('opportunity');
    expect(sources[0]).toMatchObject(shippedDefaults('opportunity').productSource);
    const relationships = sources.map((source) => source.relationship);
    expect(new Set(relationships).size).toBe(relationships.length);
    // Contract Line has two lookups to an opportunity: two entries, told apart by the lookup.
    const contractLines = sources.filter((source) => source.entity === 'new_contractline');
    expect(contractLines.map((source) => source.lookupAttribute).sort()).toEqual([
      'new_opportunityid',
      'new_renewalopportunityid',
    ]);
    for (const source of sources) {
      expect(source.label).toMatch(new RegExp(`^.+ \\(${source.lookupAttribute}\\)$`));
    }
    expect(contractLines.map((source) => source.label).sort()).toEqual([
      'Contract Line (new_opportunityid)',
      'Contract Line (new_renewalopportunityid)',
    ]);
    for (const name of refused()) expect(sources.map((source) => source.entity)).not.toContain(name);
  });

  it('fields of opportunityproduct carry what a mapping needs: type, kind, and why a column cannot be written', async () => {
    const answer = await stack.api('GET', 'metadata/fields?entity=opportunityproduct', { token: alex });
    const { entity, fields } = FieldsAnswer.parse(answer.body);
    expect(entity).toBe('opportunityproduct');
    const byName = new Map(fields.map((field) => [field.logicalName, field]));
    for (const name of ['priceperunit', 'quantity']) {
      expect(byName.get(name)).toMatchObject({
        kind: 'decimal',
        isValidForUpdate: true,
        notWritableBecause: null,
      });
    }
    expect(byName.get('baseamount')?.isCalculated).toBe(true);
    expect(byName.get('baseamount')?.notWritableBecause).toMatch(/calculated/i);
    expect(byName.get('productid')?.attributeType).toBe('Lookup');
    expect(byName.get('productid')?.notWritableBecause).toMatch(/lookup/i);
    expect(byName.get('description')).toMatchObject({ kind: 'text' });
    // Every field the shipped defaults map is offered.
    for (const mapping of shippedDefaults('opportunity').mappings) {
      expect(byName.has(mapping.dynamicsField)).toBe(true);
    }
  });

  it.each([
    ['metadata/product-sources', 'query.entity'],
    ['metadata/fields', 'query.entity'],
    ['metadata/fields?entity=Opportunity%20Product', 'query.entity'],
    ['metadata/product-sources?entity=', 'query.entity'],
  ])('400: GET %s names %s', async (path, field) => {
    expect(fieldsOf(await stack.api('GET', path, { token: alex }))).toEqual([field]);
  });
});

describe('links', () => {
  const LinksAnswer = z.object({ links: z.array(LinkSchema) });
  /** Alex's contract on the quote (2 lines), and its links right after creation. */
  let contractId: number;
  let original: Link[];
  let quoteLines: string[];

  beforeAll(async () => {
    contractId = await createContract(stack, alex, 'quote', FIXTURE.quote);
    original = await stack.services.store.links.list(FIXTURE.contoso, contractId);
    const lines = await stack.services
      .tenant(FIXTURE.contoso)
      .dynamics.readLines(shippedDefaults('quote'), FIXTURE.quote, {});
    quoteLines = lines.map((line) => line.id);
  });

  beforeEach(async () => {
    await stack.services.store.links.replaceAll(FIXTURE.contoso, contractId, original);
  });

  const list = async (query: string) => {
    const answer = await stack.api('GET', `links?${query}`, { token: alex });
    expect(answer.status).toBe(200);
    return LinksAnswer.parse(answer.body).links;
  };
  const linkPath = (lineId: string) => `links/${String(contractId)}/${lineId}`;
  const linkEdits = async () =>
    (await stack.services.store.activity.list(FIXTURE.contoso, { contractId })).filter(
      (entry) => entry.action === 'link_edit',
    );

  it("GET links?contractId= lists the contract's links: one per Dynamics line, each to a product of the contract", async () => {
    const links = await list(`contractId=${String(contractId)}`);
    expect(quoteLines.length).toBe(2);
    expect(links.map((link) => link.lineId).sort()).toEqual([...quoteLines].sort());
    expect(links.every((link) => link.contractId === contractId && link.state === 'active')).toBe(true);
    const products = await oneflowProducts(stack, contractId);
    expect(links.map((link) => link.productId).sort()).toEqual(products.map((product) => product.id).sort());
  });

  it('q finds links by a line id prefix (any case) and by an Oneflow product id', async () => {
    const [first, second] = [...quoteLines].sort() as [string, string];
    // The two lines share everything but their last character.
    const shared = first.slice(0, first.length - 1);
    expect(second.startsWith(shared)).toBe(true);
    expect((await list(`q=${shared.slice(0, 8)}`)).map((link) => link.lineId).sort()).toEqual([
      first,
      second,
    ]);
    expect((await list(`q=${first.toUpperCase()}`)).map((link) => link.lineId)).toEqual([first]);
    const productId = original.find((link) => link.lineId === second)?.productId;
    expect(
      (await list(`q=${String(productId)}&contractId=${String(contractId)}`)).map((link) => link.lineId),
    ).toEqual([second]);
    expect(await list('q=ffffffff')).toEqual([]);
    expect(await list(`q=${String((productId ?? 0) + 100_000)}`)).toEqual([]);
  });

  it('PATCH re-points a link and marks it, changes the row, forgets the base, and records a link_edit activity entry', async () => {
    const lineId = quoteLines[0] ?? '';
    const before = original.find((link) => link.lineId === lineId);
    if (!before) throw new Error('no link for the first quote line');
    const edits = (await linkEdits()).length;
    const newProductId = before.productId + 7;

    const answer = await stack.api('PATCH', linkPath(lineId), {
      token: sam,
      body: { productId: newProductId, state: 'deleted_in_oneflow' },
    });
    expect(answer.status).toBe(200);
    const expected = { ...before, productId: newProductId, state: 'deleted_in_oneflow', base: {} };
    expect(LinkSchema.parse((answer.body as { link: unknown }).link)).toEqual(expected);
    expect(await stack.services.store.links.get(FIXTURE.contoso, contractId, lineId)).toEqual(expected);
    expect((await list(`q=${String(newProductId)}`)).map((link) => link.lineId)).toEqual([lineId]);

    const entries = await linkEdits();
    expect(entries).toHaveLength(edits + 1);
    expect(entries[0]).toMatchObject({
      action: 'link_edit',
      outcome: 'applied',
      actor: { id: FIXTURE.users.sam.oid, name: 'Sam Admin' },
      changes: [
        {
          lineId,
          old: `${String(before.productId)} (active)`,
          new: `${String(newProductId)} (deleted_in_oneflow)`,
          rule: 'link_edit',
        },
      ],
    });
  });

  it('409: PATCH onto a product already linked to another line refuses and changes nothing', async () => {
    const [first, second] = quoteLines;
    const other = original.find((link) => link.lineId === second);
    if (!first || !other) throw new Error('the quote needs two linked lines');
    const edits = (await linkEdits()).length;
    const answer = await stack.api('PATCH', linkPath(first), {
      token: sam,
      body: { productId: other.productId },
    });
    expect(errorOf(answer, 409).code).toBe('product_already_linked');
    expect(await stack.services.store.links.get(FIXTURE.contoso, contractId, first)).toEqual(
      original.find((link) => link.lineId === first),
    );
    expect(await linkEdits()).toHaveLength(edits);
  });

  it('PATCH of the state alone keeps the product and its base', async () => {
    const lineId = quoteLines[1] ?? '';
    const before = original.find((link) => link.lineId === lineId);
    const answer = await stack.api('PATCH', linkPath(lineId), {
      token: sam,
      body: { state: 'deleted_in_oneflow' },
    });
    expect(answer.status).toBe(200);
    expect(await stack.services.store.links.get(FIXTURE.contoso, contractId, lineId)).toEqual({
      ...before,
      state: 'deleted_in_oneflow',
    });
  });

  it.each([
    ['an unknown field', { productId: 5, colour: 'red' }, ['body.colour']],
    ['an empty object', {}, ['body']],
    ['no body at all', undefined, ['body']],
    ['a productId that is not a number', { productId: 'five' }, ['body.productId']],
    ['an unknown state', { state: 'gone' }, ['body.state']],
  ])(
    '400: PATCH with %s names the field; the link and the activity stay as they were',
    async (_, body, fields) => {
      const lineId = quoteLines[0] ?? '';
      const edits = (await linkEdits()).length;
      const answer = await stack.api('PATCH', linkPath(lineId), {
        token: sam,
        ...(body === undefined ? {} : { body }),
      });
      expect(fieldsOf(answer)).toEqual(fields);
      expect(await stack.services.store.links.get(FIXTURE.contoso, contractId, lineId)).toEqual(
        original.find((link) => link.lineId === lineId),
      );
      expect((await linkEdits()).length).toBe(edits);
    },
  );

  it('404: PATCH or DELETE of a line without a link, or of a contract not synced here', async () => {
    const stranger = '2c3d0000-0000-4000-8000-00000000ffff';
    expect(
      errorOf(await stack.api('PATCH', linkPath(stranger), { token: sam, body: { state: 'active' } }), 404)
        .code,
    ).toBe('not_found');
    expect(errorOf(await stack.api('DELETE', linkPath(stranger), { token: sam }), 404).code).toBe(
      'not_found',
    );
    const otherContract = `links/${String(contractId + 500)}/${quoteLines[0] ?? ''}`;
    expect(errorOf(await stack.api('DELETE', otherContract, { token: sam }), 404).code).toBe('not_found');
    expect(await stack.services.store.links.list(FIXTURE.contoso, contractId)).toEqual(original);
  });

  it('DELETE drops the link (204, no body), records the activity, and a second DELETE is 404', async () => {
    const lineId = quoteLines[1] ?? '';
    const edits = (await linkEdits()).length;
    const answer = await stack.api('DELETE', linkPath(lineId), { token: sam });
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');
    expect(await stack.services.store.links.get(FIXTURE.contoso, contractId, lineId)).toBeNull();
    expect((await list(`contractId=${String(contractId)}`)).map((link) => link.lineId)).toEqual(
      quoteLines.filter((id) => id !== lineId),
    );
    expect(await list(`q=${lineId}`)).toEqual([]);
    const entries = await linkEdits();
    expect(entries).toHaveLength(edits + 1);
    expect(entries[0]?.changes[0]).toMatchObject({ lineId, new: null });
    expect(errorOf(await stack.api('DELETE', linkPath(lineId), { token: sam }), 404).code).toBe('not_found');
  });

  it('CSV export: text/csv as an attachment, a header, and one row per link with its content', async () => {
    const answer = await stack.api('GET', `links/export.csv?contractId=${String(contractId)}`, {
      token: alex,
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^text\/csv; charset=utf-8$/);
    expect(answer.headers['content-disposition']).toMatch(/^attachment; filename=".+\.csv"$/);
    const [header, ...rows] = parseCsv(answer.text);
    expect(header).toEqual(['contractId', 'lineId', 'productId', 'state', 'syncedAt', 'base']);
    const links = await list(`contractId=${String(contractId)}`);
    expect(rows).toHaveLength(links.length);
    const asRows = links.map((link) => [
      String(link.contractId),
      link.lineId,
      String(link.productId),
      link.state,
      link.syncedAt,
      JSON.stringify(link.base),
    ]);
    expect(rows.sort()).toEqual(asRows.sort());
    // The base column is JSON holding commas and quotes, and reads back as the link's base.
    for (const row of rows) {
      const link = links.find((candidate) => candidate.lineId === row[1]);
      expect(JSON.parse(row[5] ?? '')).toEqual(link?.base);
      expect(Object.keys(link?.base ?? {}).length).toBeGreaterThan(1);
    }
    // A line id search narrows the export the same way as the list.
    const one = parseCsv(
      (await stack.api('GET', `links/export.csv?q=${quoteLines[0] ?? ''}`, { token: alex })).text,
    );
    expect(one.slice(1).map((row) => row[1])).toEqual([quoteLines[0]]);
  });
});
