import type { z } from 'zod';
import type { TokenProvider } from '../auth/TokenProvider';
import {
  ActivityPageAnswerSchema,
  FieldsAnswerSchema,
  LinkAnswerSchema,
  LinksPageAnswerSchema,
  MainEntitiesAnswerSchema,
  ProductSourcesAnswerSchema,
  SettingsAnswerSchema,
  SettingsImpactAnswerSchema,
  CompareAnswerSchema,
  ContractAnswerSchema,
  CreateContractAnswerSchema,
  CreateContractPreviewAnswerSchema,
  ErrorAnswerSchema,
  ResolveConflictsAnswerSchema,
  SyncResultAnswerSchema,
  TemplatesAnswerSchema,
  UnlinkAnswerSchema,
  type ActivityOutcome,
  type ApiErrorCode,
  type EntitySettings,
  type LinkPatchBody,
  type ProblemDetail,
  type ResolveConflictsBody,
} from './contract';

/** Codes of failures that never reached the API or could not be read: the widget words them itself. */
export type ClientErrorCode = 'network' | 'unreadable_answer';

/** A refusal or failure of one request, with everything the widget shows and support needs. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode | ClientErrorCode,
    message: string,
    readonly details: readonly ProblemDetail[],
    readonly requestId: string,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export type SyncActionName = 'push' | 'fetch';

/** What the activity log is listed by: one contract or one Dynamics record. */
export type ActivitySubject = { contractId: number } | { recordId: string };

export interface PageOptions {
  limit?: number;
  continuationToken?: string;
}

/** How links are narrowed: one contract, a search by either side's id, or both. */
export interface LinksFilter {
  contractId?: number;
  q?: string;
}

interface RequestOptions {
  body?: unknown;
  /** `If-Match` for a write that must not overwrite someone else's (settings). */
  ifMatch?: string | null;
  /** A file is asked for (CSV), not JSON. */
  file?: true;
}

function queryOf(values: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined) query.set(name, String(value));
  }
  const text = query.toString();
  return text === '' ? '' : `?${text}`;
}

function readJson(text: string): unknown {
  try {
    return text === '' ? null : (JSON.parse(text) as unknown);
  } catch {
    return null;
  }
}

/** The header every request carries so that a person can quote it and the API's log names it. */
const REQUEST_ID_HEADER = 'x-ms-client-request-id';

function newRequestId(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `${Date.now().toString(16)}-${Math.random().toString(16).slice(2)}`;
}

/**
 * The one way the controls talk to the API: a bearer token from the TokenProvider on every request, and every
 * answer parsed with the schema the API answers with, so a mismatch is an error here and not a blank screen.
 */
