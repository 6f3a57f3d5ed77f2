import { DataverseError, ErrorCodes } from './errors';
import type { PrivilegeVerb } from './fixture';
import type { EntityDefinition } from './schema';
import type { SimulatorState } from './state';
import { guidFromName } from './util';

/**
 * Who a request runs as, and what that user may do. With `CallerObjectId` the request runs as the impersonated
 * user, and Dataverse allows an action only when both the caller and that user hold the privilege (the
 * intersection of their privileges), as Microsoft documents for impersonation.
 */
export interface Principal {
  /** The systemuserid the request runs as. */
  userId: string;
  /** The systemuserid of the token's user (the caller). */
  callerId: string;
  impersonating: boolean;
  has(entity: string, verb: PrivilegeVerb): boolean;
}

const VERB_NAMES: Record<PrivilegeVerb, string> = {
  create: 'Create',
  read: 'Read',
  write: 'Write',
  delete: 'Delete',
  append: 'Append',
  appendTo: 'AppendTo',
};

function privilegeName(entity: EntityDefinition, verb: PrivilegeVerb): string {
  return `prv${VERB_NAMES[verb]}${entity.schemaName}`;
}

function userHas(state: SimulatorState, userId: string, entity: string, verb: PrivilegeVerb): boolean {
  const { privileges } = state.userAccess(userId);
  return (privileges[entity] ?? []).includes(verb) || (privileges['*'] ?? []).includes(verb);
}

export function principalFor(state: SimulatorState, callerId: string, impersonatedId?: string): Principal {
  const userId = impersonatedId ?? callerId;
  return {
    userId,
    callerId,
    impersonating: impersonatedId !== undefined,
    has: (entity, verb) =>
      userHas(state, userId, entity, verb) &&
      (impersonatedId === undefined || userHas(state, callerId, entity, verb)),
  };
}

/** Dataverse's privilege error, naming the missing privilege the way its message does. */
export function missingPrivilege(
  state: SimulatorState,
  principal: Principal,
  name: string,
  entity?: EntityDefinition,
  /** The user lacking it: the impersonated user, or the caller when only the caller lacks it. */
  lackingUserId: string = principal.userId,
): DataverseError {
  const { privileges } = state.userAccess(lackingUserId);
  const privilegeCount = Object.values(privileges).reduce((count, verbs) => count + verbs.length, 0);
  const target = entity ? ` on OTC=${entity.objectTypeCode} for entity '${entity.logicalName}'` : '';
  return new DataverseError(
    403,
    ErrorCodes.privilegeDenied,
    `Principal user (Id=${lackingUserId}, type=8, roleCount=1, privilegeCount=${privilegeCount}, accessMode=0), is missing ${name} privilege (Id=${guidFromName(name)})${target}. context.Caller=${principal.callerId}`,
  );
}

export function requirePrivilege(
  state: SimulatorState,
  principal: Principal,
  entity: EntityDefinition,
  verb: PrivilegeVerb,
): void {
  if (principal.has(entity.logicalName, verb)) return;
  const lacking = userHas(state, principal.userId, entity.logicalName, verb)
    ? principal.callerId
    : principal.userId;
  throw missingPrivilege(state, principal, privilegeName(entity, verb), entity, lacking);
}
