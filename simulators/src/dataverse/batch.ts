import { randomUUID } from 'node:crypto';
import { DataverseError, ErrorCodes } from './errors';

/**
 * The `$batch` wire format, parsed and written by hand: `multipart/mixed` bodies whose parts are
 * `application/http` messages (Content-Transfer-Encoding: binary) or nested `multipart/mixed` change sets.
 * Lines end in CRLF; a bare LF is tolerated when reading, CRLF is always written.
 */

export interface MimePart {
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
}

export interface HttpMessage {
  startLine: string;
  headers: Record<string, string>;
  body: string;
}

export interface BatchRequestPart {
  method: string;
  /** As written: absolute, absolute path, relative to the service root, or starting with `$<Content-ID>`. */
  url: string;
  headers: Record<string, string>;
  body: string;
  contentId?: string;
}

export type BatchItem =
  { kind: 'request'; request: BatchRequestPart } | { kind: 'changeset'; requests: BatchRequestPart[] };

export interface BatchResponsePart {
  status: number;
  headers: Record<string, string>;
  body?: string;
  contentId?: string;
}

export type BatchResponseItem =
  { kind: 'response'; response: BatchResponsePart } | { kind: 'changeset'; responses: BatchResponsePart[] };

/** Dataverse's limit on the operations of one batch (change set members count one each). */
export const MAX_BATCH_OPERATIONS = 1000;

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  415: 'Unsupported Media Type',
  412: 'Precondition Failed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

export function batchFormatError(message: string): DataverseError {
  return new DataverseError(400, ErrorCodes.queryError, message);
}

/** The boundary parameter of a multipart Content-Type, quoted or not. */
export function boundaryOf(contentType: string | undefined): string {
  const match = /^\s*multipart\/mixed\s*;(?:.*;)?\s*boundary=("([^"]+)"|[^;\s]+)/i.exec(contentType ?? '');
  const boundary = match?.[2] ?? match?.[1];
  if (!boundary) {
    throw batchFormatError(
      `The content type '${contentType ?? ''}' of a batch must be multipart/mixed with a boundary parameter.`,
    );
  }
  return boundary;
}

