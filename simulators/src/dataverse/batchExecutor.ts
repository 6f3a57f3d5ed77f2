import type { Principal } from './access';
import {
  batchFormatError,
  boundaryOf,
  newResponseBoundary,
  parseBatch,
  writeBatchResponse,
  type BatchRequestPart,
  type BatchResponseItem,
  type BatchResponsePart,
} from './batch';
import { errorResponse, type OperationContext, type ServiceResponse } from './context';
import { DataverseError, ErrorCodes } from './errors';
import { parsePreferences } from './prefer';
import { executeOperation } from './service';

/**
 * Runs a `$batch` the way Dataverse does: operations in order; a change set is one transaction (when a part
 * fails, the parts before it are undone and the change set answers with that single failure); `$n` refers to the
 * record created by the part with Content-ID n earlier in the same change set; without
 * `Prefer: odata.continue-on-error` the batch stops at the first failure and answers with its status. The whole
 * batch counts as one request against the service protection limit.
 */

const SERVICE_PATH = '/api/data/v9.2/';

/** The part's URL relative to the service root, with a `$n` reference replaced by the entity it names. */
function relativeUrl(url: string, contentIds: ReadonlyMap<string, string>, serviceRoot: string): string {
  let resolved = url;
  const reference = /^(\$[^/?]+)(.*)$/.exec(url);
  if (reference) {
    const [, name = '', remainder = ''] = reference;
    const target = contentIds.get(name);
    if (target === undefined) {
      throw new DataverseError(
        400,
        ErrorCodes.queryError,
        `Content-ID Reference: '${name}' does not exist in the batch context.`,
      );
    }
    resolved = `${target}${remainder}`;
  }
  if (resolved.startsWith(serviceRoot)) return resolved.slice(serviceRoot.length);
  const marker = resolved.indexOf(SERVICE_PATH);
  if (/^https?:\/\//i.test(resolved) || resolved.startsWith('/')) {
    if (marker === -1)
      throw batchFormatError(`The URL '${url}' of a batch part is not under ${SERVICE_PATH}.`);
    return resolved.slice(marker + SERVICE_PATH.length);
  }
  return resolved;
}

export type PartPrincipalResolver = (headers: Readonly<Record<string, string>>) => Principal;

function runPart(
  context: OperationContext,
  part: BatchRequestPart,
  contentIds: ReadonlyMap<string, string>,
  principalOf: PartPrincipalResolver,
): BatchResponsePart {
  const contentId = part.contentId === undefined ? {} : { contentId: part.contentId };
  try {
    const target = relativeUrl(part.url, contentIds, context.serviceRoot);
    const [path = '', rawQuery = ''] = target.split(/\?(.*)/s);
    if (path.startsWith('$batch')) throw batchFormatError('A batch cannot contain another batch.');
    // A part carries its own conditions and preferences; the batch's impersonation applies unless it names its own.
    const headers: Record<string, string> = { ...part.headers };
    for (const name of ['callerobjectid', 'mscrmcallerid']) {
      const outer = context.headers[name];
      if (
        outer !== undefined &&
        headers.callerobjectid === undefined &&
        headers.mscrmcallerid === undefined
      ) {
        headers[name] = outer;
      }
    }
    const partContext: OperationContext = {
      ...context,
      principal: principalOf(headers),
      headers,
      preferences: parsePreferences(part.headers.prefer),
      contentIds,
    };
    const response = executeOperation(partContext, { method: part.method, path, rawQuery, body: part.body });
    const entityId = response.headers['OData-EntityId'];
    const location = part.method === 'POST' || part.method === 'PATCH' ? entityId : undefined;
    return {
      status: response.status,
      headers: location === undefined ? response.headers : { ...response.headers, Location: location },
      ...(response.body === undefined ? {} : { body: response.body }),
      ...contentId,
    };
  } catch (error) {
    if (!(error instanceof DataverseError)) throw error;
    const response = errorResponse(error);
    return { status: response.status, headers: response.headers, body: response.body ?? '', ...contentId };
  }
}

export function executeBatch(
  context: OperationContext,
  contentType: string | undefined,
  body: string,
  principalOf: PartPrincipalResolver,
): ServiceResponse {
  const items = parseBatch(body, boundaryOf(contentType));
  for (const item of items) {
    if (item.kind === 'changeset' && item.requests.some((request) => request.method === 'GET')) {
      throw batchFormatError(
        'A change set cannot contain GET requests: send them as separate parts of the batch.',
      );
    }
  }
  const { continueOnError } = context.preferences;
  const responses: BatchResponseItem[] = [];
  let failure: number | undefined;
  for (const item of items) {
    if (item.kind === 'request') {
      const response = runPart(context, item.request, new Map(), principalOf);
      responses.push({ kind: 'response', response });
      if (response.status >= 400) failure ??= response.status;
    } else {
      const snapshot = context.state.store.snapshot();
      const contentIds = new Map<string, string>();
      const done: BatchResponsePart[] = [];
      let failed: BatchResponsePart | undefined;
      for (const request of item.requests) {
        const response = runPart(context, request, contentIds, principalOf);
        if (response.status >= 400) {
          failed = response;
          break;
        }
        done.push(response);
        const entityId = response.headers['OData-EntityId'];
        if (request.contentId !== undefined && entityId !== undefined)
          contentIds.set(`$${request.contentId}`, entityId);
      }
      if (failed) {
        // The change set is one transaction: undo its earlier parts and answer with the failure alone.
        context.state.store.restore(snapshot);
        responses.push({ kind: 'response', response: failed });
        failure ??= failed.status;
      } else {
        responses.push({ kind: 'changeset', responses: done });
      }
    }
    if (failure !== undefined && !continueOnError) break;
  }
  const boundary = newResponseBoundary('batchresponse');
  return {
    status: failure !== undefined && !continueOnError ? failure : 200,
    headers: {
      'Content-Type': `multipart/mixed; boundary=${boundary}`,
      'OData-Version': '4.0',
      ...(continueOnError ? { 'Preference-Applied': 'odata.continue-on-error' } : {}),
    },
    body: writeBatchResponse(responses, boundary),
  };
}
