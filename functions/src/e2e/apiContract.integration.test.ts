import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import {
  API_ERROR_CODES,
  API_ROUTES,
  answerOf,
  ErrorAnswerSchema,
  type RouteContract,
} from '@oneflow-sync/shared';
import { matchRoute } from '../http/routeMatch';
import { ROUTES } from '../registry';
import { FIXTURE, startStack, type ApiAnswer, type Stack } from '../testing/stack';
import { generateApiExamples } from './apiExamples';
import { API_DOC } from './writeApiExamples';

/**
 * The API contract in `@oneflow-sync/shared` (what the controls import) is what the product answers: every route
 * of the registry has its contract, and every answer of a story that reaches them all (docs/api.md's, then each
 * route without a token and each admin route as a plain user) passes its schema, error answers included. A
 * schema that lets an answer through only by dropping fields it does not know fails too: answers are closed.
 */

jest.setTimeout(180_000);

const CONTRACTS: Readonly<Record<string, RouteContract>> = API_ROUTES;

interface Checked {
  route: string;
  status: number;
  problems: string[];
}

/** The problems of one answer against its route's contract (none when it conforms). */
function problemsOf(contract: RouteContract, answer: ApiAnswer): string[] {
  const expected = answerOf(contract, answer.status);
  if ('empty' in expected) return answer.text === '' ? [] : [`expected no body, got ${answer.text}`];
  if ('csv' in expected) {
    const [header] = answer.text.split(/\r?\n/);
    const problems: string[] = [];
    if (!(answer.headers['content-type'] ?? '').startsWith('text/csv')) problems.push('not text/csv');
    if (header !== expected.csv.join(',')) problems.push(`CSV header is ${String(header)}`);
    return problems;
  }
  const parsed = expected.json.safeParse(answer.body);
  if (!parsed.success) {
    return parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  }
  // A schema strips what it does not know: the answer must be exactly what it let through.
  return isDeepStrictEqual(JSON.parse(JSON.stringify(parsed.data)), answer.body)
    ? []
    : [`the answer has fields its schema does not name: ${answer.text.slice(0, 300)}`];
}

let stack: Stack;
const checked: Checked[] = [];

/** The stack, with every API answer checked against the contract of the route that served it. */
function checkingStack(real: Stack): Stack {
  return {
    ...real,
    async api(method, path, options) {
      const answer = await real.api(method, path, options);
      const [pathOnly = ''] = path.replace(/^\//, '').split('?');
      const match = matchRoute(ROUTES, method, pathOnly);
      if (match === null || match === 'method_not_allowed') {
        throw new Error(`${method} ${path} is not a route of the registry`);
      }
      const contract = CONTRACTS[match.route.name];
      checked.push({
        route: match.route.name,
        status: answer.status,
        problems: contract ? problemsOf(contract, answer) : ['no contract'],
      });
      return answer;
    },
  };
}

/** A concrete address of a route template (the values need not exist: the caller is refused first). */
function addressOf(route: string): string {
  return route
    .replace('{entity}', 'opportunity')
    .replace('{id}', '1001')
    .replace('{contractId}', '1001')
    .replace('{lineId}', FIXTURE.opportunityLines[0])
    .replace('{orgKey}', 'contoso');
}

beforeAll(async () => {
  stack = await startStack();
  const checking = checkingStack(stack);
  await generateApiExamples(checking);
  const alex = await stack.token('alex');
  for (const route of ROUTES) {
    if (route.access === 'public') continue;
    const [method = 'GET'] = route.methods;
    await checking.api(method, addressOf(route.route));
    if (route.access === 'admin') {
      await checking.api(method, addressOf(route.route), { token: alex, body: {} });
    }
  }
}, 170_000);

afterAll(async () => {
  await stack.close();
});

test('every route of the registry has its contract, with the same method and address', () => {
  const names = ROUTES.map((route) => route.name);
  expect(names.filter((name) => CONTRACTS[name] === undefined)).toEqual([]);
  expect(Object.keys(CONTRACTS).filter((name) => !names.includes(name))).toEqual([]);
  for (const route of ROUTES) {
    const contract = CONTRACTS[route.name];
    expect({ name: route.name, methods: route.methods, route: route.route }).toEqual({
      name: route.name,
      methods: [contract?.method],
      route: contract?.route,
    });
  }
});

test('every route answered with success at least once, and every answer matches its schema', () => {
  const failing = checked.filter((entry) => entry.problems.length > 0);
  expect(failing).toEqual([]);
  const succeeded = new Set(checked.filter((entry) => entry.status < 300).map((entry) => entry.route));
  expect(ROUTES.map((route) => route.name).filter((name) => !succeeded.has(name))).toEqual([]);
});

test('error answers of every kind were checked against the error schema', () => {
  const statuses = new Set(checked.map((entry) => entry.status));
  for (const status of [400, 401, 403, 404, 409, 410, 412, 503])
    expect([status, statuses.has(status)]).toEqual([status, true]);
  // Every signed-in route refuses a caller without a token, and every admin route a user without the role.
  const refused = (status: number) =>
    new Set(checked.filter((entry) => entry.status === status).map((entry) => entry.route));
  const unauthorised = refused(401);
  const forbidden = refused(403);
  expect(ROUTES.filter((route) => route.access !== 'public' && !unauthorised.has(route.name))).toEqual([]);
  expect(ROUTES.filter((route) => route.access === 'admin' && !forbidden.has(route.name))).toEqual([]);
});

test('the error schema holds errors closed: a code outside the list or an unknown field is refused', () => {
  const valid = { error: { code: 'not_found', message: 'No such contract', details: [] } };
  expect(ErrorAnswerSchema.safeParse(valid).success).toBe(true);
  expect(ErrorAnswerSchema.safeParse({ error: { ...valid.error, code: 'oops' } }).success).toBe(false);
  expect(ErrorAnswerSchema.safeParse({ error: { ...valid.error, stack: 'at x' } }).success).toBe(false);
  expect(ErrorAnswerSchema.safeParse({ ...valid, extra: 1 }).success).toBe(false);
});

test('docs/api.md names exactly the error codes of the contract, each in its table of codes or its text', () => {
  const documented = readFileSync(API_DOC, 'utf8');
  const errors = documented.slice(documented.indexOf('\n## Errors'), documented.indexOf('\n## Routes\n'));
  const tableCodes = [...errors.matchAll(/^\| \d{3} +\| `([a-z_]+)`/gm)].map((match) => match[1]);
  expect(
    tableCodes.filter((code) => !(API_ERROR_CODES as readonly (string | undefined)[]).includes(code)),
  ).toEqual([]);
  expect(API_ERROR_CODES.filter((code) => !new RegExp(`\\b${code}\\b`).test(errors))).toEqual([]);
});
