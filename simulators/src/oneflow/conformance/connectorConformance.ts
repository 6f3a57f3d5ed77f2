import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { z } from 'zod';

/**
 * Oneflow's certified Power Platform connector definition, used as an outside check of this simulator: every
 * answer it gives to an operation the definition describes, and every request body a client sends to one, is
 * validated against the definition's schema. The definition is kept in `connectorDefinition.json` (its source and
 * commit are named there); only its structure is kept.
 *
 * The definition has no operations for single products and product groups, but it does define `Product`,
 * `Product_Group` and `Product_For_Create` (the body of its own "add product" action); those definitions are
 * applied to the product routes too, so a product written or answered in a shape the definition refuses is caught.
 * Error answers are checked against its `Error` definition, which is Oneflow's documented error body.
 *
 * Where Oneflow's developer pages and the definition disagree, the difference is listed in KNOWN_DIFFERENCES with
 * its reason (and in docs/simulators-oneflow.md); a violation it explains is counted, not reported.
 */

const SchemaObject = z.record(z.string(), z.unknown());

const OperationSchema = z.object({
  method: z.string(),
  path: z.string(),
  headers: z.array(z.object({ name: z.string(), required: z.boolean() })).optional(),
  requestBody: SchemaObject.optional(),
  responses: z.record(z.string(), SchemaObject.nullable()),
});

const DefinitionFileSchema = z.object({
  source: z.object({ repository: z.string(), path: z.string(), commit: z.string() }),
  /** The body Oneflow posts to a webhook's callback_url. */
  notification: SchemaObject,
  operations: z.record(z.string(), OperationSchema),
  definitions: z.record(z.string(), SchemaObject),
});

export type ConnectorDefinition = z.infer<typeof DefinitionFileSchema>;

export function readConnectorDefinition(): ConnectorDefinition {
  return DefinitionFileSchema.parse(
    JSON.parse(readFileSync(join(__dirname, 'connectorDefinition.json'), 'utf8')),
  );
}

/** One request to the simulator's API and its answer, as the check sees them (path below `/v1`). */
export interface Exchange {
  method: string;
  path: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  requestBody: unknown;
  status: number;
  answerBody: unknown;
}

export interface Violation {
  /** The definition's operation id, or the definition applied (`Product` on `PUT /contracts/{id}/products/{id}`). */
  check: string;
  direction: 'request' | 'answer' | 'notification';
  method: string;
  path: string;
  status?: number;
  /** The client that sent the request (its user agent), for request violations. */
  client?: string;
  problems: string[];
}

interface KnownDifference {
  id: string;
  /** Why the simulator (and the product) follows Oneflow's developer pages here rather than the definition. */
  reason: string;
  applies(error: ErrorObject): boolean;
}

const endsWith = (error: ErrorObject, suffix: RegExp): boolean => suffix.test(error.instancePath);

const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    id: 'fractional-quantity',
    reason:
      "The definition types quantity.amount as an integer; Oneflow's developer pages give a product group a " +
      'quantity_precision of 0–4, so a group with precision above 0 holds and accepts fractional quantities. ' +
      'A fractional JSON number is allowed; a string never is.',
    applies: (error) =>
      endsWith(error, /\/quantity\/amount$/) &&
      (error.keyword === 'type' || error.keyword === 'format') &&
      typeof error.data === 'number',
  },
  {
    id: 'null-for-no-value',
    reason:
      'Swagger 2.0 cannot say that a value may be null, so the definition types these fields as strings or ' +
      'objects; Oneflow\'s developer pages use null for the discount kind not in use ("one of them should be null ' +
      'or 0") and for the publish time of a contract not yet published, and the connector script itself tests a ' +
      "template's template_type for null (a template of no type). Inferred, as no source shows them: null for a " +
      "user-made template type's extension_type and for a page's absent next or previous link.",
    applies: (error) =>
      error.keyword === 'type' &&
      error.data === null &&
      /\/(discount_amount\/amount|discount_percent|published_time|template_type|extension_type|_links\/(next|previous))$/.test(
        error.instancePath,
      ),
  },
  {
    id: 'oneflow-time-format',
    reason:
      "The definition gives webhook events' created_time the date-time format (RFC 3339); Oneflow's developer pages " +
      'show times as 2020-07-06T15:14:14+0000 (an offset without a colon), which the simulator sends.',
    applies: (error) =>
      error.keyword === 'format' &&
      error.params.format === 'date-time' &&
      typeof error.data === 'string' &&
      ONEFLOW_TIME.test(error.data),
  },
];

