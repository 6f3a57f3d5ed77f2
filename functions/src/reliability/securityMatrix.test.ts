import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { z } from 'zod';
import { TOKEN_INVALID, TOKEN_REQUIRED } from '../auth/bearer';
import { errorOf, requestTotals, shippedDefaults, type Writes } from '../e2e/securitySupport';
import {
  CONTRACT_ROUTE,
  notification,
  postNotification,
  recordEnqueues,
  requestLog,
  settle,
  watchQueueTrigger,
} from '../e2e/webhookSupport';
import { syncedContractRecord, storeContracts } from '../testing/storedContracts';
import { FIXTURE, stackAppSettings, startStack, type ApiAnswer, type Stack } from '../testing/stack';
import {
  automationToken,
  callers,
  callFor,
  listingsOf,
  loadIdentityFixture,
  PROTECTED_ROUTES,
  seenAs,
  send,
  tokenResumingAt,
  type Caller,
  type RouteCall,
  type Target,
} from './securityMatrixSupport';
import {
  capturingLogger,
  recordFigures,
  scaled,
  seedOfRun,
  secretsIn,
  secretValuesOf,
  tableSnapshot,
  type TableSnapshot,
} from './support';

/**
 * The attack matrix, end to end: every route that needs a signed-in caller × every kind of bad token (401, one
 * answer for all of them) and every caller lacking a role (403); the Oneflow webhook × forged, foreign, missing,
 * replayed and misplaced signatures; Fabrikam's admin and seller against every resource of Contoso's. Every
 * refusal reaches neither Dynamics nor Oneflow and writes nothing; another tenant's contract reads exactly like
 * one that exists nowhere. Positive controls (a valid caller per route) keep the matrix from passing vacuously.
 */

const capture = capturingLogger();
let stack: Stack;
let alex: string;
let sam: string;
let megan: string;
/** Megan without the admin role: a seller of Fabrikam's. */
let meganSeller: string;
let matrixCallers: Caller[];
let contoso: Target;
/** Another contract of Contoso's (on the quote). */
let secondContract: number;
/** Ids that exist nowhere: what another tenant's must read like. */
const MISSING: Target = {
  contractId: 2_000_000_001,
  recordId: '0a1b0000-0000-4000-8000-00000000dead',
  lineId: '2c3d0000-0000-4000-8000-00000000dead',
};

const SEED = seedOfRun();

const figures = {
  routes: 0,
  tokenVariants: 0,
  cells: 0,
  refused: 0,
  positiveControls: 0,
  webhookCases: 0,
  crossTenantCases: 0,
  leaksFound: 0,
  seed: SEED,
  tokenMutations: 0,
  /** Changed in bits no byte uses (the signature's last base64url character): the same token, accepted. */
  tokenMutationsAccepted: 0,
};

const ContractCreated = z.object({ contract: z.object({ contractId: z.number().int().positive() }) });

beforeAll(async () => {
  stack = await startStack({ log: capture.log });
  const seed: unknown = JSON.parse(
    readFileSync(join(__dirname, '..', '..', '..', 'simulators', 'fixtures', 'identity.json'), 'utf8'),
  );
  await loadIdentityFixture(stack, seed);
  [alex, sam, megan, meganSeller] = await Promise.all([
    stack.token('alex'),
    stack.token('sam'),
    stack.token('megan'),
    stack.token('megan', { roles: [] }),
  ]);
  const created = await stack.api('POST', 'contracts', {
    token: alex,
    body: { entity: 'opportunity', recordId: FIXTURE.opportunity },
  });
  expect(created.status).toBe(201);
  contoso = {
    contractId: ContractCreated.parse(created.body).contract.contractId,
    recordId: FIXTURE.opportunity,
    lineId: FIXTURE.opportunityLines[0],
  };
  secondContract = ContractCreated.parse(
    (
      await stack.api('POST', 'contracts', {
        token: alex,
        body: { entity: 'quote', recordId: FIXTURE.quote },
      })
    ).body,
  ).contract.contractId;
  // Contoso's own settings (with an etag another tenant could try to use).
  const saved = await stack.api('PUT', 'settings/opportunity', {
    token: sam,
    body: shippedDefaults('opportunity'),
  });
  expect(saved.status).toBe(200);
  await settle(stack);
  matrixCallers = await callers(stack, alex);
}, 120_000);

