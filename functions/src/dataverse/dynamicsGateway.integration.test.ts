import { z } from 'zod';
import { defaultSettings, lineValue, type DynamicsValue, type EntitySettings } from '@oneflow-sync/shared';
import { startAllSimulators, type RunningSimulators } from '@oneflow-sync/simulators/src/run';
import { seededEntities } from '@oneflow-sync/simulators/src/identity/seededEntities';
import { clearAppTokenCache, createAppTokenProvider } from '../auth/appTokens';
import { createDataverseClient, type DataverseClientOptions } from './dataverseClient';
import { createDynamicsGateway } from './dynamicsGateway';
import {
  isDataverseError,
  type DataverseError,
  DataverseForbiddenError,
  DataverseNetworkError,
  DataverseNotFoundError,
  DataversePreconditionFailedError,
  DataverseServerError,
  DataverseThrottledError,
  DataverseAuthError,
} from './errors';

/** simulators/fixtures/dataverse.json */
const IDS = {
  alex: 'aad00000-0000-4000-8000-000000000002',
  robin: 'aad00000-0000-4000-8000-000000000003',
  opportunity: '0a1b0000-0000-4000-8000-000000000001',
  quote: '1b2c0000-0000-4000-8000-000000000001',
  widgetLine: '2c3d0000-0000-4000-8000-000000000001',
  overriddenLine: '2c3d0000-0000-4000-8000-000000000002',
  writeInLine: '2c3d0000-0000-4000-8000-000000000003',
  quoteCatalogLine: '3d4e0000-0000-4000-8000-000000000001',
  quoteWriteInLine: '3d4e0000-0000-4000-8000-000000000002',
} as const;
const API = '/api/data/v9.2/';
const LINES_ROUTE = `GET ${API}opportunityproducts`;
const BATCH_ROUTE = `POST ${API}$batch`;

const seeded = seededEntities();
let sims: RunningSimulators;

beforeAll(async () => {
  sims = await startAllSimulators({ dataverse: 0, oneflow: 0, identity: 0 });
});

afterAll(async () => {
  await sims.close();
});

beforeEach(async () => {
  await fetch(`${sims.dataverse.url}/_sim/reset`, { method: 'POST' });
});

afterEach(() => {
  sims.dataverse.setThrottle({ requestsPerWindow: 6000, windowMs: 300_000 });
});

/** A real app token from the identity simulator (the Dataverse simulator verifies signature, audience, tenant). */
function tokens() {
  return createAppTokenProvider({
    authorityHost: sims.identity.url,
    tenantId: seeded.homeTenantId,
    clientId: seeded.backend.clientId,
    credential: { kind: 'secret', secret: seeded.backendSecret },
    caCertificatePem: sims.identity.certificatePem,
  });
}

/** Client + gateway with no real waits unless asked; `delays` records each requested wait. */
function setup(overrides: Partial<DataverseClientOptions> = {}) {
  const delays: number[] = [];
  const provider = tokens();
  const client = createDataverseClient({
    environmentUrl: sims.dataverse.url,
    getAccessToken: () => provider.getToken(sims.dataverse.url),
    random: () => 0.5,
    retry: { baseDelayMs: 10, maxDelayMs: 100 },
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...overrides,
  });
  return { client, gateway: createDynamicsGateway(client), delays };
}

