import type { z } from 'zod';
import type { TokenProvider } from '../auth/TokenProvider';
import {
  ActivityPageAnswerSchema,
  CompareAnswerSchema,
  ContractAnswerSchema,
  CreateContractAnswerSchema,
  CreateContractPreviewAnswerSchema,
  ErrorAnswerSchema,
  ResolveConflictsAnswerSchema,
  SyncResultAnswerSchema,
  TemplatesAnswerSchema,
  UnlinkAnswerSchema,
  type ApiErrorCode,
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

  private async request<T>(method: string, path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
    const token = await this.tokens.getToken();
    const requestId = newRequestId();
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      Accept: 'application/json',
      [REQUEST_ID_HEADER]: requestId,
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
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
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      json = null;
    }
    if (!response.ok) {
      const error = ErrorAnswerSchema.safeParse(json);
      if (!error.success) {
        throw new ApiError(response.status, 'unreadable_answer', `HTTP ${response.status}`, [], requestId);
      }
      const { code, message, details, retryAfterSeconds } = error.data.error;
      throw new ApiError(response.status, code, message, details, requestId, retryAfterSeconds ?? null);
    }
    const parsed = schema.safeParse(json);
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
    return this.request('POST', 'contracts?dryRun=true', CreateContractPreviewAnswerSchema, body);
  }

  create(entity: string, recordId: string, templateId: number | null) {
    const body = templateId === null ? { entity, recordId } : { entity, recordId, templateId };
    return this.request('POST', 'contracts', CreateContractAnswerSchema, body);
  }

  resolveConflicts(contractId: number, body: ResolveConflictsBody) {
    return this.request(
      'POST',
      `contracts/${contractId}/conflicts/resolve`,
      ResolveConflictsAnswerSchema,
      body,
    );
  }

  unlink(contractId: number) {
    return this.request('POST', `contracts/${contractId}/unlink`, UnlinkAnswerSchema);
  }

  activity(recordId: string, options: { limit?: number; continuationToken?: string } = {}) {
    const query = new URLSearchParams({ recordId, limit: String(options.limit ?? 20) });
    if (options.continuationToken !== undefined) query.set('continuationToken', options.continuationToken);
    return this.request('GET', `activity?${query.toString()}`, ActivityPageAnswerSchema);
  }
}