afterAll(async () => {
  recordFigures('securityMatrix', figures);
  const secrets = secretValuesOf(stackAppSettings(stack.simulators, stack.azurite.connectionString));
  await stack.close();
  expect(capture.lines.length).toBeGreaterThan(0);
  expect(secretsIn(capture.lines, secrets)).toEqual([]);
}, 60_000);

/** Everything a refusal must leave as it was: what the simulators were asked, and every table row. */
async function untouched(): Promise<{ requests: Writes; tables: TableSnapshot }> {
  await stack.host.drainQueue();
  return {
    requests: await requestTotals(stack),
    tables: await tableSnapshot(stack.azurite.connectionString),
  };
}

describe('every protected route × every caller that must be refused', () => {
  it('401 for every bad token and 403 for every caller lacking a role, one answer for every bad token, nothing reached Dynamics or Oneflow, nothing written', async () => {
    const before = await untouched();
    const wrong: unknown[] = [];
    /** The answers to presented bad tokens, as seen: all must be one and the same. */
    const badTokenAnswers = new Set<string>();
    const noTokenAnswers = new Set<string>();
    figures.routes = PROTECTED_ROUTES.length;
    figures.tokenVariants = matrixCallers.length;
    expect(PROTECTED_ROUTES.length).toBeGreaterThan(15);
    expect(PROTECTED_ROUTES.some((route) => route.access === 'admin')).toBe(true);

    for (const route of PROTECTED_ROUTES) {
      const call = callFor(route, contoso);
      for (const caller of matrixCallers.filter((candidate) => candidate.appliesTo(route))) {
        figures.cells += 1;
        const answer = await send(stack, call, caller.authorization);
        const cell = { route: route.name, caller: caller.name };
        const error = z
          .object({ error: z.object({ code: z.string(), message: z.string() }) })
          .safeParse(answer.body);
        const expectedCode = caller.refusal === 401 ? 'unauthorized' : 'forbidden';
        if (answer.status !== caller.refusal || error.data?.error.code !== expectedCode) {
          wrong.push({ ...cell, status: answer.status, body: answer.text.slice(0, 300) });
          continue;
        }
        errorOf(answer, caller.refusal);
        if (caller.refusal === 401) {
          if (answer.headers['www-authenticate'] !== 'Bearer')
            wrong.push({ ...cell, wwwAuthenticate: answer.headers['www-authenticate'] ?? null });
          const seen = JSON.stringify(seenAs(answer, { id: String(contoso.contractId) }));
          (caller.authorization === undefined ? noTokenAnswers : badTokenAnswers).add(seen);
        }
        figures.refused += 1;
      }
    }

    // Each answer beyond the one every bad token gets tells a caller which check failed.
    figures.leaksFound += Math.max(0, badTokenAnswers.size - 1);
    expect(wrong).toEqual([]);
    expect(figures.refused).toBe(figures.cells);
    // Whatever was wrong with a token, the caller learns only that it was refused.
    expect([...badTokenAnswers]).toHaveLength(1);
    expect([...noTokenAnswers]).toHaveLength(1);
    expect(
      [...badTokenAnswers, ...noTokenAnswers].map(
        (seen) => z.object({ text: z.string() }).parse(JSON.parse(seen)).text,
      ),
    ).toEqual([
      JSON.stringify({ error: { code: 'unauthorized', message: TOKEN_INVALID, details: [] } }),
      JSON.stringify({ error: { code: 'unauthorized', message: TOKEN_REQUIRED, details: [] } }),
    ]);
    expect(await untouched()).toEqual(before);
  }, 300_000);
});

