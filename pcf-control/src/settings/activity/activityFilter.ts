import type { ActivityOutcome } from '../../api/contract';
import type { ActivitySubject } from '../../api/SyncApiClient';

export type SubjectKind = 'contract' | 'record';

/** The outcome filters offered: all entries, or only the ones that need a look. */
export const ACTIVITY_FILTERS = [
  'all',
  'failed',
  'needs_attention',
  'interrupted',
] as const satisfies readonly ('all' | ActivityOutcome)[];
export type ActivityFilter = (typeof ACTIVITY_FILTERS)[number];

/*
 * The same rules the API applies to `contractId` and `recordId`: an id it would refuse is named on the field
 * and never sent.
 */
const CONTRACT_ID = /^[1-9][0-9]*$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The subject typed, or the resx key of what is wrong with it. */
export function readSubject(
  kind: SubjectKind,
  typed: string,
): { subject: ActivitySubject } | { problem: string } {
  const text = typed.trim();
  if (kind === 'contract') {
    if (text === '') return { problem: 'Activity_Id_Missing_Contract' };
    const contractId = Number(text);
    if (!CONTRACT_ID.test(text) || contractId > Number.MAX_SAFE_INTEGER) {
      return { problem: 'Activity_Id_Invalid_Contract' };
    }
    return { subject: { contractId } };
  }
  if (text === '') return { problem: 'Activity_Id_Missing_Record' };
  // Dynamics shows record ids in braces in places (the address bar, exports); they are not part of the id.
  const id = text.replace(/^\{(.*)\}$/, '$1');
  if (!GUID.test(id)) return { problem: 'Activity_Id_Invalid_Record' };
  return { subject: { recordId: id.toLowerCase() } };
}
