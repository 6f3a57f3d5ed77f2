import { generateKeyPair, SignJWT } from 'jose';
import { useServer } from '../common/testSupport';
import { parseHttpMessage, parseMultipart, boundaryOf } from './batch';
import { startDataverseSimulator, type RunningDataverseSimulator } from './index';
import { DataverseError } from './errors';
import type { DataverseSimulatorOptions } from './server';
import demoFixture from '../../fixtures/dataverse.json';

/** The demo fixture as plain data, to change in a test. */
export interface EditableFixture {
  systemusers: { systemuserid: string; privileges: Record<string, string[]>; [column: string]: unknown }[];
  records: Record<string, Record<string, unknown>[]>;
  [section: string]: unknown;
}

/** A deep copy of the demo fixture. */
export function demoFixtureCopy(): EditableFixture {
  return structuredClone(demoFixture as unknown) as EditableFixture;
}

/** The fixture rows of an entity set (an empty list when the set has none). */
export function fixtureRows(fixture: EditableFixture, entitySetName: string): Record<string, unknown>[] {
  fixture.records[entitySetName] ??= [];
  return fixture.records[entitySetName];
}

/** Ids of the demo fixture (simulators/fixtures/dataverse.json) that the fidelity tests rely on. */
export const IDS = {
  appUserObjectId: 'aad00000-0000-4000-8000-000000000001',
  appUser: '6a000000-0000-4000-8000-000000000001',
  sellerObjectId: 'aad00000-0000-4000-8000-000000000002',
  seller: '6a000000-0000-4000-8000-000000000002',
  viewerObjectId: 'aad00000-0000-4000-8000-000000000003',
  viewer: '6a000000-0000-4000-8000-000000000003',
  opportunity: '0a1b0000-0000-4000-8000-000000000001',
  renewalOpportunity: '0a1b0000-0000-4000-8000-000000000002',
  quote: '1b2c0000-0000-4000-8000-000000000001',
  priceList: '5e2b0000-0000-4000-8000-000000000001',
  widget: '3a7c0000-0000-4000-8000-000000000001',
  supportPlan: '3a7c0000-0000-4000-8000-000000000002',
  setupService: '3a7c0000-0000-4000-8000-000000000003',
  unit: '9c1d0000-0000-4000-8000-000000000001',
  hour: '9c1d0000-0000-4000-8000-000000000002',
  widgetLine: '2c3d0000-0000-4000-8000-000000000001',
  overriddenLine: '2c3d0000-0000-4000-8000-000000000002',
  writeInLine: '2c3d0000-0000-4000-8000-000000000003',
  quoteCatalogLine: '3d4e0000-0000-4000-8000-000000000001',
  quoteWriteInLine: '3d4e0000-0000-4000-8000-000000000002',
  contractLine: '4e5f0000-0000-4000-8000-000000000001',
} as const;

export const API = '/api/data/v9.2/';

const keyPair = generateKeyPair('RS256');

/** A bearer token signed with a throwaway key; without a tokenVerifier the simulator reads it unverified. */
export async function tokenFor(objectId: string, claims: Record<string, unknown> = {}): Promise<string> {
  const { privateKey } = await keyPair;
  const jwt = new SignJWT({ oid: objectId, tid: '72f988bf-0000-4000-8000-000000000000', ...claims })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
    .setAudience('https://contoso.crm.dynamics.com')
    .setIssuedAt();
  return (claims.exp === undefined ? jwt.setExpirationTime('1h') : jwt).sign(privateKey);
}

export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON (an object), or an empty object when it is not JSON. */
  json: Record<string, unknown>;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** The user whose token is sent; the application user by default, null for no Authorization header. */
  as?: string | null;
}

export class TestClient {
  constructor(readonly simulator: RunningDataverseSimulator) {}

  get baseUrl(): string {
    return `${this.simulator.url}${API}`;
  }

