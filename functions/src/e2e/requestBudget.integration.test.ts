/**
 * One Oneflow request budget per org token in the process: every request of the org takes a slot, and an action
 * that would have to wait minutes for one fails at once with `oneflow_busy`, saying when to try again, before
 * Oneflow itself refuses anything.
 */
import { oneflowBudgetLeft, requestBudgetOf } from '../oneflow/requestBudget';
import { FIXTURE, startStack, type Stack } from '../testing/stack';
import {
  clearLogs,
  createContract,
  dynamicsSide,
  expectStatus,
  loadRecords,
  requestLog,
  runAction,
  type TestRecord,
} from './syncE2eSupport';

const BUDGET = 5;

/** The fixture orgs' token, as the services see it, with a budget small enough to spend in a test. */
const org = {
  secrets: { oneflowToken: FIXTURE.oneflowToken, webhookSignKey: 'unused' },
  oneflow: {
    apiUrl: 'http://127.0.0.1/v1',
    userEmail: 'alex.seller@contoso.example',
    workspaceId: FIXTURE.workspaceId,
    templateId: FIXTURE.templateId,
    bulkDraftWrites: true,
    requestBudget: BUDGET,
  },
};

let stack: Stack;
let record: TestRecord;

beforeAll(async () => {
  // Made before the services: the budget of a token is made once per process, so theirs is this one.
  requestBudgetOf(org);
  stack = await startStack();
  const [loaded] = (await loadRecords(stack, { standard: 1 })).records;
  if (!loaded) throw new Error('no record');
  record = loaded;
}, 60_000);

afterAll(async () => {
  await stack.close();
});

test("an org's Oneflow requests stop at its budget: the next action answers 503 oneflow_busy at once, saying when, and Oneflow never answers 429", async () => {
  const alex = await stack.token('alex');
  const { contractId } = (await createContract(stack, alex, record.id)).contract;
  // Each push reads the contract: one request, until none is left.
  while (oneflowBudgetLeft(org).left > 0) {
    expect((await runAction(stack, alex, contractId, 'push')).outcome).toBe('nothing_to_do');
  }
  expect(oneflowBudgetLeft(org)).toMatchObject({ limit: BUDGET, used: BUDGET, left: 0 });
  await dynamicsSide(stack).update(record.lines[0], { quantity: 17 });
  await clearLogs(stack);

  const answer = await stack.api('POST', `contracts/${String(contractId)}/push`, { token: alex });

  expectStatus(answer, 503);
  const error = (answer.body as { error: { code: string; message: string } }).error;
  expect(error.code).toBe('oneflow_busy');
  expect(error.message).toMatch(
    /used the 5 requests it allows itself per 5 minutes; try again in \d+ seconds/,
  );
  const retryAfter = Number(answer.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(5);
  expect(retryAfter).toBeLessThanOrEqual(300);
  // Nothing was sent: Oneflow saw no request, so it had nothing to refuse.
  expect((await requestLog(stack, 'oneflow')).total).toBe(0);
  expect(oneflowBudgetLeft(org).used).toBe(BUDGET);
}, 30_000);
