/**
 * The `$batch` wire format for one change set, written and read by hand (OData 4.0 multipart batch, as
 * Dataverse documents it): a `multipart/mixed` body holding one nested `multipart/mixed` change set whose parts
 * are `application/http` requests (`Content-Transfer-Encoding: binary`, a `Content-ID` each). CRLF line ends are
 * written; a bare LF is tolerated when reading.
 */

type ChangeSetMethod = 'PATCH' | 'POST' | 'DELETE';

export interface ChangeSetOperation {
  method: ChangeSetMethod;
  /** Relative to the Web API root, e.g. `opportunityproducts(<id>)?$select=opportunityproductid`. */
  path: string;
  body?: Record<string, unknown>;
  /** `If-Match`: the etag read with the record (`W/"468026"`), or `*` for update-only. */
  ifMatch?: string;
  /** `Prefer: return=representation`: the answer carries the record (and its new ETag). */
  returnRepresentation?: boolean;
}

export interface ChangeSetRequestOptions {
  /** `https://org.crm.dynamics.com/api/data/v9.2/` (with the trailing slash). */
  serviceRoot: string;
  batchBoundary: string;
  changeSetBoundary: string;
  /** Sent on every part as well as on the batch: the operations run with that user's privileges. */
  callerObjectId?: string;
}

const CRLF = '\r\n';

/** The body of a `$batch` request holding exactly one change set (all or nothing). */
export function writeChangeSetBatch(
  operations: readonly ChangeSetOperation[],
  options: ChangeSetRequestOptions,
): string {
  const lines: string[] = [
    `--${options.batchBoundary}`,
    `Content-Type: multipart/mixed; boundary=${options.changeSetBoundary}`,
    '',
  ];
  operations.forEach((operation, index) => {
    lines.push(
      `--${options.changeSetBoundary}`,
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      `Content-ID: ${index + 1}`,
      '',
      `${operation.method} ${options.serviceRoot}${operation.path} HTTP/1.1`,
    );
    if (operation.body !== undefined) lines.push('Content-Type: application/json; charset=utf-8');
    if (operation.ifMatch !== undefined) lines.push(`If-Match: ${operation.ifMatch}`);
    if (operation.returnRepresentation === true) lines.push('Prefer: return=representation');
    if (options.callerObjectId !== undefined) lines.push(`CallerObjectId: ${options.callerObjectId}`);
    lines.push('', operation.body === undefined ? '' : JSON.stringify(operation.body));
  });
  lines.push(`--${options.changeSetBoundary}--`, `--${options.batchBoundary}--`, '');
  return lines.join(CRLF);
}

/** Why a $batch answer could not be read; the client turns it into an invalid_response error. */
export class BatchFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BatchFormatError';
  }
}

export interface MimePart {
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

/** An `application/http` response inside a batch answer. */
export interface BatchPartResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
  contentId: string | null;
}

export type BatchResponseItem =
  { kind: 'response'; response: BatchPartResponse } | { kind: 'changeset'; responses: BatchPartResponse[] };

/** The `boundary` parameter of a `multipart/mixed` Content-Type (quoted or not), or null. */
export function boundaryOf(contentType: string | null | undefined): string | null {
  const match = /^\s*multipart\/mixed\s*;(?:.*;)?\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(
    contentType ?? '',
  );
  return match?.[1] ?? match?.[2] ?? null;
}

function parseHeaderLines(lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new BatchFormatError(`The header line '${line}' is not a valid header.`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** Headers up to the first empty line, then the body. */
function splitHead(lines: readonly string[]): { head: string[]; body: string } {
  const blank = lines.indexOf('');
  if (blank === -1) return { head: [...lines], body: '' };
  return { head: lines.slice(0, blank), body: lines.slice(blank + 1).join(CRLF) };
}

/** The body parts between `--boundary` lines; preamble and epilogue ignored, the close delimiter required. */
export function parseMultipart(text: string, boundary: string): MimePart[] {
  const delimiter = `--${boundary}`;
  const parts: string[][] = [];
  let current: string[] | null = null;
  let closed = false;
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trimEnd();
    if (trimmed === `${delimiter}--`) {
      if (current) parts.push(current);
      closed = true;
      break;
    }
    if (trimmed === delimiter) {
      if (current) parts.push(current);
      current = [];
    } else if (current) current.push(line);
  }
  if (current === null && !closed) {
    throw new BatchFormatError(`The batch answer does not contain its boundary '${boundary}'.`);
  }
  if (!closed)
    throw new BatchFormatError(`The batch answer ends without the close delimiter '${delimiter}--'.`);
  return parts.map((lines) => {
    const { head, body } = splitHead(lines);
    return { headers: parseHeaderLines(head), body };
  });
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function parseResponsePart(part: MimePart): BatchPartResponse {
  if (mediaType(part.headers['content-type']) !== 'application/http') {
    throw new BatchFormatError(
      `A batch answer part has Content-Type '${part.headers['content-type'] ?? ''}', not application/http.`,
    );
  }
  const { head, body } = splitHead(part.body.split(/\r?\n/));
  const [statusLine = '', ...headerLines] = head;
  const status = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine.trim())?.[1];
  if (status === undefined) {
    throw new BatchFormatError(`The status line '${statusLine}' of a batch answer part is not valid.`);
  }
  const headers = parseHeaderLines(headerLines);
  return {
    status: Number(status),
    headers,
    body: body.trim(),
    contentId: part.headers['content-id'] ?? headers['content-id'] ?? null,
  };
}

/** The answers of a $batch: single responses, and change sets as lists of responses. */
export function parseBatchResponse(contentType: string | undefined, text: string): BatchResponseItem[] {
  const boundary = boundaryOf(contentType);
  if (boundary === null) {
    throw new BatchFormatError(
      `The batch answer's Content-Type '${contentType ?? ''}' is not multipart/mixed with a boundary.`,
    );
  }
  return parseMultipart(text, boundary).map((part): BatchResponseItem => {
    if (mediaType(part.headers['content-type']) === 'multipart/mixed') {
      const inner = boundaryOf(part.headers['content-type']);
      if (inner === null) throw new BatchFormatError('A change set answer has no boundary.');
      return { kind: 'changeset', responses: parseMultipart(part.body, inner).map(parseResponsePart) };
    }
    return { kind: 'response', response: parseResponsePart(part) };
  });
}