  async request(path: string, options: RequestOptions = {}): Promise<TestResponse> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'OData-MaxVersion': '4.0',
      'OData-Version': '4.0',
      ...options.headers,
    };
    const as = options.as === undefined ? IDS.appUserObjectId : options.as;
    if (as !== null) headers.Authorization = `Bearer ${await tokenFor(as)}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['Content-Type'] ??= 'application/json';
    }
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: options.method ?? 'GET',
      headers,
      body,
    });
    const text = await response.text();
    let json: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
        json = parsed as Record<string, unknown>;
    } catch {
      json = {};
    }
    return { status: response.status, headers: response.headers, text, json };
  }

  async reset(): Promise<void> {
    await fetch(`${this.simulator.url}/_sim/reset`, { method: 'POST' });
  }

  /** Loads a fixture through the control endpoint; the next reset returns to the starting fixture. */
  async loadFixture(fixture: unknown): Promise<Response> {
    return fetch(`${this.simulator.url}/_sim/fixture`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(fixture),
    });
  }
}

export async function startTestSimulator(options: DataverseSimulatorOptions = {}): Promise<TestClient> {
  return new TestClient(await startDataverseSimulator({ port: 0, ...options }));
}

export interface TestSimulatorOptions extends DataverseSimulatorOptions {
  /** Resets the simulator to its starting fixture before each test. */
  resetBeforeEach?: boolean;
}

/** A simulator for the tests of the enclosing block: started before, closed after (see useServer). */
export function useTestSimulator({
  resetBeforeEach = false,
  ...options
}: TestSimulatorOptions = {}): TestClient {
  const client = useServer(
    () => startTestSimulator(options),
    (started) => started.simulator.close(),
  );
  if (resetBeforeEach) {
    beforeEach(async () => {
      await client.reset();
    });
  }
  return client;
}

/** The `value` array of a collection response. */
export function rows(response: TestResponse): Record<string, unknown>[] {
  const value = response.json.value;
  return Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
}

/** The DataverseError that `action` throws, in unit tests of parsers and rules (errorOf reads responses). */
export function thrown(action: () => unknown): DataverseError {
  try {
    action();
  } catch (error) {
    if (error instanceof DataverseError) return error;
    throw error;
  }
  throw new Error('expected a DataverseError');
}

export function errorOf(response: TestResponse): { code: string; message: string } {
  const error = response.json.error as { code?: unknown; message?: unknown } | undefined;
  return { code: String(error?.code), message: String(error?.message) };
}

export interface BatchPartResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  contentId?: string;
  /** Set on parts that belong to a change set response. */
  changeSet?: number;
}

/** Flattens a batch response into its parts, in order, marking those of change sets. */
export function batchParts(response: TestResponse): BatchPartResponse[] {
  const parts: BatchPartResponse[] = [];
  let changeSet = 0;
  for (const part of parseMultipart(response.text, boundaryOf(response.headers.get('content-type') ?? ''))) {
    const type = part.headers['content-type'] ?? '';
    if (type.startsWith('multipart/mixed')) {
      changeSet += 1;
      for (const inner of parseMultipart(part.body, boundaryOf(type))) {
        const message = parseHttpMessage(inner.body);
        parts.push({
          status: Number(message.startLine.split(' ')[1]),
          headers: message.headers,
          body: message.body,
          changeSet,
          ...(inner.headers['content-id'] === undefined ? {} : { contentId: inner.headers['content-id'] }),
        });
      }
    } else {
      const message = parseHttpMessage(part.body);
      parts.push({
        status: Number(message.startLine.split(' ')[1]),
        headers: message.headers,
        body: message.body,
      });
    }
  }
  return parts;
}

const CRLF = '\r\n';

export interface BatchOperation {
  method: string;
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  contentId?: string;
}

function operationPart(boundary: string, operation: BatchOperation): string {
  const lines = [`--${boundary}`, 'Content-Type: application/http', 'Content-Transfer-Encoding: binary'];
  if (operation.contentId !== undefined) lines.push(`Content-ID: ${operation.contentId}`);
  lines.push('', `${operation.method} ${operation.url} HTTP/1.1`);
  for (const [name, value] of Object.entries(operation.headers ?? {})) lines.push(`${name}: ${value}`);
  if (operation.body !== undefined)
    lines.push('Content-Type: application/json; type=entry', '', JSON.stringify(operation.body));
  else lines.push('', '');
  return lines.join(CRLF) + CRLF;
}

/** A $batch body: plain operations, and arrays of operations as change sets. */
export function batchBody(boundary: string, items: (BatchOperation | BatchOperation[])[]): string {
  let text = '';
  items.forEach((item, index) => {
    if (Array.isArray(item)) {
      const changeSet = `changeset_${index}`;
      text += `--${boundary}${CRLF}Content-Type: multipart/mixed; boundary=${changeSet}${CRLF}${CRLF}`;
      for (const operation of item) text += operationPart(changeSet, operation);
      text += `--${changeSet}--${CRLF}`;
    } else {
      text += operationPart(boundary, item);
    }
  });
  return `${text}--${boundary}--${CRLF}`;
}
