import { ONEFLOW_USER_AGENT } from '../oneflow/oneflowClient';
import { OneflowConformanceError } from '../testing/oneflowConformance';
import { startStack } from '../testing/stack';
import { isAlive } from '../testing/processes';

/**
 * Every end-to-end suite ends by asking the Oneflow simulator what its connector-definition check found; a
 * product request or a simulator answer that differs from Oneflow's definition fails the suite. This proves the
 * wiring: a request in the product's name that the definition refuses is reported when the stack closes.
 */
jest.setTimeout(120_000);

const TOKEN = '0f1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5';
const stringQuantity = { quantity: { type: 'quantity', amount: '3' } };

describe('the connector-definition check of an end-to-end stack', () => {
  it("fails the stack's close on a product request the definition refuses, naming the field, and stops everything", async () => {
    const stack = await startStack();
    // No such product: the body is checked all the same, as it reached the route.
    const answer = await stack
      .sim('oneflow', 'PUT', '/v1/contracts/101/products/1', stringQuantity, {
        'x-oneflow-api-token': TOKEN,
        'user-agent': ONEFLOW_USER_AGENT,
      })
      .catch(async (error: unknown) => {
        await stack.close().catch(() => undefined);
        throw error;
      });
    const closing = stack.close();
    expect(answer.status).toBe(404);
    await expect(closing).rejects.toBeInstanceOf(OneflowConformanceError);
    await expect(closing).rejects.toThrow(
      /request PUT \/contracts\/101\/products\/1 .*\/quantity\/amount must be integer/,
    );
    expect(isAlive(stack.simulators.pid)).toBe(false);
  });

  it("leaves out a test's own malformed requests: they are not the product's", async () => {
    const stack = await startStack();
    const answer = await stack.sim('oneflow', 'PUT', '/v1/contracts/101/products/1', stringQuantity, {
      'x-oneflow-api-token': TOKEN,
    });
    const closing = stack.close();
    expect(answer.status).toBe(404);
    await expect(closing).resolves.toBeUndefined();
  });
});
