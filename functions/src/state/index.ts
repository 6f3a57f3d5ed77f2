export {
  createStateStore,
  tableNames,
  DEFAULT_TABLE_PREFIX,
  type StateStoreOptions,
  type TableNames,
} from './store';
export {
  withContractLease,
  newLeaseHolder,
  LEASE_TTL_MS,
  type ContractLeaseOptions,
  type HeldLease,
} from './lease';
export * from './errors';
export * from './types';
export { isLocalStorage } from './tables';
