import type { z } from 'zod';
import { badRequest, zodDetails } from './errors';

/** An HTTP request as handlers see it, whichever host (Functions or the local runner) received it. */
export interface ApiRequest {
  method: string;
  url: string;
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  header(name: string): string | null;
  text(): Promise<string>;
}

export interface ApiResponse {
  status: number;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is (with a Content-Type header of its own). */
  text?: string;
  /** Sent chunk by chunk as it is produced (with a Content-Type header of its own): answers of any size. */
  stream?: AsyncIterable<string>;
}

/**
 * A JSON answer shaped by its schema in the API contract (`@oneflow-sync/shared`): a handler that builds another
 * shape fails typecheck. The schema is not run here (answers are checked against it by the contract tests).
 */
export function answer<S extends z.ZodType>(
  status: number,
  schema: S,
  json: z.output<S>,
  headers?: Record<string, string>,
): ApiResponse {
  return { status, json, ...(headers ? { headers } : {}) };
}

/** A 200 answer shaped by its schema (see `answer`). */
export const ok = <S extends z.ZodType>(
  schema: S,
  json: z.output<S>,
  headers?: Record<string, string>,
): ApiResponse => answer(200, schema, json, headers);

/** The JSON body, checked against a schema; problems name the field (`body.mappings.0.direction`). */
export async function readBody<T extends z.ZodType>(request: ApiRequest, schema: T): Promise<z.infer<T>> {
  const raw = await request.text();
  let parsed: unknown;
  try {
    parsed = raw.trim() === '' ? undefined : JSON.parse(raw);
  } catch {
    throw badRequest('The request body is not valid JSON', [{ field: 'body', message: 'is not valid JSON' }]);
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    throw badRequest('The request body is not valid', zodDetails(result.error, 'body'));
  }
  return result.data;
}

/** Query parameters, checked against a schema of strings; problems name the parameter (`query.entity`). */
export function readQuery<T extends z.ZodType>(request: ApiRequest, schema: T): z.infer<T> {
  const result = schema.safeParse(Object.fromEntries(request.query));
  if (!result.success) {
    throw badRequest('The query parameters are not valid', zodDetails(result.error, 'query'));
  }
  return result.data;
}

/** Route parameters, checked the same way (`params.id`). */
export function readParams<T extends z.ZodType>(request: ApiRequest, schema: T): z.infer<T> {
  const result = schema.safeParse(request.params);
  if (!result.success) {
    throw badRequest('The address is not valid', zodDetails(result.error, 'params'));
  }
  return result.data;
}