describe('a valid token changed at random (seeded)', () => {
  /** Characters a change may put in: the base64url alphabet, and some that are not in it. */
  const CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=. %\u00e9';

  it('is refused with the one answer for bad tokens, unless it still decodes to the very same bytes', async () => {
    const before = await untouched();
    const segments = alex.split('.');
    const accepted: string[] = [];
    const wrong: unknown[] = [];
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.nat({ max: 2 }),
          fc.nat(),
          fc.constantFrom(...CHARS.split('')),
          fc.constantFrom('replace', 'insert', 'delete'),
          async (segment, at, char, how) => {
            const parts = [...segments];
            const original = parts[segment] ?? '';
            const position = at % Math.max(1, original.length);
            const changed =
              how === 'replace'
                ? `${original.slice(0, position)}${char}${original.slice(position + 1)}`
                : how === 'insert'
                  ? `${original.slice(0, position)}${char}${original.slice(position)}`
                  : `${original.slice(0, position)}${original.slice(position + 1)}`;
            if (changed === original) return;
            parts[segment] = changed;
            figures.tokenMutations += 1;
            const answer = await send(
              stack,
              { method: 'GET', path: 'settings/opportunity' },
              `Bearer ${parts.join('.')}`,
            );
            if (answer.status === 200) {
              // Base64url's last character carries bits no byte uses: a change there may decode to the same bytes.
              const same = Buffer.from(changed, 'base64url').equals(Buffer.from(original, 'base64url'));
              if (segment !== 2 || !same) wrong.push({ segment, how, position, char, status: 200 });
              accepted.push(changed);
              return;
            }
            const seen = seenAs(answer, {});
            // A space makes the header two words: no longer a bearer token at all.
            const message = changed.includes(' ') ? TOKEN_REQUIRED : TOKEN_INVALID;
            const expected = { error: { code: 'unauthorized', message, details: [] } };
            if (answer.status !== 401 || answer.text !== JSON.stringify(expected))
              wrong.push({ segment, how, position, char, seen });
          },
        ),
        { seed: SEED, numRuns: scaled(80, 2_000) },
      );
    } catch (error) {
      process.stdout.write(`token changes failed: replay with RELIABILITY_SEED=${String(SEED)}\n`);
      throw error;
    }
    figures.tokenMutationsAccepted = accepted.length;
    expect(wrong).toEqual([]);
    expect(figures.tokenMutations).toBeGreaterThan(0);
    expect(await untouched()).toEqual(before);
  }, 300_000);
});

/** GET /v1/contracts/{id} requests Oneflow answered for exactly this contract. */
async function contractReads(contractId: number): Promise<number> {
  const log = await requestLog(stack, 'oneflow');
  const exact = new RegExp(`/contracts/${String(contractId)}(\\?|$)`);
  return log.requests.filter((request) => request.route === CONTRACT_ROUTE && exact.test(request.url)).length;
}

