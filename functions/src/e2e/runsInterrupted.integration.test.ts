import axios from 'axios';
import { LEASE_TTL_MS } from '../state/lease';
import type { ActivityEntry } from '../state/store';
import { startHostProcess, type HostProcess } from '../testing/hostProcess';
import { FIXTURE, startStack, type Stack } from '../testing/stack';
import { dynamicsSide, publishContract } from './syncE2eSupport';
import {
  createContract,
  fixtureWithOpportunities,
  LINE,
  opportunity,
  productsByLine,
  until,
} from './webhookSupport';

/**
 * A run killed mid-way (the Function app's process dies during a push) leaves a trace: its contract is free again
 * within the lease's seconds, the busy answer meanwhile says how long, and once anything looks at the contract
 * again (the next run, the activity list, the contract answer) its activity entry is `interrupted`, with the
 * writes Oneflow had confirmed and those it had not. The push runs in a second Function app process (the local
 * runner, as `npm start` runs it) on the same Azurite and simulators, so it can be killed for real.
 */

jest.setTimeout(120_000);

const UPDATE_ROUTE = 'PUT /v1/contracts/:id/products/:productId';

let stack: Stack;
let host: HostProcess | null = null;

beforeAll(async () => {
  stack = await startStack();
  const loaded = await stack.sim('dataverse', 'POST', '/_sim/fixture', fixtureWithOpportunities(2));
  if (loaded.status !== 200) throw new Error(`Dataverse fixture: ${loaded.text}`);
}, 60_000);

afterAll(async () => {
  await host?.kill();
  await stack.close();
});

const interrupted = (entries: readonly ActivityEntry[]) => entries.filter((e) => e.outcome === 'interrupted');

