import { isWrite, OneflowProductGroupSchema, planInitialTransfer } from '@oneflow-sync/shared';
import type { ContractRecord } from '../state/store';
import { contractName, readRecordAndLines, type CreateContractRequest } from './createContract';
import { ContractDeletedError, ContractExistsError } from './errors';
import { effectiveSettings, outcomeOf, runSync, type SyncDeps, type SyncResult } from './syncService';

/**
 * The product table a contract that does not exist yet is planned against. Oneflow's API shows a template's
 * tables only once a contract is made from it, so the preview assumes one empty table with Oneflow's defaults
 * (prices at 2 places, quantities at 0); the contract made from the template copies the template's own table.
 */
const NEW_CONTRACT_TABLE = OneflowProductGroupSchema.parse({ id: 0, products: [] });

/** Stands for the contract id in the plan of a contract not created yet. */
const NOT_CREATED_YET = 0;

export interface CreatePreview {
  /** The record's contract when an unfinished transfer would be re-run on it; null when one would be created. */
  contract: ContractRecord | null;
  /** The name the new contract would get (the existing contract's record name otherwise). */
  name: string;
  result: SyncResult;
}

/**
 * Create contract's dry run: the initial transfer it would apply now, for the same request. Reads the settings,
 * the record and its lines (as the caller) and the line entity's columns; writes nothing, takes no lease and asks
 * Oneflow nothing for a record without a contract. It refuses what create refuses, with the same errors.
 */
export async function previewContractFromRecord(
  deps: SyncDeps,
  request: CreateContractRequest,
): Promise<CreatePreview> {
  const { tenant, store } = deps;
  const tenantId = tenant.config.tenantId;
  const existing = await store.contracts.getByRecord(tenantId, request.mainEntity, request.recordId);
  if (existing) {
    if (existing.deletedInOneflowAt !== null) {
      throw new ContractDeletedError({
        contractId: existing.contractId,
        mainEntity: existing.mainEntity,
        deletedInOneflowAt: existing.deletedInOneflowAt,
      });
    }
    if (existing.lastSyncAt !== null) throw new ContractExistsError(existing.contractId, request.mainEntity);
    // Create would re-run the unfinished transfer on this contract: the preview plans exactly that.
    const result = await runSync(deps, {
      record: existing,
      action: 'initial_transfer',
      actor: request.actor,
      dryRun: true,
    });
    return {
      contract: existing,
      name: contractName(request, existing.recordName),
      result,
    };
  }
  const settings = await effectiveSettings(store, tenantId, request.mainEntity);
  const [recordRead, attributesRead] = await Promise.allSettled([
    readRecordAndLines(deps, settings, request),
    tenant.dynamics.listAttributes(settings.productSource.entity),
  ]);
  // The same order of reasons as create: the record and its lines first.
  if (recordRead.status === 'rejected') throw recordRead.reason;
  if (attributesRead.status === 'rejected') throw attributesRead.reason;
  const plan = planInitialTransfer({
    settings,
    attributes: attributesRead.value,
    lines: recordRead.value.lines,
    contract: { id: NOT_CREATED_YET, productGroups: [NEW_CONTRACT_TABLE] },
    links: [],
    clock: deps.clock,
  });
  return {
    contract: null,
    name: contractName(request, recordRead.value.recordName),
    result: {
      plan,
      applied: false,
      outcome: outcomeOf(plan, plan.operations.filter(isWrite), []),
      failures: [],
      activityId: null,
    },
  };
}