describe('the Oneflow webhook', () => {
  /** A Fabrikam contract, synced there: named in a notification to Contoso's address. */
  const fabrikamContract = 2_000_000_777;
  let enqueued: ReturnType<typeof recordEnqueues>;

  beforeAll(async () => {
    enqueued = recordEnqueues(stack);
    const now = new Date().toISOString();
    await storeContracts(stack.services.store, [
      syncedContractRecord(FIXTURE.fabrikam, fabrikamContract, { createdAt: now, syncedAt: now }),
    ]);
  });

  const id = () => contoso.contractId;

  it.each<[string, () => [unknown, string, number, string]]>([
    [
      'forged signature',
      () => [{ ...notification(id()), signature: 'f'.repeat(40) }, 'contoso', 401, 'invalid_signature'],
    ],
    [
      "another org's sign key",
      () => [notification(id(), { signKey: FIXTURE.signKeys.fabrikam }), 'contoso', 401, 'invalid_signature'],
    ],
    [
      'missing signature',
      () => {
        const body: Partial<ReturnType<typeof notification>> = notification(id());
        delete body.signature;
        return [body, 'contoso', 400, 'bad_request'];
      },
    ],
    [
      'a valid signature for another callback id',
      () => {
        const signed = notification(id());
        return [{ ...notification(id()), signature: signed.signature }, 'contoso', 401, 'invalid_signature'];
      },
    ],
    // Answered as a wrong signature: a 404 would tell which org keys are set up.
    ['an unknown org key', () => [notification(id()), 'northwind', 401, 'invalid_signature']],
  ])('%s: refused, nothing queued, fetched or written', async (_, make) => {
    figures.webhookCases += 1;
    const [body, orgKey, status, code] = make();
    const before = await untouched();
    const queued = enqueued.length;
    const answer = await postNotification(stack, body, orgKey);
    expect(errorOf(answer, status).code).toBe(code);
    // Every refused signature, and an address no organisation has, read alike.
    if (status === 401)
      expect(answer.text).toBe(
        JSON.stringify({
          error: { code, message: 'The notification signature does not match', details: [] },
        }),
      );
    expect(enqueued.length).toBe(queued);
    expect(await untouched()).toEqual(before);
  });

  it('a replayed callback id (one already processed) is answered 200 and fetches nothing again, whichever contract it names', async () => {
    figures.webhookCases += 1;
    const watch = watchQueueTrigger();
    try {
      const first = notification(id());
      const readsBefore = await contractReads(id());
      expect((await postNotification(stack, first)).status).toBe(200);
      await settle(stack);
      const reads = await contractReads(id());
      expect(reads).toBeGreaterThan(readsBefore);
      expect(watch.attempts.filter((a) => a.callbackId === first.callback_id)).toHaveLength(1);
      const before = await untouched();

      const replay = await postNotification(stack, first);
      expect(replay.status).toBe(200);
      await settle(stack);
      const replays = watch.attempts.filter((a) => a.callbackId === first.callback_id);
      expect(replays.map((attempt) => attempt.outcome)).toEqual([expect.stringMatching(/./), 'duplicate']);
      expect(await contractReads(id())).toBe(reads);
      expect(await untouched()).toEqual(before);

      // The signature covers the callback id only: the same pair naming another synced contract is a replay too.
      figures.webhookCases += 1;
      const otherReads = await contractReads(secondContract);
      const moved = await postNotification(stack, { ...first, contract: { id: secondContract } });
      expect(moved.status).toBe(200);
      await settle(stack);
      expect(
        watch.attempts.filter((a) => a.callbackId === first.callback_id).map((attempt) => attempt.outcome),
      ).toEqual([expect.stringMatching(/./), 'duplicate', 'duplicate']);
      expect(await contractReads(secondContract)).toBe(otherReads);
      expect(await untouched()).toEqual(before);
    } finally {
      watch.restore();
    }
  });

  it.each<[string, () => [number, string, string]]>([
    // Contoso's valid signature naming Fabrikam's contract.
    [
      "Contoso's signature naming Fabrikam's contract",
      () => [fabrikamContract, 'contoso', FIXTURE.signKeys.contoso],
    ],
    // Fabrikam's valid signature naming Contoso's contract.
    ["Fabrikam's signature naming Contoso's contract", () => [id(), 'fabrikam', FIXTURE.signKeys.fabrikam]],
  ])("%s: queued, but the other tenant's contract is neither fetched nor written", async (_, make) => {
    figures.webhookCases += 1;
    const [contractId, orgKey, signKey] = make();
    const before = await untouched();
    const reads = await contractReads(contractId);
    const watch = watchQueueTrigger();
    try {
      const sent = notification(contractId, { signKey });
      const answer = await postNotification(stack, sent, orgKey);
      expect(answer.status).toBe(200);
      await settle(stack);
      // Processed, and dropped: the contract is not synced for the org whose address and key were used.
      expect(
        watch.attempts
          .filter((attempt) => attempt.callbackId === sent.callback_id)
          .map((attempt) => attempt.outcome),
      ).toEqual(['not_synced']);
    } finally {
      watch.restore();
    }
    expect(await contractReads(contractId)).toBe(reads);
    expect(await untouched()).toEqual(before);
  });
});

