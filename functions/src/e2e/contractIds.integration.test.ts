import { FIXTURE, startStack, type ApiAnswer, type Stack } from '../testing/stack';
import { activity, clearRequestLogs, createContract, requestLog } from './webhookSupport';

/**
 * Contract ids in addresses and queries are plain decimal integers, over real HTTP against the simulators and
 * Azurite: every other spelling of a real contract's id is a 400 naming the parameter, and nothing is read from
 * Oneflow or written anywhere. A number parser would take `0x3e9`, `00001001`, `1001.0`, `1e3` or ` 1001 ` for a
 * contract, so one contract would have many addresses.
 */

jest.setTimeout(60_000);

let stack: Stack;
let contractId: number;
let alex: string;
let sam: string;
const line = FIXTURE.opportunityLines[0];

beforeAll(async () => {
  stack = await startStack();
  contractId = await createContract(stack, FIXTURE.opportunity);
  // The spellings below are of 1001, the simulator's first contract: each would reach this contract.
  if (contractId !== 1001) throw new Error(`the first contract is ${String(contractId)}, not 1001`);
  [alex, sam] = await Promise.all([stack.token('alex'), stack.token('sam')]);
}, 60_000);

afterAll(async () => {
  await stack.close();
});

/** The contract's id written another way: each reads as this contract (or passed the check) to a number parser. */
function spellings(id: number): [string, string][] {
  const plain = String(id);
  return [
    ['hexadecimal', `0x${id.toString(16)}`],
    ['leading zeros', `0000${plain}`],
    ['a decimal point', `${plain}.0`],
    ['surrounding spaces', ` ${plain} `],
    ['an exponent', `${plain.slice(0, 1)}e${String(plain.length - 1)}`],
    ['a plus sign', `+${plain}`],
    ['a minus sign', `-${plain}`],
    ['zero', '0'],
    ['beyond the largest safe integer', '9007199254740993'],
    ['full-width digits', plain.replace(/[0-9]/g, (digit) => String.fromCharCode(0xff10 + Number(digit)))],
  ];
}

type Call = (id: string) => Promise<ApiAnswer>;

const segment = (id: string) => encodeURIComponent(id);
const ROUTES: [string, string, Call][] = [
  [
    'GET contracts/{id}/plan',
    'params.id',
    (id) => stack.api('GET', `/contracts/${segment(id)}/plan?action=push`, { token: alex }),
  ],
  [
    'GET contracts/{id}/compare',
    'params.id',
    (id) => stack.api('GET', `/contracts/${segment(id)}/compare`, { token: alex }),
  ],
  [
    'POST contracts/{id}/push',
    'params.id',
    (id) => stack.api('POST', `/contracts/${segment(id)}/push`, { token: alex }),
  ],
  [
    'POST contracts/{id}/fetch',
    'params.id',
    (id) => stack.api('POST', `/contracts/${segment(id)}/fetch`, { token: alex }),
  ],
  [
    'POST contracts/{id}/conflicts/resolve',
    'params.id',
    (id) =>
      stack.api('POST', `/contracts/${segment(id)}/conflicts/resolve`, {
        token: alex,
        body: { resolutions: [{ lineId: line, oneflowField: 'quantity', keep: 'dynamics' }] },
      }),
  ],
  [
    'PATCH links/{contractId}/{lineId}',
    'params.contractId',
    (id) => stack.api('PATCH', `/links/${segment(id)}/${line}`, { token: sam, body: { state: 'active' } }),
  ],
  [
    'DELETE links/{contractId}/{lineId}',
    'params.contractId',
    (id) => stack.api('DELETE', `/links/${segment(id)}/${line}`, { token: sam }),
  ],
  [
    'GET links?contractId=',
    'query.contractId',
    (id) => stack.api('GET', `/links?contractId=${segment(id)}`, { token: alex }),
  ],
  [
    'GET activity?contractId=',
    'query.contractId',
    (id) => stack.api('GET', `/activity?contractId=${segment(id)}`, { token: alex }),
  ],
];

describe('the contract exists and its plain id addresses it', () => {
  test.each(ROUTES.filter(([name]) => name.startsWith('GET')))(
    '%s with the plain id answers 200',
    async (_, __, call) => {
      expect((await call(String(contractId))).status).toBe(200);
    },
  );
});

describe('every other spelling of the id is a 400 naming the parameter, and nothing is read or written', () => {
  const cases = ROUTES.flatMap(([route, field, call]) =>
    spellings(1001).map(([form, id]): [string, string, string, string, Call] => [
      route,
      form,
      id,
      field,
      call,
    ]),
  );

  test.each(cases)('%s with %s (%j) → 400 %s', async (_, __, id, field, call) => {
    const before = (await activity(stack, contractId)).length;
    await clearRequestLogs(stack);

    const answer = await call(id);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      error: {
        code: 'bad_request',
        message: field.startsWith('query.')
          ? 'The query parameters are not valid'
          : 'The address is not valid',
        details: [
          {
            field,
            message: /^[1-9][0-9]*$/.test(id)
              ? 'must be at most 9007199254740991'
              : 'must be a contract id: a whole number in plain digits without leading zeros, like 1001',
          },
        ],
      },
    });
    expect((await requestLog(stack, 'oneflow')).total).toBe(0);
    expect((await requestLog(stack, 'dataverse')).total).toBe(0);
    expect(await activity(stack, contractId)).toHaveLength(before);
  });
});

describe('counts in queries are plain decimal digits too', () => {
  const PLAIN = 'must be a whole number in plain digits without leading zeros, like 50';
  test.each([
    ['links', '0x10', PLAIN],
    ['links', ' 5 ', PLAIN],
    ['links', '5.0', PLAIN],
    ['links', '0', PLAIN],
    ['links', '1001', 'must be at most 1000'],
    ['activity', '1e1', PLAIN],
    ['activity', '201', 'must be at most 200'],
  ])('GET %s?limit=%j → 400 naming query.limit', async (route, limit, message) => {
    const answer = await stack.api(
      'GET',
      `/${route}?contractId=${String(contractId)}&limit=${segment(limit)}`,
      {
        token: alex,
      },
    );
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: { details: [{ field: 'query.limit', message }] } });
  });

  test.each(['links', 'activity'])('GET %s?limit=1 answers exactly one row', async (route) => {
    const answer = await stack.api('GET', `/${route}?contractId=${String(contractId)}&limit=1`, {
      token: alex,
    });
    expect(answer.status).toBe(200);
    const rows = Object.values(answer.body as Record<string, unknown[]>)[0];
    expect(rows?.length).toBe(1);
  });
});
