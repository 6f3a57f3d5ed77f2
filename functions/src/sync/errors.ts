import { guardFor } from '../common/errorKinds';

/** Words for a main entity in a sentence ("this opportunity"). */
const recordWords = (mainEntity: string): string => `this ${mainEntity}`;

/**
 * The record's Oneflow contract no longer exists in Oneflow (deleted there). Nothing can be synced with it any
 * more; the record can be unlinked from it and get a new contract.
 */
export class ContractDeletedError extends Error {
  readonly contractId: number;
  readonly mainEntity: string;
  readonly deletedInOneflowAt: string;

  constructor(contract: { contractId: number; mainEntity: string; deletedInOneflowAt: string }) {
    super(contractDeletedMessage(contract.contractId, contract.mainEntity));
    this.name = 'ContractDeletedError';
    this.contractId = contract.contractId;
    this.mainEntity = contract.mainEntity;
    this.deletedInOneflowAt = contract.deletedInOneflowAt;
  }
}

/** What a sales rep reads about a contract deleted in Oneflow: what happened and what to do. */
export function contractDeletedMessage(contractId: number, mainEntity: string): string {
  return (
    `The Oneflow contract ${contractId} of ${recordWords(mainEntity)} was deleted in Oneflow, so its products ` +
    `can no longer be synced. Unlink it from ${recordWords(mainEntity)}, then create a new contract.`
  );
}

export const isContractDeletedError = guardFor(ContractDeletedError);

/**
 * The contract is no longer synced with any record here: it was unlinked while this run waited for its lease.
 * The run writes nothing, so an unlinked contract never comes back, and a record's new contract is never touched.
 */
export class ContractNotSyncedError extends Error {
  readonly contractId: number;

  constructor(contractId: number) {
    super(`Contract ${contractId} is not synced with Dynamics here`);
    this.name = 'ContractNotSyncedError';
    this.contractId = contractId;
  }
}

export const isContractNotSyncedError = guardFor(ContractNotSyncedError);

/** Unlink asked for a contract Oneflow still has: only a contract deleted in Oneflow is unlinked. */
export class ContractNotDeletedError extends Error {
  readonly contractId: number;

  constructor(contractId: number, mainEntity: string) {
    super(
      `Oneflow contract ${contractId} still exists, so ${recordWords(mainEntity)} stays linked to it: only a ` +
        `contract deleted in Oneflow can be unlinked. Delete it in Oneflow first if ${recordWords(mainEntity)} ` +
        `needs a new contract.`,
    );
    this.name = 'ContractNotDeletedError';
    this.contractId = contractId;
  }
}

/**
 * The action goes against a product rule (the entity is not set up, the contract is signed, it already exists):
 * nothing was tried, so the activity records it as `refused`, not `failed`.
 */
abstract class SyncRefusedError extends Error {}

export const isSyncRefusedError = guardFor(SyncRefusedError);

/** No settings for the main entity, and it is not one the product has defaults for. */
export class NotConfiguredError extends SyncRefusedError {
  readonly mainEntity: string;

  constructor(mainEntity: string) {
    super(
      `Product sync is not set up for ${mainEntity}: an admin has to pick its product source and mappings first`,
    );
    this.name = 'NotConfiguredError';
    this.mainEntity = mainEntity;
  }
}

/** The plan would add or remove Oneflow products, and Oneflow keeps a signed or declined contract's table. */
export class ContractLockedError extends SyncRefusedError {
  readonly contractState: string;

  constructor(contractState: string) {
    super(`The Oneflow contract is ${contractState}; its products can no longer be changed`);
    this.name = 'ContractLockedError';
    this.contractState = contractState;
  }
}

/** Create contract for a record whose contract was transferred already: its changes go by push instead. */
export class ContractExistsError extends SyncRefusedError {
  readonly contractId: number;
  readonly mainEntity: string;

  constructor(contractId: number, mainEntity: string) {
    super(
      `This ${mainEntity} already has Oneflow contract ${contractId}; use Push updates to Oneflow to send its changes`,
    );
    this.name = 'ContractExistsError';
    this.contractId = contractId;
    this.mainEntity = mainEntity;
  }
}