/** Splits header lines ("Name: value") into a record with lower-case names. */
function parseHeaderLines(lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw batchFormatError(`The header line '${line}' is not a valid header.`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** Separates a header block from its body at the first empty line. */
function splitHead(text: string): { head: string[]; body: string } {
  const match = /\r?\n\r?\n/.exec(text);
  if (text.startsWith('\r\n') || text.startsWith('\n')) {
    return { head: [], body: text.replace(/^\r?\n/, '') };
  }
  if (!match) return { head: text.split(/\r?\n/), body: '' };
  return { head: text.slice(0, match.index).split(/\r?\n/), body: text.slice(match.index + match[0].length) };
}

function findDelimiter(text: string, delimiter: string, from: number): number {
  let index = from;
  for (;;) {
    const found = text.indexOf(delimiter, index);
    if (found === -1) return -1;
    const atLineStart = found === 0 || text[found - 1] === '\n';
    const next = text[found + delimiter.length];
    const ends =
      next === undefined || next === '-' || next === '\r' || next === '\n' || next === ' ' || next === '\t';
    if (atLineStart && ends) return found;
    index = found + 1;
  }
}

/** The body parts of a multipart entity; the preamble and epilogue are ignored as RFC 2046 says. */
export function parseMultipart(text: string, boundary: string): MimePart[] {
  const delimiter = `--${boundary}`;
  let position = findDelimiter(text, delimiter, 0);
  if (position === -1) throw batchFormatError(`The batch body does not contain the boundary '${boundary}'.`);
  const parts: MimePart[] = [];
  for (;;) {
    const after = position + delimiter.length;
    if (text.startsWith('--', after)) return parts;
    const lineEnd = text.indexOf('\n', after);
    if (lineEnd === -1)
      throw batchFormatError(`The multipart body ends without the close delimiter '${delimiter}--'.`);
    const start = lineEnd + 1;
    const next = findDelimiter(text, delimiter, start);
    if (next === -1)
      throw batchFormatError(`The multipart body ends without the close delimiter '${delimiter}--'.`);
    // The line break before a delimiter belongs to the delimiter, not to the part's body.
    let end = next;
    if (text[end - 1] === '\n') end -= 1;
    if (text[end - 1] === '\r') end -= 1;
    const { head, body } = splitHead(text.slice(start, Math.max(start, end)));
    parts.push({ headers: parseHeaderLines(head), body });
    position = next;
  }
}

/** A request or response message carried in an application/http part. */
export function parseHttpMessage(text: string): HttpMessage {
  const { head, body } = splitHead(text);
  const [startLine = '', ...headerLines] = head;
  return { startLine, headers: parseHeaderLines(headerLines), body };
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function parseRequestPart(part: MimePart, inChangeSet: boolean): BatchRequestPart {
  const type = mediaType(part.headers['content-type']);
  if (type === 'multipart/mixed') {
    throw batchFormatError(
      inChangeSet
        ? 'A change set cannot contain another change set.'
        : 'A batch cannot contain another batch.',
    );
  }
  if (type !== 'application/http') {
    throw batchFormatError(`A batch part must have Content-Type application/http, not '${type}'.`);
  }
  const encoding = part.headers['content-transfer-encoding']?.toLowerCase();
  if (encoding !== 'binary') {
    throw batchFormatError(
      "The 'Content-Transfer-Encoding' header of a batch part is missing or invalid: it must be 'binary'.",
    );
  }
  const message = parseHttpMessage(part.body);
  // The URL is everything between the first and the last space, as OData's batch reader reads it: clients
  // leave spaces in query options unencoded (`$orderby=name asc`) and Dataverse accepts them.
  const line = message.startLine;
  const first = line.indexOf(' ');
  const last = line.lastIndexOf(' ');
  const method = first > 0 ? line.slice(0, first) : '';
  const url = last > first ? line.slice(first + 1, last) : '';
  const version = last > first ? line.slice(last + 1) : '';
  if (!method || !url || !/^HTTP\/1\.[01]$/.test(version)) {
    throw batchFormatError(`The request line '${message.startLine}' of a batch part is not valid.`);
  }
  const contentId = part.headers['content-id'] ?? message.headers['content-id'];
  return {
    method: method.toUpperCase(),
    url,
    headers: message.headers,
    body: message.body,
    ...(contentId === undefined ? {} : { contentId }),
  };
}

/** The operations of a batch request, with change sets kept together; throws Dataverse's 400 on bad syntax. */
export function parseBatch(body: string, boundary: string): BatchItem[] {
  const items: BatchItem[] = [];
  let operations = 0;
  for (const part of parseMultipart(body, boundary)) {
    if (mediaType(part.headers['content-type']) === 'multipart/mixed') {
      const changeSetBoundary = boundaryOf(part.headers['content-type']);
      const requests = parseMultipart(part.body, changeSetBoundary).map((inner) =>
        parseRequestPart(inner, true),
      );
      operations += requests.length;
      items.push({ kind: 'changeset', requests });
    } else {
      operations += 1;
      items.push({ kind: 'request', request: parseRequestPart(part, false) });
    }
    if (operations > MAX_BATCH_OPERATIONS) {
      throw batchFormatError(
        `The number of requests in the batch exceeds the limit of ${MAX_BATCH_OPERATIONS} operations.`,
      );
    }
  }
  return items;
}

function writeHttpResponse(response: BatchResponsePart): string {
  const reason = REASONS[response.status] ?? '';
  let text = `HTTP/1.1 ${response.status} ${reason}\r\n`;
  for (const [name, value] of Object.entries(response.headers)) text += `${name}: ${value}\r\n`;
  return `${text}\r\n${response.body ?? ''}`;
}

function writeResponsePart(boundary: string, response: BatchResponsePart): string {
  const contentId = response.contentId === undefined ? '' : `Content-ID: ${response.contentId}\r\n`;
  return (
    `--${boundary}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n${contentId}\r\n` +
    `${writeHttpResponse(response)}\r\n`
  );
}

export function newResponseBoundary(kind: 'batchresponse' | 'changesetresponse'): string {
  return `${kind}_${randomUUID()}`;
}

/** The multipart body of a batch response, change sets as nested multiparts. */
export function writeBatchResponse(items: readonly BatchResponseItem[], boundary: string): string {
  let text = '';
  for (const item of items) {
    if (item.kind === 'response') {
      text += writeResponsePart(boundary, item.response);
      continue;
    }
    const changeSetBoundary = newResponseBoundary('changesetresponse');
    text += `--${boundary}\r\nContent-Type: multipart/mixed; boundary=${changeSetBoundary}\r\n\r\n`;
    for (const response of item.responses) text += writeResponsePart(changeSetBoundary, response);
    text += `--${changeSetBoundary}--\r\n`;
  }
  return `${text}--${boundary}--\r\n`;
}