export class SyncApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly tokens: TokenProvider,
    private readonly fetchImpl: FetchLike = (input, init) => fetch(input, init),
  ) {}

  private async request<T>(
    method: string,
    path: string,
    schema: z.ZodType<T>,
    options: RequestOptions = {},
  ): Promise<T> {
    const { response, requestId } = await this.send(method, path, options);
    return this.parse(response, requestId, schema);
  }

  /** Sends one request and returns the answer when it is a success; every failure becomes an ApiError. */
  private async send(
    method: string,
    path: string,
    options: RequestOptions,
  ): Promise<{ response: Response; requestId: string }> {
    const token = await this.tokens.getToken();
    const requestId = newRequestId();
    const { body } = options;
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      Accept: options.file === true ? 'text/csv, application/json' : 'application/json',
      [REQUEST_ID_HEADER]: requestId,
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (options.ifMatch !== undefined && options.ifMatch !== null) headers['If-Match'] = options.ifMatch;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}/api/${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new ApiError(0, 'network', message, [], requestId);
    }
    if (response.ok) return { response, requestId };
    const json = readJson(await response.text());
    const error = ErrorAnswerSchema.safeParse(json);
    if (!error.success) {
      throw new ApiError(response.status, 'unreadable_answer', `HTTP ${response.status}`, [], requestId);
    }
    const { code, message, details, retryAfterSeconds } = error.data.error;
    throw new ApiError(response.status, code, message, details, requestId, retryAfterSeconds ?? null);
  }

  private async parse<T>(response: Response, requestId: string, schema: z.ZodType<T>): Promise<T> {
    const parsed = schema.safeParse(readJson(await response.text()));
    if (!parsed.success) {
      const details = parsed.error.issues.map((issue) => ({
        field: issue.path.join('.') || '(answer)',
        message: issue.message,
      }));
      throw new ApiError(
        response.status,
        'unreadable_answer',
        'The answer did not match',
        details,
        requestId,
      );
    }
    return parsed.data;
  }

  contract(entity: string, recordId: string) {
    const query = new URLSearchParams({ entity, recordId });
    return this.request('GET', `contracts?${query.toString()}`, ContractAnswerSchema);
  }

  compare(contractId: number) {
    return this.request('GET', `contracts/${contractId}/compare`, CompareAnswerSchema);
  }

  plan(contractId: number, action: SyncActionName) {
    return this.request('GET', `contracts/${contractId}/plan?action=${action}`, SyncResultAnswerSchema);
  }

  apply(contractId: number, action: SyncActionName) {
    return this.request('POST', `contracts/${contractId}/${action}`, SyncResultAnswerSchema);
  }

  templates() {
    return this.request('GET', 'templates', TemplatesAnswerSchema);
  }

  createPreview(entity: string, recordId: string, templateId: number | null) {
    const body = templateId === null ? { entity, recordId } : { entity, recordId, templateId };
    return this.request('POST', 'contracts?dryRun=true', CreateContractPreviewAnswerSchema, {
      body,
    });
  }

  create(entity: string, recordId: string, templateId: number | null) {
    const body = templateId === null ? { entity, recordId } : { entity, recordId, templateId };
    return this.request('POST', 'contracts', CreateContractAnswerSchema, { body });
  }

  resolveConflicts(contractId: number, body: ResolveConflictsBody) {
    return this.request('POST', `contracts/${contractId}/conflicts/resolve`, ResolveConflictsAnswerSchema, {
      body,
    });
  }

  unlink(contractId: number) {
    return this.request('POST', `contracts/${contractId}/unlink`, UnlinkAnswerSchema);
  }

  /** A page of the activity of one record or contract, newest first; optionally only one outcome. */
  activity(subject: ActivitySubject, options: PageOptions & { outcome?: ActivityOutcome } = {}) {
    const query = queryOf({
      ...subject,
      outcome: options.outcome,
      limit: options.limit ?? 20,
      continuationToken: options.continuationToken,
    });
    return this.request('GET', `activity${query}`, ActivityPageAnswerSchema);
  }

  settings(entity: string) {
    return this.request('GET', `settings/${encodeURIComponent(entity)}`, SettingsAnswerSchema);
  }

  /** Saves settings; `etag` is what was read (null for settings never saved): a stale one is a 412. */
  saveSettings(entity: string, settings: EntitySettings, etag: string | null) {
    return this.request('PUT', `settings/${encodeURIComponent(entity)}`, SettingsAnswerSchema, {
      body: settings,
      ifMatch: etag,
    });
  }

  /** "Reset to default", under the same etag rule as a save. */
  resetSettings(entity: string, etag: string | null) {
    return this.request('POST', `settings/${encodeURIComponent(entity)}/reset`, SettingsAnswerSchema, {
      ifMatch: etag,
    });
  }

  /** What saving `settings` would change in the next push and fetch of the synced contracts; writes nothing. */
  settingsImpact(entity: string, settings: EntitySettings) {
    return this.request('POST', `settings/${encodeURIComponent(entity)}/impact`, SettingsImpactAnswerSchema, {
      body: settings,
    });
  }

  mainEntities() {
    return this.request('GET', 'metadata/main-entities', MainEntitiesAnswerSchema);
  }

  productSources(entity: string) {
    return this.request('GET', `metadata/product-sources${queryOf({ entity })}`, ProductSourcesAnswerSchema);
  }

  fields(entity: string) {
    return this.request('GET', `metadata/fields${queryOf({ entity })}`, FieldsAnswerSchema);
  }

  links(filter: LinksFilter, options: PageOptions = {}) {
    const query = queryOf({ ...filter, limit: options.limit, continuationToken: options.continuationToken });
    return this.request('GET', `links${query}`, LinksPageAnswerSchema);
  }

  updateLink(contractId: number, lineId: string, patch: LinkPatchBody) {
    return this.request('PATCH', `links/${contractId}/${lineId}`, LinkAnswerSchema, { body: patch });
  }

  async deleteLink(contractId: number, lineId: string): Promise<void> {
    await this.send('DELETE', `links/${contractId}/${lineId}`, {});
  }

  /** Every link the filter matches, as the CSV file the API streams (a link cannot send the bearer token). */
  async linksCsv(filter: LinksFilter): Promise<Blob> {
    const { response } = await this.send('GET', `links/export.csv${queryOf({ ...filter })}`, { file: true });
    return response.blob();
  }
}
