import { readdirSync, readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { join } from 'node:path';
import { defaultSettings, type EntitySettings } from '@oneflow-sync/shared';
import { FIXTURE, type ApiAnswer, type Stack } from '../testing/stack';
import {
  asArray,
  asObject,
  ELLIPSIS,
  fence,
  first,
  guidsIn,
  isObject,
  jsonBlock,
  keep,
  patch,
  Placeholders,
  toJson,
  type Json,
} from './apiExampleMarkdown';
import { contractLineSource, dynamicsSide, oneflowSide, publishContract } from './syncE2eSupport';
import { notification, postNotification } from './webhookSupport';

/**
 * The examples of docs/api.md, made by running one story against the real stack (simulators and Azurite as
 * processes, the Function app's routes over HTTP): an admin saves settings, a sales rep creates the contract of
 * the seeded opportunity, both sides change, the rep previews, fetches, pushes and settles a held conflict, an
 * admin repairs a link, Oneflow notifies, a second contract is deleted in Oneflow and unlinked. Each answer
 * becomes the example of the same name; `npm run docs:examples` writes them, and a test fails when docs/api.md
 * no longer shows what the product answers.
 */

const FIXTURES = join(__dirname, '..', '..', '..', 'simulators', 'fixtures');

function fixtureGuids(): Set<string> {
  const guids = new Set<string>();
  for (const file of readdirSync(FIXTURES).filter((name) => name.endsWith('.json'))) {
    for (const guid of guidsIn(readFileSync(join(FIXTURES, file), 'utf8'))) guids.add(guid);
  }
  return guids;
}

const RECORD = FIXTURE.opportunity;
const [WIDGET, SUPPORT, WRITE_IN] = FIXTURE.opportunityLines;
const MISSING_LINE = '2c3d0000-0000-4000-8000-0000000000ff';
const MISSING_RECORD = '0a1b0000-0000-4000-8000-0000000000ff';
const LEASE_MS = 12_000;

function statusLine(status: number): string {
  return `HTTP/1.1 ${String(status)} ${STATUS_CODES[status] ?? ''}`.trimEnd();
}

function opportunitySettings(
  patchMapping: (oneflowField: string) => Partial<EntitySettings['mappings'][number]>,
) {
  const settings = defaultSettings('opportunity');
  if (!settings) throw new Error('opportunity has default settings');
  return {
    ...settings,
    mappings: settings.mappings.map((mapping) => ({ ...mapping, ...patchMapping(mapping.oneflowField) })),
  };
}

/** Shortened mappings: the first in full, the others by their fields and direction. */
function briefMappings(mappings: Json | undefined): Json[] {
  return asArray(mappings, 'mappings').map((mapping, index) =>
    index === 0 ? mapping : keep(mapping, ['dynamicsField', 'oneflowField', 'direction']),
  );
}

/** A sync result with its plan's links and summary shortened (they repeat what the operations say). */
function briefResult(body: Json): Json {
  const result = asObject(body, 'a sync result');
  const plan = asObject(result.plan, 'the plan');
  return patch(result, { plan: patch(plan, { links: [ELLIPSIS], summary: { [ELLIPSIS]: ELLIPSIS } }) });
}

/** A compare with each line's in-sync fields left out: they show one value three times. */
function briefCompare(body: Json): Json {
  const answer = asObject(body, 'a compare');
  return patch(answer, {
    lines: asArray(answer.lines, 'lines').map((line) => {
      const entry = asObject(line, 'a compared line');
      const fields = asArray(entry.fields, 'fields');
      const shown = fields.filter((field) => asObject(field, 'a compared field').status !== 'in_sync');
      return patch(entry, { fields: shown.length < fields.length ? [...shown, ELLIPSIS] : shown });
    }),
  });
}

export async function generateApiExamples(stack: Stack): Promise<Map<string, string>> {
  const placeholders = new Placeholders(new Set([...fixtureGuids(), MISSING_LINE, MISSING_RECORD]));
  const examples = new Map<string, string>();
  const [alex, sam] = await Promise.all([stack.token('alex'), stack.token('sam')]);
  const dynamics = dynamicsSide(stack);
  const oneflow = oneflowSide(stack);

  const body = (answer: ApiAnswer): Json => placeholders.json(toJson(answer.body));
  const add = (name: string, blocks: string[]) => {
    if (examples.has(name)) throw new Error(`the example ${name} is made twice`);
    examples.set(name, blocks.join('\n\n'));
  };
  /** The answer's JSON body, shortened by `show`; with `status`, an HTTP block with the status line and headers first. */
  const example = async (
    name: string,
    answer: ApiAnswer,
    options: { status?: boolean; headers?: string[]; show?: (body: Json) => Json } = {},
  ) => {
    const blocks: string[] = [];
    if (options.status) {
      const headers = (options.headers ?? []).map(
        (header) =>
          `${header}: ${placeholders.text(answer.headers[header.toLowerCase()] ?? '', header.toLowerCase())}`,
      );
      blocks.push(fence('http', [statusLine(answer.status), ...headers].join('\n')));
    }
    if (answer.text !== '') blocks.push(jsonBlock((options.show ?? ((value) => value))(body(answer))));
    add(name, blocks);
  };
  const expectStatus = (answer: ApiAnswer, status: number, what: string): ApiAnswer => {
    if (answer.status !== status) {
      throw new Error(`${what}: expected ${String(status)}, got ${String(answer.status)} ${answer.text}`);
    }
    return answer;
  };
  const api = (
    method: string,
    path: string,
    token: string | undefined,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ) => stack.api(method, path, { ...(token ? { token } : {}), ...options });

  // ---- health and settings ----
  await example('health', expectStatus(await api('GET', '/health', undefined), 200, 'health'));

  await example(
    'settings-get',
    expectStatus(await api('GET', '/settings/opportunity', alex), 200, 'settings'),
    {
      show: (value) => {
        const answer = asObject(value, 'settings answer');
        const settings = asObject(answer.settings, 'settings');
        return patch(answer, { settings: patch(settings, { mappings: briefMappings(settings.mappings) }) });
      },
    },
  );

  const reviewed = opportunitySettings((field) => (field === 'quantity' ? { conflictPolicy: 'review' } : {}));
  const saved = expectStatus(
    await api('PUT', '/settings/opportunity', sam, { body: reviewed }),
    200,
    'settings saved',
  );
  await example('settings-put', saved, {
    status: true,
    headers: ['ETag'],
    show: (value) => {
      const answer = asObject(value, 'settings answer');
      const settings = asObject(answer.settings, 'settings');
      const mappings = asArray(settings.mappings, 'mappings');
      const quantity = mappings.filter((mapping) => isObject(mapping) && mapping.oneflowField === 'quantity');
      return patch(answer, { settings: patch(settings, { mappings: [ELLIPSIS, ...quantity, ELLIPSIS] }) });
    },
  });
  const firstEtag = saved.headers.etag ?? '';

  await example(
    'settings-put-two-way',
    expectStatus(
      await api('PUT', '/settings/opportunity', sam, {
        body: opportunitySettings((field) => (field === 'description' ? { direction: 'two_way' } : {})),
        headers: { 'If-Match': firstEtag },
      }),
      400,
      'two-way description',
    ),
  );
  await example(
    'settings-put-other-entity',
    expectStatus(
      await api('PUT', '/settings/quote', sam, { body: reviewed }),
      400,
      'settings for another entity',
    ),
  );
  const quoteSettings = defaultSettings('quote');
  if (!quoteSettings) throw new Error('quote has default settings');
  await example(
    'settings-put-bad-source',
    expectStatus(
      await api('PUT', '/settings/quote', sam, {
        body: {
          ...quoteSettings,
          ...contractLineSource(),
        },
      }),
      400,
      'a product source of another entity',
    ),
  );
  await example(
    'settings-put-exists',
    expectStatus(await api('PUT', '/settings/opportunity', sam, { body: reviewed }), 412, 'settings exist'),
  );
  const resaved = expectStatus(
    await api('PUT', '/settings/opportunity', sam, { body: reviewed, headers: { 'If-Match': firstEtag } }),
    200,
    'settings saved again',
  );
  await example(
    'settings-put-stale',
    expectStatus(
      await api('PUT', '/settings/opportunity', sam, { body: reviewed, headers: { 'If-Match': firstEtag } }),
      412,
      'stale etag',
    ),
  );
  const reset = expectStatus(
    await api('POST', '/settings/opportunity/reset', sam, {
      headers: { 'If-Match': resaved.headers.etag ?? '' },
    }),
    200,
    'reset',
  );
  await example('settings-reset', reset, {
    show: (value) => {
      const answer = asObject(value, 'settings answer');
      const settings = asObject(answer.settings, 'settings');
      return patch(answer, {
        settings: patch(settings, {
          mappings: first(
            settings.mappings,
            1,
            '… the other four default mappings (quantity back to by_action) …',
          ),
        }),
      });
    },
  });
  // The story goes on with the quantity held for review when both sides change it.
  expectStatus(
    await api('PUT', '/settings/opportunity', sam, {
      body: reviewed,
      headers: { 'If-Match': reset.headers.etag ?? '' },
    }),
    200,
    'settings with review',
  );

  // ---- metadata ----
  await example(
    'metadata-main-entities',
    expectStatus(await api('GET', '/metadata/main-entities', alex), 200, 'main entities'),
    { show: (value) => patch(value, { entities: first(asObject(value, 'answer').entities, 3) }) },
  );
  await example(
    'metadata-product-sources',
    expectStatus(
      await api('GET', '/metadata/product-sources?entity=opportunity', alex),
      200,
      'product sources',
    ),
    { show: (value) => patch(value, { sources: first(asObject(value, 'answer').sources, 2) }) },
  );
  await example(
    'metadata-fields',
    expectStatus(await api('GET', '/metadata/fields?entity=opportunityproduct', alex), 200, 'fields'),
    {
      show: (value) => {
        const fields = asArray(asObject(value, 'answer').fields, 'fields');
        const quantity = fields.filter((field) => isObject(field) && field.logicalName === 'quantity');
        return patch(value, { fields: [...fields.slice(0, 1), ELLIPSIS, ...quantity, ELLIPSIS] });
      },
    },
  );
  await example(
    'metadata-fields-no-entity',
    expectStatus(await api('GET', '/metadata/fields', alex), 400, 'fields without entity'),
  );
  await example(
    'metadata-fields-unknown',
    expectStatus(await api('GET', '/metadata/fields?entity=new_nothing', alex), 404, 'fields of no entity'),
  );

  // ---- templates ----
  await example('templates-list', expectStatus(await api('GET', '/templates', alex), 200, 'templates'));

  // ---- Create contract ----
  await example(
    'contracts-create-preview',
    expectStatus(
      await api('POST', '/contracts?dryRun=true', alex, {
        body: { entity: 'opportunity', recordId: RECORD },
      }),
      200,
      'create contract preview',
    ),
    {
      show: (value) => {
        const answer = asObject(value, 'preview answer');
        const plan = asObject(answer.plan, 'plan');
        const [operation] = asArray(plan.operations, 'operations');
        return patch(answer, {
          summary: keep(answer.summary, ['productsCreated', 'fieldsWritten']),
          plan: patch(plan, {
            operations: [
              patch(operation, { changes: first(asObject(operation, 'operation').changes, 1) }),
              '… two more create_product operations …',
            ],
            links: [ELLIPSIS],
            summary: keep(plan.summary, ['productsCreated']),
          }),
        });
      },
    },
  );
  const created = expectStatus(
    await api('POST', '/contracts', alex, { body: { entity: 'opportunity', recordId: RECORD } }),
    201,
    'create contract',
  );
  await example('contracts-create', created, {
    status: true,
    show: (value) => {
      const answer = asObject(value, 'create answer');
      const plan = asObject(answer.plan, 'plan');
      const [operation] = asArray(plan.operations, 'operations');
      const [link] = asArray(plan.links, 'links');
      return patch(answer, {
        plan: patch(plan, {
          operations: [
            patch(operation, { changes: first(asObject(operation, 'operation').changes, 1) }),
            '… two more create_product operations …',
          ],
          links: [
            patch(link, { base: keep(asObject(link, 'link').base, ['name', 'price_1.discount_amount']) }),
            ELLIPSIS,
          ],
          summary: keep(plan.summary, ['productsCreated']),
        }),
      });
    },
  });
  const contractId = Number(
    asObject(asObject(toJson(created.body), 'answer').contract, 'contract').contractId,
  );
  await example(
    'contracts-create-again',
    expectStatus(
      await api('POST', '/contracts', alex, { body: { entity: 'opportunity', recordId: RECORD } }),
      409,
      'create contract again',
    ),
    { status: true },
  );
  await example(
    'contracts-create-bad-record',
    expectStatus(
      await api('POST', '/contracts', alex, { body: { entity: 'opportunity', recordId: 'not-a-guid' } }),
      400,
      'create with a bad record id',
    ),
  );
  await example(
    'contracts-create-bad-template',
    expectStatus(
      // 756540: a template of the workspace without a product table (simulators/fixtures/oneflow.json).
      await api('POST', '/contracts', alex, {
        body: { entity: 'opportunity', recordId: RECORD, templateId: 756540 },
      }),
      400,
      'create from a template without a product table',
    ),
  );
  await example(
    'contracts-create-not-json',
    expectStatus(
      await api('POST', '/contracts', alex, { body: '{"entity":' }),
      400,
      'create with broken JSON',
    ),
  );
  await example(
    'contracts-create-not-configured',
    expectStatus(
      await api('POST', '/contracts', alex, { body: { entity: 'account', recordId: MISSING_RECORD } }),
      409,
      'create for an entity without settings',
    ),
  );
  await example(
    'contracts-get',
    expectStatus(
      await api('GET', `/contracts?entity=opportunity&recordId=${RECORD}`, alex),
      200,
      'the record’s contract',
    ),
  );
  await example(
    'contracts-get-none',
    expectStatus(
      await api('GET', `/contracts?entity=opportunity&recordId=${MISSING_RECORD}`, alex),
      404,
      'a record without a contract',
    ),
  );

  // ---- both sides change: the counterparty's quantities, and the rep's on the second line ----
  const productIds = new Map<string, number>();
  for (const line of [WIDGET, SUPPORT, WRITE_IN]) {
    const product = await oneflow.productOf(contractId, line);
    if (!product) throw new Error(`no product for line ${line}`);
    productIds.set(line, product.id);
  }
  const productOf = (line: string): number => {
    const id = productIds.get(line);
    if (id === undefined) throw new Error(`no product for line ${line}`);
    return id;
  };
  await oneflow.update(contractId, productOf(WIDGET), { quantity: { amount: 12 } });
  await oneflow.update(contractId, productOf(SUPPORT), { quantity: { amount: 13 } });
  await dynamics.update(SUPPORT, { quantity: 7 });

  await example(
    'contracts-compare',
    expectStatus(await api('GET', `/contracts/${String(contractId)}/compare`, alex), 200, 'compare'),
    { show: briefCompare },
  );
  await example(
    'contracts-plan',
    expectStatus(
      await api('GET', `/contracts/${String(contractId)}/plan?action=fetch`, alex),
      200,
      'preview',
    ),
    { show: briefResult },
  );
  await example(
    'contracts-plan-bad-action',
    expectStatus(
      await api('GET', `/contracts/${String(contractId)}/plan?action=sideways`, alex),
      400,
      'preview of no action',
    ),
  );
  await example(
    'contracts-plan-not-found',
    expectStatus(await api('GET', '/contracts/999999/plan?action=push', alex), 404, 'preview of no contract'),
  );

  // An admin considers Quantity from Dynamics to Oneflow only, and previews what that would change.
  await example(
    'settings-impact',
    expectStatus(
      await api('POST', '/settings/opportunity/impact', sam, {
        body: {
          ...reviewed,
          mappings: reviewed.mappings.map((mapping) =>
            mapping.oneflowField === 'quantity' ? { ...mapping, direction: 'dynamics_to_oneflow' } : mapping,
          ),
        },
      }),
      200,
      'settings impact',
    ),
  );

  await example(
    'contracts-fetch',
    expectStatus(await api('POST', `/contracts/${String(contractId)}/fetch`, alex), 200, 'fetch'),
    {
      show: (value) => {
        const answer = asObject(value, 'fetch answer');
        const plan = asObject(answer.plan, 'plan');
        return patch(answer, {
          plan: keep(
            patch(plan, {
              operations: asArray(plan.operations, 'operations').map((operation) =>
                keep(operation, ['kind', 'rule', 'lineId', 'values', 'notes']),
              ),
            }),
            ['action', 'operations'],
          ),
        });
      },
    },
  );

  // The rep then sells 15 widgets: push spreads the line's discount over the new quantity.
  await dynamics.update(WIDGET, { quantity: 15 });
  await example(
    'contracts-push',
    expectStatus(await api('POST', `/contracts/${String(contractId)}/push`, alex), 200, 'push'),
    { show: briefResult },
  );

  const holder = 'docs-example/another-run';
  if (!(await stack.services.store.leases.acquire(FIXTURE.contoso, contractId, holder, LEASE_MS))) {
    throw new Error('the contract’s lease is taken');
  }
  try {
    const busy = expectStatus(
      await api('POST', `/contracts/${String(contractId)}/push`, alex),
      409,
      'busy push',
    );
    // The seconds left on the lease depend on how fast this machine is: the example shows the lease's length
    // wherever the answer gives the seconds left.
    const seconds = String(LEASE_MS / 1000);
    const error = asObject(asObject(body(busy), 'busy answer').error, 'error');
    const shown = Object.fromEntries(
      Object.entries(error).map(([key, value]): [string, Json] => [
        key,
        key === 'retryAfterSeconds' && typeof value === 'number'
          ? Number(seconds)
          : typeof value === 'string'
            ? value.replace(/\d+ seconds/, `${seconds} seconds`)
            : value,
      ]),
    );
    const retryAfter = busy.headers['retry-after'];
    add('contracts-push-busy', [
      fence(
        'http',
        [
          statusLine(busy.status),
          ...(retryAfter === undefined ? [] : [`Retry-After: ${seconds}`]),
          '',
          JSON.stringify({ error: shown }),
        ].join('\n'),
      ),
    ]);
  } finally {
    await stack.services.store.leases.release(FIXTURE.contoso, contractId, holder);
  }

  const resolveBody = { resolutions: [{ lineId: SUPPORT, oneflowField: 'quantity', keep: 'oneflow' }] };
  await example(
    'contracts-resolve',
    expectStatus(
      await api('POST', `/contracts/${String(contractId)}/conflicts/resolve`, alex, { body: resolveBody }),
      200,
      'resolve',
    ),
    {
      show: (value) => {
        const answer = asObject(value, 'resolve answer');
        return patch(answer, { results: asArray(answer.results, 'results').map(briefResult) });
      },
    },
  );
  await example(
    'contracts-resolve-empty',
    expectStatus(
      await api('POST', `/contracts/${String(contractId)}/conflicts/resolve`, alex, {
        body: { resolutions: [] },
      }),
      400,
      'resolve nothing',
    ),
  );

  // ---- links ----
  const widgetProduct = String(productOf(WIDGET));
  add('links-list-request', [
    fence('sh', `curl -H "Authorization: Bearer $TOKEN" "$API/links?q=${widgetProduct}"`),
  ]);
  await example(
    'links-list',
    expectStatus(await api('GET', `/links?q=${widgetProduct}`, alex), 200, 'links'),
  );
  const csv = expectStatus(
    await api('GET', `/links/export.csv?contractId=${String(contractId)}`, alex),
    200,
    'links as CSV',
  );
  add('links-export', [fence('csv', placeholders.text(csv.text))]);
  await example(
    'links-patch',
    expectStatus(
      await api('PATCH', `/links/${String(contractId)}/${WRITE_IN}`, sam, {
        body: { state: 'deleted_in_oneflow' },
      }),
      200,
      'link marked',
    ),
    {
      show: (value) => {
        const link = asObject(asObject(value, 'answer').link, 'link');
        return { link: patch(link, { base: keep(link.base, ['name']) }) };
      },
    },
  );
  await example(
    'links-patch-empty',
    expectStatus(
      await api('PATCH', `/links/${String(contractId)}/${WRITE_IN}`, sam, { body: {} }),
      400,
      'empty patch',
    ),
  );
  await example(
    'links-patch-unknown-field',
    expectStatus(
      await api('PATCH', `/links/${String(contractId)}/${WRITE_IN}`, sam, { body: { foo: 1 } }),
      400,
      'patch of an unknown field',
    ),
  );
  await example(
    'links-patch-no-link',
    expectStatus(
      await api('PATCH', `/links/${String(contractId)}/${MISSING_LINE}`, sam, { body: { state: 'active' } }),
      404,
      'patch of no link',
    ),
  );
  expectStatus(
    await api('PATCH', `/links/${String(contractId)}/${WRITE_IN}`, sam, { body: { state: 'active' } }),
    200,
    'link active again',
  );

  // ---- Oneflow notifies: the counterparty changed the first line's quantity again ----
  await oneflow.update(contractId, productOf(WIDGET), { quantity: { amount: 13 } });
  const signed = notification(contractId, { callbackId: 'cb-0001', type: 'product:update' });
  await example('webhook-queued', expectStatus(await postNotification(stack, signed), 200, 'webhook'));
  await stack.host.drainQueue();
  await example(
    'webhook-bad-signature',
    expectStatus(
      await postNotification(stack, {
        ...notification(contractId, { callbackId: 'cb-0003' }),
        signature: 'ab12',
      }),
      401,
      'bad signature',
    ),
  );
  await example(
    'webhook-unknown-org',
    expectStatus(await postNotification(stack, signed, 'northwind'), 401, 'no such organisation'),
  );
  await example(
    'webhook-malformed',
    expectStatus(
      await postNotification(stack, { contract: { id: 'twelve' }, callback_id: 'cb-0004', events: [] }),
      400,
      'malformed notification',
    ),
  );

  // ---- activity, then a link removed ----
  await example(
    'activity-list',
    expectStatus(
      await api('GET', `/activity?contractId=${String(contractId)}&limit=20`, alex),
      200,
      'activity',
    ),
    {
      show: (value) => {
        const entries = asArray(asObject(value, 'answer').entries, 'entries');
        const brief = ['id', 'action', 'outcome', 'actor', 'message', 'changes'];
        return {
          entries: [
            ...entries.slice(0, 1),
            ...entries.slice(1, 3).map((entry) => keep(entry, brief)),
            `… ${String(entries.length - 3)} older entries …`,
          ],
        };
      },
    },
  );
  await example(
    'activity-bad-query',
    expectStatus(await api('GET', '/activity', alex), 400, 'activity of nothing'),
  );
  await example(
    'links-delete',
    expectStatus(await api('DELETE', `/links/${String(contractId)}/${WRITE_IN}`, sam), 204, 'link removed'),
    { status: true },
  );

  // ---- faults Oneflow can answer with ----
  await stack.sim('oneflow', 'PUT', '/_sim/faults', { routes: { '*': { rates: { '429': 1 } } } });
  try {
    const limited = expectStatus(
      await api('POST', `/contracts/${String(contractId)}/fetch`, alex),
      503,
      'fetch while Oneflow rate-limits',
    );
    add('contracts-fetch-busy', [
      fence(
        'http',
        [
          statusLine(limited.status),
          `Retry-After: ${limited.headers['retry-after'] ?? ''}`,
          '',
          JSON.stringify(body(limited)),
        ].join('\n'),
      ),
    ]);
  } finally {
    await stack.sim('oneflow', 'PUT', '/_sim/faults', { routes: {} });
  }

  // ---- a second contract, deleted in Oneflow: the quote's ----
  const quoteContract = expectStatus(
    await api('POST', '/contracts', alex, { body: { entity: 'quote', recordId: FIXTURE.quote } }),
    201,
    'the quote’s contract',
  );
  const quoteContractId = Number(
    asObject(asObject(toJson(quoteContract.body), 'answer').contract, 'contract').contractId,
  );
  await example(
    'contracts-unlink-live',
    expectStatus(
      await api('POST', `/contracts/${String(quoteContractId)}/unlink`, alex),
      409,
      'unlink of a live contract',
    ),
  );
  expectStatus(
    await stack.sim('oneflow', 'DELETE', `/v1/contracts/${String(quoteContractId)}`, undefined, {
      'x-oneflow-api-token': FIXTURE.oneflowToken,
    }),
    200,
    'contract deleted in Oneflow',
  );
  await example(
    'contracts-push-deleted',
    expectStatus(
      await api('POST', `/contracts/${String(quoteContractId)}/push`, alex),
      410,
      'push of a deleted contract',
    ),
  );
  await example(
    'contracts-get-deleted',
    expectStatus(
      await api('GET', `/contracts?entity=quote&recordId=${FIXTURE.quote}`, alex),
      200,
      'the quote’s deleted contract',
    ),
    {
      show: (value) => {
        const answer = asObject(value, 'contract answer');
        return patch(answer, { contract: keep(answer.contract, ['contractId', 'deletedInOneflowAt']) });
      },
    },
  );
  add('contracts-unlink-request', [
    fence(
      'sh',
      `curl -X POST -H "Authorization: Bearer $TOKEN" "$API/contracts/${String(quoteContractId)}/unlink"`,
    ),
  ]);
  await example(
    'contracts-unlink',
    expectStatus(await api('POST', `/contracts/${String(quoteContractId)}/unlink`, alex), 200, 'unlink'),
  );

  // ---- the contract is sent and signed: pushes that would change its products are refused ----
  await publishContract(stack, contractId);
  expectStatus(
    await stack.sim('oneflow', 'POST', `/_sim/contracts/${String(contractId)}/sign`, {}),
    200,
    'contract signed',
  );
  await dynamics.update(WIDGET, { quantity: 16 });
  await example(
    'contracts-push-locked',
    expectStatus(
      await api('POST', `/contracts/${String(contractId)}/push`, alex),
      409,
      'push to a signed contract',
    ),
  );

  return examples;
}
