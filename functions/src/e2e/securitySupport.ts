import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  defaultSettings,
  OneflowProductSchema,
  type EntitySettings,
  type OneflowProduct,
} from '@oneflow-sync/shared';
import { FIXTURE, type ApiAnswer, type Stack } from '../testing/stack';

/**
 * Shared by the security and admin-route end-to-end tests (security.integration.test.ts,
 * adminRoutes.integration.test.ts): the API's error shape, what the simulators were asked to write, CSV reading,
 * and the seed fixtures.
 */

const ErrorBodySchema = z
  .object({
    error: z
      .object({
        code: z.string().min(1),
        message: z.string().min(1),
        details: z.array(z.object({ field: z.string().min(1), message: z.string().min(1) }).strict()),
      })
      .strict(),
  })
  .strict();

export type ApiErrorBody = z.infer<typeof ErrorBodySchema>['error'];

/** The answer's error, checked to be exactly `{"error":{"code","message","details"}}` with the given status. */
export function errorOf(answer: ApiAnswer, status: number): ApiErrorBody {
  // On a mismatch the diff shows the whole answer, not just the status.
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status });
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  return ErrorBodySchema.parse(answer.body).error;
}

/** The answer is the error `code` with the given status, a message matching `message`, and no details. */
export function expectError(answer: ApiAnswer, status: number, code: string, message: RegExp): ApiErrorBody {
  const error = errorOf(answer, status);
  expect(error.code).toBe(code);
  expect(error.message).toMatch(message);
  expect(error.details).toEqual([]);
  return error;
}

/** The fields a 400 names. */
export function fieldsOf(answer: ApiAnswer): string[] {
  return errorOf(answer, 400).details.map((detail) => detail.field);
}

const RequestLogSchema = z.object({ total: z.number(), counts: z.record(z.string(), z.number()) });

export interface Writes {
  dataverse: number;
  oneflow: number;
}

/** How many requests other than GET each simulator has answered since its log was last cleared. */
export async function writeCounts(stack: Stack): Promise<Writes> {
  const count = async (service: 'dataverse' | 'oneflow') => {
    const answer = await stack.sim(service, 'GET', '/_sim/requests');
    const log = RequestLogSchema.parse(answer.body);
    return Object.entries(log.counts)
      .filter(([route]) => !route.startsWith('GET ') && !route.startsWith('HEAD '))
      .reduce((sum, [, n]) => sum + n, 0);
  };
  const [dataverse, oneflow] = await Promise.all([count('dataverse'), count('oneflow')]);
  return { dataverse, oneflow };
}

/** Every request each simulator has answered since its log was last cleared. */
export async function requestTotals(stack: Stack): Promise<Writes> {
  const total = async (service: 'dataverse' | 'oneflow') =>
    RequestLogSchema.parse((await stack.sim(service, 'GET', '/_sim/requests')).body).total;
  const [dataverse, oneflow] = await Promise.all([total('dataverse'), total('oneflow')]);
  return { dataverse, oneflow };
}

/** RFC 4180 rows: quoted fields may hold commas, doubled quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text.charAt(i);
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += char;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

const CreatedSchema = z.object({ contract: z.object({ contractId: z.number().int().positive() }) });

/** POST /api/contracts as `token`: the new contract's id (fails the test on anything but 201). */
export async function createContract(
  stack: Stack,
  token: string,
  entity: string,
  recordId: string,
): Promise<number> {
  const answer = await stack.api('POST', 'contracts', { token, body: { entity, recordId } });
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 201 });
  return CreatedSchema.parse(answer.body).contract.contractId;
}

/** The product settings the product ships for a built-in main entity. */
export function shippedDefaults(entity: string): EntitySettings {
  const settings = defaultSettings(entity);
  if (!settings) throw new Error(`no shipped defaults for ${entity}`);
  return settings;
}

/** A contract's products as Oneflow holds them (read through its API, as an admin would see them). */
export async function oneflowProducts(stack: Stack, contractId: number): Promise<OneflowProduct[]> {
  const answer = await stack.sim('oneflow', 'GET', `/v1/contracts/${String(contractId)}`, undefined, {
    'x-oneflow-api-token': FIXTURE.oneflowToken,
  });
  expect(answer.status).toBe(200);
  const contract = z
    .object({ product_groups: z.array(z.object({ products: z.array(OneflowProductSchema) })).optional() })
    .parse(answer.body);
  return (contract.product_groups ?? []).flatMap((group) => group.products);
}

export interface SeedDataverseFixture {
  systemusers: { fullname: string; privileges: Record<string, string[]> }[];
  metadataOnlyEntities: {
    logicalName: string;
    isActivity?: boolean;
    isBPFEntity?: boolean;
    isCustomizable?: boolean;
  }[];
  [key: string]: unknown;
}

/** A fresh copy of the simulators' seeded Dataverse fixture (simulators/fixtures/dataverse.json). */
export function seedDataverseFixture(): SeedDataverseFixture {
  const path = join(__dirname, '..', '..', '..', 'simulators', 'fixtures', 'dataverse.json');
  return JSON.parse(readFileSync(path, 'utf8')) as SeedDataverseFixture;
}