const ONEFLOW_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{4}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

interface Check {
  name: string;
  method: string;
  pattern: RegExp;
  /** Headers the definition requires on the request. */
  requiredHeaders: string[];
  request?: ValidateFunction;
  /** By status; `error` for any status of 400 and above that has no entry of its own. */
  answers: Map<string, ValidateFunction | null>;
}

/** `/contracts/{contract_id}/` → a pattern that takes the path with or without its trailing slash. */
function pathPattern(path: string): RegExp {
  const body = path
    .replace(/\/+$/, '')
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}/?$`);
}

const ref = (name: string): Record<string, unknown> => ({ $ref: `#/definitions/${name}` });
const pageOf = (name: string): Record<string, unknown> => ({
  type: 'object',
  properties: { data: { type: 'array', items: ref(name) } },
  required: ['data'],
});

/** A body whose `product_groups[].products[]` are products written in the definition's "add product" shape. */
const GROUPS_OF_PRODUCTS: Record<string, unknown> = {
  type: 'object',
  properties: {
    product_groups: {
      type: 'array',
      items: {
        type: 'object',
        properties: { products: { type: 'array', items: ref('Product_For_Create') } },
      },
    },
  },
};

/**
 * Operations the connector's own script (script.csx, beside the definition) handles before or after Oneflow: what
 * they describe is the script's side, not Oneflow's wire. Each is checked as the script meets Oneflow instead.
 * - GetTemplatesForWorkspace: the script receives Oneflow's array of workspaces (each with its `templates`) and
 *   answers the flow with the templates of the workspace named in `x-oneflow-workspace-id`.
 * - GetTemplateByTemplateId: the script reads `GET /templates/{id}` and then `GET /template_types/{type id}`; the
 *   definition's `/template_types/` with an `x-oneflow-template-id` header never reaches Oneflow.
 * - AddProduct: a Power Automate helper of the script's; it is not an Oneflow route.
 */
const SCRIPT_OPERATIONS: Readonly<Record<string, string>> = {
  GetTemplatesForWorkspace:
    'answer reshaped by the connector script: checked as the workspaces Oneflow sends it',
  GetTemplateByTemplateId:
    'rewritten by the connector script to GET /templates/{id} and GET /template_types/{id}',
  AddProduct: "the connector script's own helper, not an Oneflow route",
};

/**
 * The definition's models applied to routes it has no operation for. A created contract's product groups carry
 * products in the shape of the definition's own "add product" body.
 */
const APPLIED: ReadonlyArray<{
  name: string;
  method: string;
  path: string;
  requiredHeaders?: string[];
  request?: Record<string, unknown>;
  answer?: Record<string, unknown>;
}> = [
  {
    name: 'GetTemplatesForWorkspace (as its script receives it)',
    method: 'GET',
    path: '/helpers/contract_create_data/',
    requiredHeaders: ['x-oneflow-workspace-id'],
    answer: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: { type: 'integer' }, templates: { type: 'array', items: ref('Template') } },
        required: ['id', 'templates'],
      },
    },
  },
  {
    name: 'Template (as the connector script reads it)',
    method: 'GET',
    path: '/templates/{id}',
    answer: ref('Template'),
  },
  {
    name: 'GetTemplateByTemplateId (as its script sends it)',
    method: 'GET',
    path: '/template_types/{id}',
    answer: ref('Template_Type'),
  },
  {
    name: 'Contract_For_Create + Product_For_Create',
    method: 'POST',
    path: '/contracts/create',
    request: GROUPS_OF_PRODUCTS,
  },
  { name: 'Product page', method: 'GET', path: '/contracts/{id}/products', answer: pageOf('Product') },
  { name: 'Product', method: 'GET', path: '/contracts/{id}/products/{pid}', answer: ref('Product') },
  {
    name: 'Product_For_Create → Product',
    method: 'PUT',
    path: '/contracts/{id}/products/{pid}',
    request: ref('Product_For_Create'),
    answer: ref('Product'),
  },
  {
    name: 'Product_For_Create → Product',
    method: 'PUT',
    path: '/contracts/{id}/product_groups/{pgid}/products/{pid}',
    request: ref('Product_For_Create'),
    answer: ref('Product'),
  },
  {
    name: 'Product_For_Create → Product',
    method: 'POST',
    path: '/contracts/{id}/product_groups/{pgid}/products',
    request: ref('Product_For_Create'),
    answer: ref('Product'),
  },
  {
    name: 'Product_Group page',
    method: 'GET',
    path: '/contracts/{id}/product_groups',
    answer: pageOf('Product_Group'),
  },
  {
    name: 'Product_Group',
    method: 'GET',
    path: '/contracts/{id}/product_groups/{pgid}',
    answer: ref('Product_Group'),
  },
  {
    name: 'Product_Group bulk',
    method: 'PUT',
    path: '/contracts/{id}/product_groups/{pgid}',
    request: {
      type: 'object',
      properties: { products: { type: 'array', items: ref('Product_For_Create') } },
    },
    answer: ref('Product_Group'),
  },
  {
    name: 'Product_Group bulk',
    method: 'PUT',
    path: '/contracts/{id}/product_groups',
    request: GROUPS_OF_PRODUCTS,
    answer: pageOf('Product_Group'),
  },
];

