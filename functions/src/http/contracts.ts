import { ContractParamsSchema, type SyncResultAnswer } from '@oneflow-sync/shared';
import type { ContractRecord } from '../state/store';
import type { ContractRef, SyncResult } from '../sync/syncService';
import { readParams } from './api';
import { notFound } from './errors';
import type { SignedInContext } from './route';

/** The contract named in the address, if it belongs to the caller's tenant (another tenant's reads as missing). */
export async function contractInAddress(context: SignedInContext): Promise<ContractRecord> {
  const { id } = readParams(context.request, ContractParamsSchema);
  const contract = await context.services.store.contracts.getById(context.principal.tenantId, id);
  if (!contract) throw notFound(`Contract ${id} is not synced with Dynamics here`);
  return contract;
}

/**
 * The contract named in the address, in the caller's tenant, not yet looked up: an action looks it up beside
 * taking its lease (another tenant's contract is not found there, as above).
 */
export function contractRefInAddress(context: SignedInContext): ContractRef {
  const { id } = readParams(context.request, ContractParamsSchema);
  return { tenantId: context.principal.tenantId, contractId: id };
}

/** What push, fetch, plan and create answer: the plan (counts, field-level changes, skips, held conflicts). */
export function resultBody(result: SyncResult): SyncResultAnswer {
  return {
    applied: result.applied,
    outcome: result.outcome,
    summary: result.plan.summary,
    plan: result.plan,
    failures: result.failures,
    activityId: result.activityId,
  };
}
