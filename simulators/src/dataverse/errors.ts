/**
 * Dataverse's error answers: `{"error":{"code":"0x…","message":"…"}}` with the HTTP status Dataverse uses.
 * Messages quoted from Microsoft's documentation are marked "documented"; the others follow Dataverse's wording
 * as closely as the reference allows and are listed in docs/simulators-dataverse.md.
 */
export interface DataverseErrorBody {
  error: { code: string; message: string };
}

export class DataverseError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers, e.g. Retry-After on a 429. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'DataverseError';
  }

  body(): DataverseErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

export const ErrorCodes = {
  /** documented: unknown entity set, function or action. */
  segmentNotFound: '0x8006088a',
  /** Query and payload syntax (property not found, bad $filter, unsupported query option). */
  queryError: '0x80060888',
  /** ObjectNotFound. */
  recordNotFound: '0x80040217',
  /** ConcurrencyVersionMismatch. */
  versionMismatch: '0x80060882',
  /** DuplicateRecord. */
  duplicateRecord: '0x80040237',
  /** PrivilegeDenied. */
  privilegeDenied: '0x80040220',
  /** documented: number-of-requests service protection limit. */
  tooManyRequests: '0x80072322',
  /** documented: "Error identified in Payload provided by the user". */
  payloadError: '0x80048d19',
  /** documented: "A validation error occurred." (length, range). */
  validation: '0x80044331',
  /** InvalidArgument: business rules of the sales entities. */
  invalidArgument: '0x80040203',
  /** Unexpected server error (the injected 500). */
  unexpected: '0x80040216',
  /** The calling user has no systemuser in the organization. */
  notMemberOfOrganization: '0x80072560',
  /** Authentication failed before the platform ran (missing, malformed or expired token). */
  authentication: '0x80072561',
} as const;

export function segmentNotFound(segment: string): DataverseError {
  return new DataverseError(
    404,
    ErrorCodes.segmentNotFound,
    `Resource not found for the segment '${segment}'.`,
  );
}

export function noResourceForUri(method: string, uri: string): DataverseError {
  return new DataverseError(
    404,
    ErrorCodes.segmentNotFound,
    `No HTTP resource was found that matches the request URI '${uri}' for the method '${method}'.`,
  );
}

export function propertyNotFound(property: string, typeName: string): DataverseError {
  return new DataverseError(
    400,
    ErrorCodes.queryError,
    `Could not find a property named '${property}' on type '${typeName}'.`,
  );
}

export function queryError(message: string): DataverseError {
  return new DataverseError(400, ErrorCodes.queryError, message);
}

/** A query option Dataverse itself rejects (`$skip`, `$orderby` on EntityDefinitions). */
export function queryOptionNotSupported(option: string): DataverseError {
  return queryError(`The query parameter ${option} is not supported`);
}

/** A feature Dataverse has but this simulator does not model: refused loudly rather than ignored. */
export function notModeled(feature: string): DataverseError {
  return queryError(`${feature} is not modeled by the Dataverse simulator.`);
}

export function recordNotFound(logicalName: string, id: string): DataverseError {
  return new DataverseError(404, ErrorCodes.recordNotFound, `${logicalName} With Id = ${id} Does Not Exist`);
}

export function versionMismatch(): DataverseError {
  return new DataverseError(
    412,
    ErrorCodes.versionMismatch,
    "The version of the existing record doesn't match the RowVersion property provided.",
  );
}

export function duplicateRecord(): DataverseError {
  return new DataverseError(
    412,
    ErrorCodes.duplicateRecord,
    'A record with matching key values already exists.',
  );
}

/** A request body sent as anything but application/json (the simulator's wording). */
export function unsupportedContentType(contentType: string): DataverseError {
  return new DataverseError(
    415,
    ErrorCodes.payloadError,
    `The content type '${contentType}' of the request body is not supported: send application/json.`,
  );
}

export function payloadError(entitySetName: string, detail: string): DataverseError {
  return new DataverseError(
    400,
    ErrorCodes.payloadError,
    `Error identified in Payload provided by the user for Entity :'${entitySetName}'  ---->  InnerException : Microsoft.OData.ODataException: ${detail}`,
  );
}

export function invalidProperty(property: string, logicalName: string): DataverseError {
  return new DataverseError(
    400,
    ErrorCodes.payloadError,
    `An error occurred while validating input parameters: Microsoft.Crm.CrmException: Invalid property '${property}' was found in entity 'Microsoft.Dynamics.CRM.${logicalName}'.`,
  );
}

export function validationError(detail: string): DataverseError {
  return new DataverseError(400, ErrorCodes.validation, `A validation error occurred.  ${detail}`);
}

export function invalidArgument(message: string): DataverseError {
  return new DataverseError(400, ErrorCodes.invalidArgument, message);
}

export function unauthenticated(reason: string, authorizationUri: string): DataverseError {
  return new DataverseError(401, ErrorCodes.authentication, reason, {
    'WWW-Authenticate': `Bearer authorization_uri=${authorizationUri}`,
  });
}

export function notMemberOfOrganization(): DataverseError {
  return new DataverseError(
    403,
    ErrorCodes.notMemberOfOrganization,
    'The user is not a member of the organization.',
  );
}

export function tooManyRequests(
  limit: number,
  windowSeconds: number,
  retryAfterSeconds: number,
): DataverseError {
  return new DataverseError(
    429,
    ErrorCodes.tooManyRequests,
    `Number of requests exceeded the limit of ${limit} over time window of ${windowSeconds} seconds.`,
    { 'Retry-After': String(retryAfterSeconds) },
  );
}

export function unexpectedError(): DataverseError {
  return new DataverseError(500, ErrorCodes.unexpected, 'An unexpected error occurred.');
}