export interface ConformanceReport {
  source: ConnectorDefinition['source'];
  /** Exchanges checked, by check name. */
  checked: Record<string, number>;
  /** Violations explained by a known difference, by its id. */
  known: Record<string, number>;
  violations: Violation[];
}

/** The most violations kept; a runaway client must not grow the simulator's memory without bound. */
const MAX_VIOLATIONS = 200;

interface CompiledChecks {
  checks: Check[];
  notification: ValidateFunction;
}

/** The definition's own `#/definitions/X` references, pointed at the one copy of the definitions ajv holds. */
function shared(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(shared);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string' ? value.replace(/^#/, 'connector#') : shared(value),
    ]),
  );
}

function compileChecks(definition: ConnectorDefinition): CompiledChecks {
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
  ajv.addFormat('int32', {
    type: 'number',
    validate: (value: number) => Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX,
  });
  ajv.addFormat('date-time', { type: 'string', validate: (value: string) => RFC3339.test(value) });
  for (const format of ['binary', 'email']) ajv.addFormat(format, true);
  ajv.addSchema({ $id: 'connector', definitions: definition.definitions });
  const compile = (schema: Record<string, unknown>): ValidateFunction =>
    ajv.compile(shared(schema) as Record<string, unknown>);
  const errorAnswer = compile(ref('Error'));

  const checks: Check[] = [];
  for (const [name, operation] of Object.entries(definition.operations)) {
    if (name in SCRIPT_OPERATIONS) continue;
    const answers = new Map<string, ValidateFunction | null>();
    for (const [status, schema] of Object.entries(operation.responses)) {
      // Error answers are Oneflow's documented error body whatever the operation lists (see the known differences).
      if (Number(status) >= 400) continue;
      answers.set(status, schema === null ? null : compile(schema));
    }
    answers.set('error', errorAnswer);
    checks.push({
      name,
      method: operation.method,
      pattern: pathPattern(operation.path),
      requiredHeaders: (operation.headers ?? [])
        .filter((header) => header.required && header.name.toLowerCase() !== 'accept')
        .map((header) => header.name.toLowerCase()),
      request: operation.requestBody === undefined ? undefined : compile(operation.requestBody),
      answers,
    });
  }
  for (const applied of APPLIED) {
    const answers = new Map<string, ValidateFunction | null>([['error', errorAnswer]]);
    answers.set('200', applied.answer ? compile(applied.answer) : null);
    checks.push({
      name: applied.name,
      method: applied.method,
      pattern: pathPattern(applied.path),
      requiredHeaders: applied.requiredHeaders ?? [],
      request: applied.request === undefined ? undefined : compile(applied.request),
      answers,
    });
  }
  return { checks, notification: compile(definition.notification) };
}

