import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ConnectorConformance,
  readConnectorDefinition,
  type ConformanceReport,
  type Exchange,
} from './connectorConformance';
import { PUBLISH, useOneflowSimulator, USER_EMAIL } from '../testSupport';

/**
 * The simulator checked against Oneflow's certified connector definition: the checker itself first (it must catch
 * what it is there to catch), then every operation of the definition the simulator implements, answered as the
 * simulator answers it, with no violation left.
 */

const exchange = (overrides: Partial<Exchange>): Exchange => ({
  method: 'GET',
  path: '/ping',
  headers: {},
  requestBody: undefined,
  status: 200,
  answerBody: {},
  ...overrides,
});

/** What the simulator's hooks do for one exchange: its request once it reaches a route, then its answer. */
function checkExchange(checker: ConnectorConformance, exchanged: Exchange): void {
  checker.checkRequest(exchanged);
  checker.checkAnswer(exchanged);
}

describe('the connector-definition checker', () => {
  it('names its source: repository, path and commit', () => {
    const { source } = readConnectorDefinition();
    expect(source).toMatchObject({
      repository: 'microsoft/PowerPlatformConnectors',
      path: 'certified-connectors/Oneflow/apiDefinition.swagger.json',
    });
    expect(source.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('refuses a string quantity in a product written by a client, naming the field', () => {
    const checker = new ConnectorConformance();
    checkExchange(
      checker,
      exchange({
        method: 'PUT',
        path: '/contracts/1/products/2',
        headers: { 'user-agent': 'some-client' },
        requestBody: { quantity: { type: 'quantity', amount: '10' } },
        answerBody: { id: 2 },
      }),
    );
    const [violation, ...others] = checker.report().violations;
    expect(others).toEqual([]);
    expect(violation).toMatchObject({ direction: 'request', client: 'some-client', method: 'PUT' });
    expect(violation?.problems.join()).toContain('/quantity/amount must be integer');
  });

  it('counts a fractional quantity as the listed difference, not a violation', () => {
    const checker = new ConnectorConformance();
    checkExchange(
      checker,
      exchange({
        method: 'POST',
        path: '/contracts/1/product_groups/3/products',
        requestBody: { name: 'Seat', quantity: { type: 'quantity', amount: 2.5 } },
        answerBody: { id: 4, quantity: { type: 'quantity', amount: 2.5 } },
      }),
    );
    const report = checker.report();
    expect(report.violations).toEqual([]);
    expect(report.known).toEqual({ 'fractional-quantity': 2 });
  });

  it('catches an answer whose types differ from the definition', () => {
    const checker = new ConnectorConformance();
    checkExchange(
      checker,
      exchange({
        path: '/contracts/101',
        answerBody: { id: '101', _private: { value: { amount: 12.5, currency: 'EUR' } }, product_groups: {} },
      }),
    );
    const problems = checker.report().violations.flatMap((violation) => violation.problems);
    expect(problems.join('\n')).toMatch(/\/id must be integer/);
    expect(problems.join('\n')).toMatch(/\/_private\/value\/amount must be string/);
    expect(problems.join('\n')).toMatch(/\/product_groups must be array/);
  });

  it('checks error answers against the Error definition and required headers on requests', () => {
    const checker = new ConnectorConformance();
    checkExchange(
      checker,
      exchange({ path: '/helpers/contract_create_data/', status: 404, answerBody: { status: '404' } }),
    );
    const violations = checker.report().violations;
    expect(violations.map((violation) => violation.direction).sort()).toEqual(['answer', 'request']);
    expect(violations.flatMap((violation) => violation.problems).join('\n')).toMatch(
      /header x-oneflow-workspace-id is required[\s\S]*\/status must be number/,
    );
  });

  it('checks webhook notifications, with the Oneflow time format as the listed difference', () => {
    const checker = new ConnectorConformance();
    const event = { created_time: '2020-07-06T15:14:14+0000', id: 1, type: 'contract:publish' };
    checker.checkNotification({ contract: { id: 101 }, callback_id: 'abc', events: [event] }, 'http://x');
    checker.checkNotification({ contract: { id: '101' }, callback_id: 'abc', events: [event] }, 'http://x');
    const report = checker.report();
    expect(report.known).toEqual({ 'oneflow-time-format': 2 });
    expect(report.violations).toHaveLength(1);
    expect(report.violations[0]?.problems.join()).toContain('/contract/id must be number');
  });

  it('takes an int32 field with a fraction or out of range as a violation', () => {
    const checker = new ConnectorConformance();
    checkExchange(
      checker,
      exchange({
        method: 'POST',
        path: '/contracts/create',
        requestBody: { workspace_id: 1.5, template_id: 2 ** 31 },
      }),
    );
    const problems = checker
      .report()
      .violations.flatMap((violation) => violation.problems)
      .join('\n');
    expect(problems).toMatch(/\/workspace_id must match format "int32"/);
    expect(problems).toMatch(/\/template_id must match format "int32"/);
  });
});

describe('the Oneflow simulator against the connector definition', () => {
  const { call } = useOneflowSimulator();
  let receiver: Server;
  let callbackUrl = '';

  beforeAll(async () => {
    receiver = createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    callbackUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await new Promise((resolve) => receiver.close(resolve));
  });

  const report = async (): Promise<ConformanceReport> =>
    (await call('GET', '/_sim/conformance')).body as ConformanceReport;

  it('answers every operation it implements as the definition describes, errors included', async () => {
    await call('DELETE', '/_sim/conformance');
    const as = { 'x-oneflow-user-email': USER_EMAIL };
    expect((await call('GET', '/v1/ping')).status).toBe(200);
    const hook = await call('POST', '/v1/webhooks', { body: { callback_url: callbackUrl, sign_key: 'k' } });
    expect(hook.status).toBe(200);
    const created = await call('POST', '/v1/contracts/create', {
      headers: as,
      body: {
        workspace_id: 130406,
        template_id: 756510,
        name: 'Conformance',
        product_groups: [
          {
            id: 9001,
            products: [
              {
                name: 'Seat',
                price_1: { base_amount: { amount: '10.00' } },
                quantity: { type: 'quantity', amount: 3 },
              },
            ],
          },
        ],
      },
    });
    expect(created.status).toBe(200);
    const contract = created.body as {
      id: number;
      product_groups: { id: number; products: { id: number }[] }[];
    };
    const group = contract.product_groups[0];
    const product = group?.products[0];
    if (!group || !product) throw new Error('the created contract has no product');
    const base = `/v1/contracts/${contract.id}`;
    const webhookId = (hook.body as { webhook_id: number }).webhook_id;
    const calls: [string, string, number, unknown?, Record<string, string>?][] = [
      ['GET', base, 200],
      // The connector's paths end in a slash here; Oneflow answers both.
      ['GET', `${base}/`, 200],
      ['GET', `${base}/products`, 200],
      ['GET', `${base}/products/${product.id}`, 200],
      ['PUT', `${base}/products/${product.id}`, 200, { quantity: { type: 'quantity', amount: 4 } }],
      ['PUT', `${base}/product_groups/${group.id}/products/${product.id}`, 200, { name: 'Seat licence' }],
      [
        'POST',
        `${base}/product_groups/${group.id}/products`,
        200,
        { name: 'Support', quantity: { amount: 1 } },
      ],
      ['GET', `${base}/product_groups`, 200],
      ['GET', `${base}/product_groups/${group.id}`, 200],
      ['PUT', `${base}/product_groups/${group.id}`, 200, { products: [{ id: product.id, name: 'Seat' }] }],
      ['PUT', `${base}/product_groups`, 200, { product_groups: [{ id: group.id }] }],
      ['PUT', `${base}/data_fields/c::dynamics_entity`, 200, { value: 'opportunity' }],
      ['GET', '/v1/workspaces', 200],
      ['GET', '/v1/helpers/contract_create_data/', 200, undefined, { 'x-oneflow-workspace-id': '130406' }],
      ['GET', '/v1/helpers/contract_create_data/', 400],
      ['GET', '/v1/templates/756510', 200],
      ['GET', '/v1/template_types', 200],
      ['GET', '/v1/template_types/4001', 200],
      ['POST', `${base}/publish`, 200, PUBLISH],
      ['GET', '/v1/contracts/999999', 404],
      ['POST', '/v1/contracts/create', 400, { workspace_id: 130406 }],
      ['PUT', `${base}/products/${product.id}`, 400, { quantity: { amount: '5' } }],
      ['DELETE', `${base}/`, 200],
      ['DELETE', `/v1/webhooks/${webhookId}`, 200],
    ];
    for (const [method, path, status, body, headers] of calls) {
      const answer = await call(method, path, { headers: { ...as, ...headers }, body });
      expect({ method, path, status: answer.status }).toEqual({ method, path, status });
    }
    const found = await report();
    expect(found.violations.filter((violation) => violation.direction !== 'request')).toEqual([]);
    // The requests this test sent wrong on purpose, and only those.
    expect(
      found.violations.map((violation) => [violation.check, violation.method, violation.problems]),
    ).toEqual([
      ['webhookRegister', 'POST', ["(body) must have required property 'filters' (#/required)"]],
      [
        'GetTemplatesForWorkspace (as its script receives it)',
        'GET',
        ['header x-oneflow-workspace-id is required'],
      ],
      ['CreateAContract', 'POST', ["(body) must have required property 'template_id' (#/required)"]],
      [
        'Product_For_Create → Product',
        'PUT',
        [expect.stringContaining('/quantity/amount must be integer') as unknown],
      ],
    ]);
    for (const operation of [
      'Ping',
      'webhookRegister',
      'CreateAContract',
      'GetContract',
      'GetContractStatus',
      'PublishContract',
      'DeleteAContractById',
      'DeleteTrigger',
      'Product page',
      'Product',
      'Product_For_Create → Product',
      'Product_Group page',
      'Product_Group',
      'Product_Group bulk',
      'WebhookNotification',
      'UpdateDataField',
      'GetWorkspaces',
      'GetTemplatesForWorkspace (as its script receives it)',
      'Template (as the connector script reads it)',
      'GetTemplateTypes',
      'GetTemplateByTemplateId (as its script sends it)',
    ]) {
      expect({ operation, checked: (found.checked[operation] ?? 0) > 0 }).toEqual({
        operation,
        checked: true,
      });
    }
  });
});