const RequestLogSchema = z.object({
  total: z.number(),
  counts: z.record(z.string(), z.number()),
  requests: z.array(
    z.object({ route: z.string(), status: z.number(), headers: z.record(z.string(), z.string()) }),
  ),
});
async function requestLog() {
  const response = await fetch(`${sims.dataverse.url}/_sim/requests`);
  return RequestLogSchema.parse(await response.json());
}
async function clearRequestLog(): Promise<void> {
  await fetch(`${sims.dataverse.url}/_sim/requests`, { method: 'DELETE' });
}
async function setFaults(faults: unknown): Promise<void> {
  const response = await fetch(`${sims.dataverse.url}/_sim/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  expect(response.ok).toBe(true);
}

async function failure(promise: Promise<unknown>): Promise<DataverseError> {
  const error: unknown = await promise.then(
    () => new Error('expected a rejection'),
    (caught: unknown) => caught,
  );
  if (isDataverseError(error)) return error;
  throw error;
}

function settingsFor(mainEntity: 'opportunity' | 'quote'): EntitySettings {
  const settings = defaultSettings(mainEntity);
  if (!settings) throw new Error(`no default settings for ${mainEntity}`);
  return settings;
}

const asAlex = { callerObjectId: IDS.alex };

function first<T>(items: readonly T[]): T {
  const [item] = items;
  if (item === undefined) throw new Error('expected at least one item');
  return item;
}

describe('Dynamics gateway against the Dataverse simulator, with app tokens from the identity simulator (integration)', () => {
  beforeAll(() => {
    clearAppTokenCache();
  });

  describe('reading lines', () => {
    it("reads the demo opportunity's three lines in sequence order: catalog, overridden price, write-in", async () => {
      const { gateway } = setup();
      await clearRequestLog();
      const lines = await gateway.readLines(settingsFor('opportunity'), IDS.opportunity, asAlex);
      expect(lines.map((line) => line.id)).toEqual([IDS.widgetLine, IDS.overriddenLine, IDS.writeInLine]);
      const [widget, overridden, writeIn] = lines;
      expect(widget).toMatchObject({
        isWriteIn: false,
        values: {
          productidname: 'Widget',
          productid: 'Widget',
          priceperunit: 25,
          quantity: 10,
          manualdiscountamount: 25,
          isproductoverridden: false,
          productdescription: null,
        },
      });
      expect(overridden?.values).toMatchObject({
        productidname: 'Support Plan',
        priceperunit: 90,
        quantity: 12,
      });
      expect(writeIn).toMatchObject({
        isWriteIn: true,
        values: {
          productidname: null,
          productdescription: 'Custom integration (write-in)',
          priceperunit: 1500,
        },
      });
      if (!writeIn) throw new Error('no write-in line');
      expect(lineValue('opportunityproduct', writeIn, 'productidname')).toBe('Custom integration (write-in)');
      for (const line of lines) {
        expect(line.etag).toMatch(/^W\/"\d+"$/);
        expect(new Date(line.modifiedOn).toISOString()).toBe(line.modifiedOn.replace('Z', '.000Z'));
      }
      // Measured: the entity definition with its attributes (once per gateway), then the lines.
      const log = await requestLog();
      expect(log.counts).toEqual({ [`GET ${API}EntityDefinitions(:key)`]: 1, [LINES_ROUTE]: 1 });
      const linesRequest = log.requests.find((request) => request.route === LINES_ROUTE);
      expect(linesRequest?.headers).toMatchObject({
        callerobjectid: IDS.alex,
        prefer: 'odata.include-annotations="*",odata.maxpagesize=500',
      });
      await clearRequestLog();
      await gateway.readLines(settingsFor('opportunity'), IDS.opportunity, asAlex);
      expect((await requestLog()).counts).toEqual({ [LINES_ROUTE]: 1 });
    });

    it("reads the draft quote's catalog and write-in lines", async () => {
      const { gateway } = setup();
      const lines = await gateway.readLines(settingsFor('quote'), IDS.quote, asAlex);
      expect(lines.map((line) => [line.id, line.isWriteIn, line.values.productidname ?? null])).toEqual([
        [IDS.quoteCatalogLine, false, 'Widget'],
        [IDS.quoteWriteInLine, true, null],
      ]);
    });

    it('reads a custom line entity through its second lookup, with its lookup as a display name', async () => {
      const { gateway } = setup();
      const lines = await gateway.readLines(
        {
          mainEntity: 'opportunity',
          productsEnabled: true,
          productSource: {
            entity: 'new_contractline',
            lookupAttribute: 'new_renewalopportunityid',
            relationship: 'new_opportunity_new_contractline_RenewalOpportunityId',
          },
          mappings: [
            {
              dynamicsField: 'new_name',
              oneflowField: 'name',
              direction: 'dynamics_to_oneflow',
              writeCondition: 'always',
              conflictPolicy: 'by_action',
            },
            {
              dynamicsField: 'new_productid',
              oneflowField: 'description',
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
        },
        '0a1b0000-0000-4000-8000-000000000002',
        asAlex,
      );
      expect(lines).toEqual([
        expect.objectContaining({
          id: '4e5f0000-0000-4000-8000-000000000001',
          isWriteIn: false,
          values: { new_name: 'Widget seats (renewable)', new_productid: 'Widget', new_quantity: 3 },
        }),
      ]);
    });

    it('reads the main record name from its primary name attribute', async () => {
      const { gateway } = setup();
      await expect(gateway.getMainRecord('opportunity', IDS.opportunity, asAlex)).resolves.toEqual({
        id: IDS.opportunity,
        name: 'Contoso rollout: 10 widgets and support',
      });
      const missing = await failure(
        gateway.getMainRecord('opportunity', '0a1b0000-0000-4000-8000-0000000000ff', asAlex),
      );
      expect(missing).toBeInstanceOf(DataverseNotFoundError);
    });

    it('a mapped column the entity does not have is a validation error naming it, before any line request', async () => {
      const { gateway } = setup();
      const settings = settingsFor('opportunity');
      settings.mappings.push({ ...first(settings.mappings), dynamicsField: 'new_gone' });
      const error = await failure(gateway.readLines(settings, IDS.opportunity, asAlex));
      expect(error.kind).toBe('validation');
      expect(error.userMessage).toContain("no column 'new_gone'");
      expect((await requestLog()).counts[LINES_ROUTE]).toBeUndefined();
    });
  });

  describe('metadata', () => {
    it('main entities: the candidate filter, activities left out, sorted by display name', async () => {
      const { gateway } = setup();
      const entities = await gateway.listMainEntities();
      const names = entities.map((entity) => entity.logicalName);
      expect(names).toEqual(
        expect.arrayContaining(['opportunity', 'quote', 'opportunityproduct', 'new_contractline']),
      );
      for (const excluded of ['task', 'opportunitysalesprocess', 'msdyn_opportunitymodelscore'])
        expect(names).not.toContain(excluded);
      const displayNames = entities.map((entity) => entity.displayName);
      expect(displayNames).toEqual([...displayNames].sort((a, b) => a.localeCompare(b, 'en')));
      expect(entities.find((entity) => entity.logicalName === 'opportunity')).toEqual({
        logicalName: 'opportunity',
        displayName: 'Opportunity',
        entitySetName: 'opportunities',
      });
    });

    it('product sources of opportunity: one per relationship, the default first, no activity/BPF/non-customizable', async () => {
      const { gateway } = setup();
      await clearRequestLog();
      const sources = await gateway.listProductSources('opportunity');
      expect(sources[0]).toEqual({
        entity: 'opportunityproduct',
        lookupAttribute: 'opportunityid',
        relationship: 'product_opportunities',
        label: 'Opportunity Product (opportunityid)',
        entitySetName: 'opportunityproducts',
      });
      expect(sources.map((source) => source.label)).toEqual(
        expect.arrayContaining([
          'Contract Line (new_opportunityid)',
          'Contract Line (new_renewalopportunityid)',
        ]),
      );
      expect(
        sources.filter((source) => source.entity === 'new_contractline').map((s) => s.relationship),
      ).toEqual([
        'new_opportunity_new_contractline_OpportunityId',
        'new_opportunity_new_contractline_RenewalOpportunityId',
      ]);
      const entities = sources.map((source) => source.entity);
      for (const excluded of ['task', 'opportunitysalesprocess', 'msdyn_opportunitymodelscore'])
        expect(entities).not.toContain(excluded);
      // Measured: the candidate entities and the main entity's 1:N relationships, nothing per entity.
      expect((await requestLog()).total).toBe(2);
    });

    it('attributes of opportunityproduct carry the flags the engine needs', async () => {
      const { gateway } = setup();
      await clearRequestLog();
      const attributes = await gateway.listAttributes('opportunityproduct');
      const byName = new Map(attributes.map((attribute) => [attribute.logicalName, attribute]));
      expect(byName.get('productidname')).toMatchObject({
        attributeType: 'String',
        attributeOf: 'productid',
        isValidForUpdate: false,
      });
      expect(byName.get('isproductoverridden')).toMatchObject({
        attributeType: 'Boolean',
        isValidForCreate: true,
        isValidForUpdate: false,
        displayName: 'Select Product',
      });
      expect(byName.get('productdescription')).toMatchObject({ maxLength: 500, isCalculated: false });
      expect(byName.get('description')).toMatchObject({ attributeType: 'Memo', maxLength: 2000 });
      expect(byName.get('priceperunit')).toMatchObject({
        attributeType: 'Money',
        isValidForUpdate: true,
        isCalculated: false,
      });
      expect(byName.get('quantity')).toMatchObject({ attributeType: 'Decimal', displayName: 'Quantity' });
      // Dataverse recalculates these although their metadata says SourceType 0 and updatable.
      expect(byName.get('extendedamount')).toMatchObject({ isCalculated: true });
      expect(byName.get('baseamount')).toMatchObject({ isCalculated: true });
      expect(byName.get('productid')).toMatchObject({ attributeType: 'Lookup' });
      // Measured: definition + attributes in one request, then the String and Memo casts for MaxLength.
      expect((await requestLog()).total).toBe(3);
    });

    it('metadata is reused for metadataTtlMs, then read again', async () => {
      const provider = tokens();
      let clock = 0;
      const client = createDataverseClient({
        environmentUrl: sims.dataverse.url,
        getAccessToken: () => provider.getToken(sims.dataverse.url),
      });
      const gateway = createDynamicsGateway(client, { metadataTtlMs: 60_000, now: () => clock });
      await gateway.listAttributes('opportunityproduct');
      await gateway.listMainEntities();
      await clearRequestLog();
      clock = 59_999;
      await gateway.listAttributes('opportunityproduct');
      await gateway.listMainEntities();
      await gateway.entitySetName('opportunityproduct');
      expect((await requestLog()).total).toBe(0);
      clock = 60_000;
      await gateway.listAttributes('opportunityproduct');
      expect((await requestLog()).total).toBe(3);
    });

    it('a calculated custom column (SourceType 1) is flagged', async () => {
      const { gateway } = setup();
      const attributes = await gateway.listAttributes('new_contractline');
      expect(attributes.find((attribute) => attribute.logicalName === 'new_linetotal')).toMatchObject({
        isCalculated: true,
      });
      await expect(gateway.entitySetName('new_contractline')).resolves.toBe('new_contractlines');
    });
  });

  describe('updating lines', () => {
    it('writes all lines in one change set and returns their new etags (one $batch request)', async () => {
      const { gateway } = setup();
      const before = await gateway.readLines(settingsFor('opportunity'), IDS.opportunity, asAlex);
      await clearRequestLog();
      const etags = await gateway.updateLines(
        'opportunityproduct',
        before.map((line, index) => ({ lineId: line.id, etag: line.etag, values: { quantity: 20 + index } })),
        asAlex,
      );
      const log = await requestLog();
      expect(log.counts).toEqual({ [BATCH_ROUTE]: 1 });
      expect(log.requests[0]?.headers.callerobjectid).toBe(IDS.alex);
      const after = await gateway.readLines(settingsFor('opportunity'), IDS.opportunity, asAlex);
      expect(after.map((line) => line.values.quantity)).toEqual([20, 21, 22]);
      for (const line of after) {
        expect(etags.get(line.id)).toBe(line.etag);
        expect(line.etag).not.toBe(before.find((old) => old.id === line.id)?.etag);
      }
    });

    it('a stale etag fails the change set with a precondition error naming the line, and nothing is written', async () => {
      const { client, gateway } = setup();
      const before = await gateway.readLines(settingsFor('opportunity'), IDS.opportunity, asAlex);
      // Someone else edits the second line after it was read.
      await client.patch(
        `opportunityproducts(${IDS.overriddenLine})`,
        { quantity: 99 },
        { ifMatch: '*' },
        asAlex,
      );
      const error = await failure(
        gateway.updateLines(
          'opportunityproduct',
          before.map((line) => ({ lineId: line.id, etag: line.etag, values: { quantity: 7 } })),
          asAlex,
        ),
      );
      expect(error).toBeInstanceOf(DataversePreconditionFailedError);
      expect(error).toMatchObject({
        status: 412,
        errorCode: '0x80060882',
        recordId: IDS.overriddenLine,
        operationIndex: 1,
      });
      expect(error.userMessage).toContain(IDS.overriddenLine);
      const after = await gateway.readLines(settingsFor('opportunity'), IDS.opportunity, asAlex);
      expect(after.map((line) => line.values.quantity)).toEqual([10, 99, 1]);
      expect(after[0]?.etag).toBe(before[0]?.etag);
      expect(after[2]?.etag).toBe(before[2]?.etag);
    });

    it("a user without the Write privilege gets forbidden, naming the privilege from Dataverse's message", async () => {
      const { gateway } = setup();
      const asRobin = { callerObjectId: IDS.robin };
      const lines = await gateway.readLines(settingsFor('opportunity'), IDS.opportunity, asRobin);
      const error = await failure(
        gateway.updateLines(
          'opportunityproduct',
          [{ lineId: first(lines).id, etag: first(lines).etag, values: { quantity: 3 } }],
          asRobin,
        ),
      );
      expect(error).toBeInstanceOf(DataverseForbiddenError);
      expect(error).toMatchObject({
        status: 403,
        errorCode: '0x80040220',
        recordId: IDS.widgetLine,
        attempts: 1,
      });
      expect(error.detail).toMatch(/missing prvWriteOpportunityProduct privilege/);
      expect(error.userMessage).toBe(
        'You are missing the prvWriteOpportunityProduct privilege on opportunityproduct in Dynamics. Ask your Dynamics administrator for a security role that grants it.',
      );
    });

    it('refuses to write a column Dynamics calculates or a lookup name, before sending anything', async () => {
      const { gateway } = setup();
      const line = first(await gateway.readLines(settingsFor('opportunity'), IDS.opportunity, asAlex));
      await clearRequestLog();
      const refused: Record<string, DynamicsValue>[] = [
        { extendedamount: 1 },
        { productidname: 'x' },
        { isproductoverridden: true },
      ];
      for (const values of refused) {
        const error = await failure(
          gateway.updateLines('opportunityproduct', [{ lineId: line.id, etag: line.etag, values }], asAlex),
        );
        expect(error.kind).toBe('validation');
      }
      expect((await requestLog()).total).toBe(0);
    });
  });

  describe('retries', () => {
    it('a 429 from service protection is retried after exactly Retry-After (waited for real)', async () => {
      const waits: number[] = [];
      const { gateway } = setup({
        sleep: async (ms) => {
          waits.push(ms);
          await new Promise((resolve) => setTimeout(resolve, ms));
        },
      });
      await gateway.readLines(settingsFor('opportunity'), IDS.opportunity, asAlex); // metadata cached
      sims.dataverse.setThrottle({ requestsPerWindow: 1, windowMs: 1000 });
      await gateway.readLines(settingsFor('opportunity'), IDS.opportunity, asAlex);
      await clearRequestLog();
      const lines = await gateway.readLines(settingsFor('opportunity'), IDS.opportunity, asAlex);
      expect(lines).toHaveLength(3);
      const statuses = (await requestLog()).requests.map((request) => request.status);
      expect(statuses).toEqual([429, 200]);
      // The simulator's Retry-After is whole seconds, at least 1: the wait is exactly that, never less.
      expect(waits).toEqual([1000]);
    });

    it('429 on every attempt: a throttled error with Retry-After and the attempts made', async () => {
      const { gateway, delays } = setup({ maxAttempts: 3 });
      await gateway.entitySetName('opportunityproduct');
      sims.dataverse.setThrottle({ requestsPerWindow: 1, windowMs: 2000 });
      await gateway.readLines(settingsFor('opportunity'), IDS.opportunity, asAlex);
      const error = await failure(gateway.readLines(settingsFor('opportunity'), IDS.opportunity, asAlex));
      expect(error).toBeInstanceOf(DataverseThrottledError);
      expect(error).toMatchObject({ status: 429, errorCode: '0x80072322', attempts: 3 });
      expect(error.retryAfterMs).toBeGreaterThanOrEqual(1000);
      expect(delays).toHaveLength(2);
      for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(1000);
    });

    it('a Retry-After longer than maxRetryAfterMs is not waited out: throttled at once, for the caller to reschedule', async () => {
      const { gateway, delays } = setup({ maxRetryAfterMs: 5000 });
      await gateway.entitySetName('opportunityproduct');
      sims.dataverse.setThrottle({ requestsPerWindow: 1, windowMs: 60_000 });
      await gateway.readLines(settingsFor('opportunity'), IDS.opportunity, asAlex);
      const error = await failure(gateway.readLines(settingsFor('opportunity'), IDS.opportunity, asAlex));
      expect(error).toMatchObject({ kind: 'throttled', attempts: 1 });
      expect(error.retryAfterMs).toBeGreaterThan(5000);
      expect(delays).toEqual([]);
    });

    it('an injected 500 is retried with backoff; the read then succeeds', async () => {
      const { gateway, delays } = setup({
        sleep: async (ms) => {
          delays.push(ms);
          await setFaults({});
        },
      });
      await gateway.entitySetName('opportunityproduct');
      await setFaults({ routes: { [LINES_ROUTE]: { rates: { '500': 1 } } } });
      await clearRequestLog();
      const lines = await gateway.readLines(settingsFor('opportunity'), IDS.opportunity, asAlex);
      expect(lines).toHaveLength(3);
      expect((await requestLog()).requests.map((request) => request.status)).toEqual([500, 200]);
      expect(delays).toEqual([5]); // full jitter: 0.5 × base 10 ms
    });

    it('a 500 on the $batch is retried and the change set is applied once', async () => {
      const { gateway } = setup({
        sleep: async () => {
          await setFaults({});
        },
      });
      const line = first(await gateway.readLines(settingsFor('opportunity'), IDS.opportunity, asAlex));
      await setFaults({ routes: { [BATCH_ROUTE]: { rates: { '500': 1 } } } });
      await clearRequestLog();
      const etags = await gateway.updateLines(
        'opportunityproduct',
        [{ lineId: line.id, etag: line.etag, values: { quantity: 4 } }],
        asAlex,
      );
      expect((await requestLog()).requests.map((request) => request.status)).toEqual([500, 200]);
      const [after] = await gateway.readLines(settingsFor('opportunity'), IDS.opportunity, asAlex);
      expect(after).toMatchObject({ etag: etags.get(line.id), values: { quantity: 4 } });
    });

    it('5xx on every attempt: a server error with Dataverse’s code after maxAttempts', async () => {
      const { gateway, delays } = setup({ maxAttempts: 3 });
      await gateway.entitySetName('opportunityproduct');
      await setFaults({ routes: { [LINES_ROUTE]: { rates: { '500': 1 } } } });
      const error = await failure(gateway.readLines(settingsFor('opportunity'), IDS.opportunity, asAlex));
      expect(error).toBeInstanceOf(DataverseServerError);
      expect(error).toMatchObject({ status: 500, errorCode: '0x80040216', attempts: 3 });
      expect(delays).toEqual([5, 10]);
    });

    it('a dropped connection is retried, then reported as a network error', async () => {
      const { gateway, delays } = setup({ maxAttempts: 2 });
      await gateway.entitySetName('opportunityproduct');
      await setFaults({ routes: { [LINES_ROUTE]: { rates: { drop: 1 } } } });
      const error = await failure(gateway.readLines(settingsFor('opportunity'), IDS.opportunity, asAlex));
      expect(error).toBeInstanceOf(DataverseNetworkError);
      expect(error).toMatchObject({ status: null, attempts: 2 });
      expect(delays).toHaveLength(1);
    });

    it('a 401 gets a token again once: a refused token followed by a good one succeeds', async () => {
      const provider = tokens();
      const bogus = 'eyJhbGciOiJIUzI1NiJ9.eyJvaWQiOiJ4In0.c2lnbmF0dXJl';
      let calls = 0;
      const { gateway } = setup({
        getAccessToken: async () => (++calls === 1 ? bogus : provider.getToken(sims.dataverse.url)),
      });
      await expect(gateway.entitySetName('opportunityproduct')).resolves.toBe('opportunityproducts');
      expect(calls).toBe(2);
      expect((await requestLog()).requests.map((request) => request.status)).toEqual([401, 200]);
    });

    it('a token refused twice is an auth error (no more attempts)', async () => {
      const bogus = 'eyJhbGciOiJIUzI1NiJ9.eyJvaWQiOiJ4In0.c2lnbmF0dXJl';
      const { gateway, delays } = setup({ getAccessToken: async () => bogus });
      const error = await failure(gateway.entitySetName('opportunityproduct'));
      expect(error).toBeInstanceOf(DataverseAuthError);
      expect(error.message).not.toContain(bogus);
      expect(JSON.stringify(error)).not.toContain(bogus);
      expect((await requestLog()).total).toBe(2);
      expect(delays).toEqual([]);
    });
  });
});