/** Compiled once per process: every simulator started in it shares the validators, not the findings. */
let compiledDefinition: { definition: ConnectorDefinition; compiled: CompiledChecks } | undefined;

export class ConnectorConformance {
  private readonly definition: ConnectorDefinition;
  private readonly checks: readonly Check[];
  private readonly notification: ValidateFunction;
  private checked: Record<string, number> = {};
  private known: Record<string, number> = {};
  private violations: Violation[] = [];

  constructor() {
    compiledDefinition ??= (() => {
      const definition = readConnectorDefinition();
      return { definition, compiled: compileChecks(definition) };
    })();
    this.definition = compiledDefinition.definition;
    this.checks = compiledDefinition.compiled.checks;
    this.notification = compiledDefinition.compiled.notification;
  }

  /** A request that reached its route (body parsed): its required headers and body. */
  checkRequest(request: Pick<Exchange, 'method' | 'path' | 'headers' | 'requestBody'>): void {
    const path = pathOf(request.path);
    for (const check of this.matching(request.method, path)) {
      const problems = check.requiredHeaders
        .filter((name) => headerValue(request.headers[name]) === undefined)
        .map((name) => `header ${name} is required`);
      if (check.request) problems.push(...this.problems(check.request, request.requestBody));
      if (problems.length === 0) continue;
      const client = headerValue(request.headers['user-agent']);
      this.record({
        check: check.name,
        direction: 'request',
        method: request.method,
        path,
        client,
        problems,
      });
    }
  }

  /** Any answer, whether or not its request reached a route (a refused token, the rate limit, a fault). */
  checkAnswer(answer: Pick<Exchange, 'method' | 'path' | 'status' | 'answerBody'>): void {
    const path = pathOf(answer.path);
    for (const check of this.matching(answer.method, path)) {
      this.count(this.checked, check.name);
      const where = {
        check: check.name,
        direction: 'answer' as const,
        method: answer.method,
        path,
        status: answer.status,
      };
      const status = String(answer.status);
      const validate = check.answers.has(status)
        ? check.answers.get(status)
        : answer.status >= 400
          ? check.answers.get('error')
          : undefined;
      if (validate === undefined) {
        this.record({ ...where, problems: [`status ${status} is not among the definition's answers`] });
        continue;
      }
      if (validate === null) continue;
      const problems = this.problems(validate, answer.answerBody);
      if (problems.length > 0) this.record({ ...where, problems });
    }
  }

  /** Checks a webhook notification the simulator sends. */
  checkNotification(payload: unknown, callbackUrl: string): void {
    this.count(this.checked, 'WebhookNotification');
    const problems = this.problems(this.notification, payload);
    if (problems.length > 0) {
      this.record({
        check: 'WebhookNotification',
        direction: 'notification',
        method: 'POST',
        path: callbackUrl,
        problems,
      });
    }
  }

  private matching(method: string, path: string): Check[] {
    return this.checks.filter((check) => check.method === method && check.pattern.test(path));
  }

  report(): ConformanceReport {
    return {
      source: this.definition.source,
      checked: { ...this.checked },
      known: { ...this.known },
      violations: [...this.violations],
    };
  }

  clear(): void {
    this.checked = {};
    this.known = {};
    this.violations = [];
  }

  private problems(validate: ValidateFunction, data: unknown): string[] {
    if (validate(data)) return [];
    const problems: string[] = [];
    // One value can break several keywords (type and format): it is one known difference.
    const explained = new Set<string>();
    for (const error of validate.errors ?? []) {
      const known = KNOWN_DIFFERENCES.find((difference) => difference.applies(error));
      if (known) {
        if (!explained.has(`${known.id} ${error.instancePath}`)) this.count(this.known, known.id);
        explained.add(`${known.id} ${error.instancePath}`);
        continue;
      }
      problems.push(
        `${error.instancePath || '(body)'} ${error.message ?? error.keyword} (${error.schemaPath})`,
      );
    }
    return problems;
  }

  private record(violation: Violation): void {
    if (this.violations.length < MAX_VIOLATIONS) this.violations.push(violation);
  }

  private count(counts: Record<string, number>, key: string): void {
    counts[key] = (counts[key] ?? 0) + 1;
  }
}

function pathOf(path: string): string {
  return path.split('?')[0] ?? '';
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
