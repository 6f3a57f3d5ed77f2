import type { ApiErrorCode, ProblemDetail } from '@oneflow-sync/shared';
import type { z } from 'zod';

/** An answer other than success, shaped `{"error":{"code","message","details"}}` on the wire. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details: ProblemDetail[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function zodDetails(error: z.ZodError, prefix: string): ProblemDetail[] {
  const fieldOf = (path: readonly PropertyKey[]) => [prefix, ...path.map(String)].filter(Boolean).join('.');
  return error.issues.flatMap((issue) =>
    // A field the schema does not know is named itself (`body.foo`), not the object that holds it.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((name) => ({ field: fieldOf([...issue.path, name]), message: 'is not a known field' }))
      : [{ field: fieldOf(issue.path), message: issue.message }],
  );
}

export const badRequest = (message: string, details: ProblemDetail[] = []): ApiError =>
  new ApiError(400, 'bad_request', message, details);

export const notFound = (message: string): ApiError => new ApiError(404, 'not_found', message);