describe("Fabrikam's admin and seller against every resource of Contoso's", () => {
  /** Calls naming a contract, a record or a line: they must read for Contoso's exactly as for a missing one. */
  const named = (target: Target): [string, RouteCall][] => {
    const byName = (name: string) => {
      const route = PROTECTED_ROUTES.find((candidate) => candidate.name === name);
      if (!route) throw new Error(`no route ${name}`);
      return callFor(route, target);
    };
    const id = String(target.contractId);
    return [
      ['contract by record', byName('contractsGet')],
      ['push plan', byName('contractPlan')],
      ['fetch plan', { method: 'GET', path: `contracts/${id}/plan?action=fetch` }],
      ['compare', byName('contractCompare')],
      ['push', byName('contractPush')],
      ['fetch', byName('contractFetch')],
      ['unlink', byName('contractUnlink')],
      ['resolve conflicts', byName('conflictsResolve')],
      ['links of the contract', byName('linksList')],
      ['links by line id', { method: 'GET', path: `links?q=${target.lineId}` }],
      ['CSV of the contract', byName('linksExport')],
      ['update a link', byName('linkUpdate')],
      ['delete a link', byName('linkDelete')],
      ['activity of the contract', byName('activityList')],
      ['activity of the record', { method: 'GET', path: `activity?recordId=${target.recordId}` }],
    ];
  };

  /** What an answer must be, if not refused: empty. */
  const EmptyAnswer = z.union([
    z.object({ links: z.array(z.unknown()).length(0) }).loose(),
    z.object({ entries: z.array(z.unknown()).length(0) }).loose(),
  ]);

  function refusedOrEmpty(answer: ApiAnswer): boolean {
    if (answer.status >= 400 && answer.status < 500) return errorOf(answer, answer.status).code !== '';
    if (answer.status !== 200) return false;
    if (answer.headers['content-type']?.startsWith('text/csv'))
      return answer.text.trim().split('\n').length === 1;
    return EmptyAnswer.safeParse(answer.body).success;
  }

  it.each([
    ['admin', () => megan],
    ['seller', () => meganSeller],
  ])(
    "Fabrikam's %s: every resource of Contoso's is refused or empty, reads exactly like a missing one, nothing reached Dynamics or Oneflow, nothing written",
    async (_, token) => {
      const before = await untouched();
      const differ: unknown[] = [];
      const notRefused: unknown[] = [];
      const ours = named(contoso);
      const missing = named(MISSING);
      for (const [index, [what, call]] of ours.entries()) {
        const other = missing[index]?.[1];
        if (!other) throw new Error(`no missing-id call for ${what}`);
        figures.crossTenantCases += 1;
        const answer = await send(stack, call, `Bearer ${token()}`);
        const control = await send(stack, other, `Bearer ${token()}`);
        if (!refusedOrEmpty(answer))
          notRefused.push({ what, status: answer.status, body: answer.text.slice(0, 300) });
        const seenOurs = seenAs(answer, {
          contract: String(contoso.contractId),
          record: contoso.recordId,
          line: contoso.lineId,
        });
        const seenMissing = seenAs(control, {
          contract: String(MISSING.contractId),
          record: MISSING.recordId,
          line: MISSING.lineId,
        });
        if (JSON.stringify(seenOurs) !== JSON.stringify(seenMissing))
          differ.push({ what, contoso: seenOurs, missing: seenMissing });
      }
      figures.leaksFound += differ.length + notRefused.length;
      expect(notRefused).toEqual([]);
      expect(differ).toEqual([]);
      expect(await untouched()).toEqual(before);
    },
    120_000,
  );

  it("Fabrikam's continuation tokens made to resume at Contoso's rows (every partition of every table) page through nothing of Contoso's", async () => {
    const before = await untouched();
    const partitions = new Map<string, string>();
    for (const rows of Object.values(before.tables)) {
      for (const row of rows) {
        const partitionKey = String(row.partitionKey);
        if (!partitions.has(partitionKey)) partitions.set(partitionKey, String(row.rowKey));
      }
    }
    expect(partitions.size).toBeGreaterThan(3);
    const contosoIds = [
      ...FIXTURE.opportunityLines,
      contoso.recordId,
      `"contractId":${String(contoso.contractId)}`,
    ];
    const leaked: unknown[] = [];
    let pagesRead = 0;
    for (const listing of [
      ...listingsOf(FIXTURE.fabrikam, contoso),
      ...listingsOf(FIXTURE.fabrikam, MISSING),
    ]) {
      for (const [partitionKey, rowKey] of partitions) {
        figures.crossTenantCases += 1;
        const token = tokenResumingAt(listing, partitionKey, rowKey);
        const separator = listing.path.includes('?') ? '&' : '?';
        const answer = await send(
          stack,
          { method: 'GET', path: `${listing.path}${separator}continuationToken=${token}` },
          `Bearer ${megan}`,
        );
        if (answer.status === 200) pagesRead += 1;
        else if (errorOf(answer, 400).code !== 'bad_request')
          leaked.push({ listing: listing.path, status: answer.status });
        const found = contosoIds.filter((id) => answer.text.includes(id));
        if (found.length > 0) leaked.push({ listing: listing.path, partitionKey, found });
      }
    }
    figures.leaksFound += leaked.length;
    expect(leaked).toEqual([]);
    // The tokens were taken as the store's own: the listings were read from where they said.
    expect(pagesRead).toBeGreaterThan(0);
    expect(await untouched()).toEqual(before);
  }, 120_000);

  it.each([
    ['admin', () => megan],
    ['seller', () => meganSeller],
  ])(
    "Fabrikam's %s: Contoso's settings are neither read nor changed (get, put and reset with Contoso's etag, impact)",
    async (kind, token) => {
      const contosoSettings = await stack.api('GET', 'settings/opportunity', { token: alex });
      const etag = contosoSettings.headers.etag ?? '';
      expect(etag).not.toBe('');
      const before = await untouched();
      const caller = `Bearer ${token()}`;
      const settings = shippedDefaults('opportunity');
      figures.crossTenantCases += 4;

      const read = await send(stack, { method: 'GET', path: 'settings/opportunity' }, caller);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ isDefault: true, etag: null, updatedBy: null });
      expect(read.headers.etag).toBeUndefined();

      const writes: RouteCall[] = [
        { method: 'PUT', path: 'settings/opportunity', body: settings },
        { method: 'POST', path: 'settings/opportunity/reset' },
      ];
      for (const call of writes) {
        const withOurs = await stack.api(call.method, call.path, {
          ...(call.body === undefined ? {} : { body: call.body }),
          headers: { authorization: caller, 'if-match': etag },
        });
        const withMadeUp = await stack.api(call.method, call.path, {
          ...(call.body === undefined ? {} : { body: call.body }),
          headers: { authorization: caller, 'if-match': 'W/"datetime\'2020-01-01T00%3A00%3A00.0000000Z\'"' },
        });
        // Refused: for the seller by role; for the admin, Contoso's etag matches nothing of Fabrikam's (a save
        // checks its body against Fabrikam's own Dynamics first, which in this stack refuses other tenants).
        expect(withOurs.status).toBeGreaterThanOrEqual(400);
        if (kind === 'seller') expect(errorOf(withOurs, 403).code).toBe('forbidden');
        else expect(errorOf(withOurs, withOurs.status).code).not.toBe('forbidden');
        expect(seenAs(withOurs, { etag })).toEqual(
          seenAs(withMadeUp, { etag: 'W/"datetime\'2020-01-01T00%3A00%3A00.0000000Z\'"' }),
        );
      }

      const impact = await send(
        stack,
        { method: 'POST', path: 'settings/opportunity/impact', body: settings },
        caller,
      );
      if (kind === 'admin') {
        expect(impact.status).not.toBe(403);
        expect(impact.text).not.toContain(String(contoso.contractId));
      } else {
        expect(errorOf(impact, 403).code).toBe('forbidden');
      }
      // Fabrikam's admin may read Fabrikam's own Dynamics (the same simulator here): Oneflow and the tables only.
      const after = await untouched();
      expect(after.tables).toEqual(before.tables);
      expect(after.requests.oneflow).toBe(before.requests.oneflow);
      const contosoAfter = await stack.api('GET', 'settings/opportunity', { token: alex });
      expect(contosoAfter.headers.etag).toBe(etag);
    },
    60_000,
  );
});

describe('positive controls: a valid caller is let through every route', () => {
  it('a valid token per route (Sam on admin routes, Alex on the others) is not refused; the automation (sync role) is let through every user route', async () => {
    const automation = await automationToken(stack);
    const refused: unknown[] = [];
    for (const route of PROTECTED_ROUTES) {
      const call = callFor(route, contoso);
      const users =
        route.access === 'admin'
          ? [['sam', sam]]
          : [
              ['alex', alex],
              ['automation', automation],
            ];
      for (const [who, token] of users) {
        figures.positiveControls += 1;
        const answer = await send(stack, call, `Bearer ${token ?? ''}`);
        const code = z.object({ error: z.object({ code: z.string() }) }).safeParse(answer.body).data
          ?.error.code;
        if (answer.status === 401 || code === 'unauthorized' || code === 'forbidden')
          refused.push({ route: route.name, who, status: answer.status, body: answer.text.slice(0, 300) });
      }
    }
    expect(refused).toEqual([]);
    await settle(stack);
  }, 300_000);
});