test('a push killed mid-way: the contract is free in seconds, and the next look shows it interrupted with what it wrote', async () => {
  const alex = await stack.token('alex');
  const dynamics = dynamicsSide(stack);
  // Two contracts pushed by the same doomed process: one is looked at next by a push, one by the activity list.
  const records = [opportunity(1), opportunity(2)] as const;
  const contracts: number[] = [];
  for (const record of records) {
    const contractId = await createContract(stack, record.id);
    contracts.push(contractId);
    // Sent, so the push writes one product per request (a draft's table would go in one bulk write).
    await publishContract(stack, contractId);
    // The push will delete one product (fast), then update two (slow): it dies between the two.
    await dynamics.remove(record.lines[LINE.writeIn]);
    await dynamics.update(record.lines[LINE.widget], { quantity: 4 });
    await dynamics.update(record.lines[LINE.support], { quantity: 5 });
  }
  const [byRun = 0, byList = 0] = contracts;
  await stack.sim('oneflow', 'PUT', '/_sim/faults', {
    seed: 1,
    routes: { [UPDATE_ROUTE]: { latencyMs: 8_000 } },
  });

  host = await startHostProcess({ simulators: stack.simulators, storage: stack.azurite.connectionString });
  const doomed = host;
  const pushes = contracts.map((contractId) =>
    axios
      .post(`${doomed.url}/api/contracts/${String(contractId)}/push`, undefined, {
        headers: { authorization: `Bearer ${alex}` },
        validateStatus: () => true,
      })
      .catch(() => null),
  );
  // Both runs have started and Oneflow confirmed each one's delete; their updates are on the wire.
  for (const contractId of contracts) {
    await until(
      `the delete of contract ${String(contractId)} to be confirmed`,
      async () => {
        const run = await stack.services.store.runs.get(FIXTURE.contoso, contractId);
        return run !== null && run.written.length === 1;
      },
      30_000,
    );
  }
  await doomed.kill();
  const killedAt = Date.now();
  host = null;
  await Promise.all(pushes);
  await stack.sim('oneflow', 'PUT', '/_sim/faults', { seed: 1, routes: {} });

  // Until the dead run's lease runs out the contract is busy, and the answer says for how long.
  const busy = await stack.api('POST', `contracts/${String(byRun)}/push`, { token: alex });
  expect(busy.status).toBe(409);
  const retryAfterSeconds = (busy.body as { error: { retryAfterSeconds: number } }).error.retryAfterSeconds;
  expect(retryAfterSeconds).toBeGreaterThanOrEqual(1);
  expect(retryAfterSeconds).toBeLessThanOrEqual(LEASE_TTL_MS / 1000);
  expect(busy.headers['retry-after']).toBe(String(retryAfterSeconds));
  // Meanwhile the run shows as running: its lease has not run out, so nobody can tell it is dead yet.
  const during = await stack.api('GET', `activity?contractId=${String(byList)}`, { token: alex });
  expect((during.body as { entries: ActivityEntry[] }).entries[0]?.outcome).toBe('running');

  // The next run, once the lease is free (within the lease's seconds of the kill), finds and records it.
  const next = await until(
    'the contract to be free again',
    async () => {
      const answer = await stack.api('POST', `contracts/${String(byRun)}/push`, { token: alex });
      return answer.status === 200 ? answer : null;
    },
    LEASE_TTL_MS + 10_000,
  );
  // Seconds, not the two minutes a dead run used to hold it (the margin is for a loaded machine).
  expect(Date.now() - killedAt).toBeLessThanOrEqual(LEASE_TTL_MS + 5_000);
  // The dead run's updates may still have reached Oneflow after it died ("may or may not have been made"):
  // either way the next push converges.
  expect(['applied', 'nothing_to_do']).toContain((next.body as { outcome: string }).outcome);

  // The other contract: the activity list (by record) is the first to look at it again.
  const listed = await stack.api('GET', `activity?recordId=${records[1].id}`, { token: alex });
  const listedEntries = (listed.body as { entries: ActivityEntry[] }).entries;
  expect(listedEntries.map((entry) => [entry.action, entry.outcome])).toEqual([
    ['push', 'interrupted'],
    ['initial_transfer', 'applied'],
  ]);
  const contractAnswer = await stack.api('GET', `contracts?entity=opportunity&recordId=${records[1].id}`, {
    token: alex,
  });
  expect(contractAnswer.body).toMatchObject({ lastActivity: { action: 'push', outcome: 'interrupted' } });

  for (const [index, contractId] of contracts.entries()) {
    const record = records[index];
    if (!record) throw new Error('no record');
    const entries = await stack.services.store.activity.list(FIXTURE.contoso, { contractId, limit: 10 });
    const [entry] = interrupted(entries);
    expect(interrupted(entries)).toHaveLength(1);
    expect(entry).toMatchObject({
      action: 'push',
      actor: { kind: 'user', id: FIXTURE.users.alex.oid },
      summary: { productsDeleted: 1, productsUpdated: 2 },
    });
    expect(entry?.message).toBe(
      'Push to Oneflow: interrupted, it never finished (the server stopped or timed out). 1 of 3 planned writes were confirmed; the rest may or may not have been made. Run it again: it compares both sides afresh and finishes the rest.',
    );
    const notes = new Map(entry?.changes.filter((c) => c.side !== null).map((c) => [c.lineId, c.note]));
    expect(notes.get(record.lines[LINE.writeIn])).toContain('Written before the run stopped');
    expect(notes.get(record.lines[LINE.widget])).toContain('Not confirmed');
    expect(notes.get(record.lines[LINE.support])).toContain('Not confirmed');
    expect(await stack.services.store.runs.get(FIXTURE.contoso, contractId)).toBeNull();
  }

  // The next push finished what the killed one began: Oneflow matches Dynamics.
  const products = await productsByLine(stack, byRun);
  expect(products.has(records[0].lines[LINE.writeIn])).toBe(false);
  expect(Number(products.get(records[0].lines[LINE.widget])?.quantity?.amount)).toBe(4);
  expect(Number(products.get(records[0].lines[LINE.support])?.quantity?.amount)).toBe(5);
});
