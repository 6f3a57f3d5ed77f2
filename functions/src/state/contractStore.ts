import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { key, prefixUpperBound, requireContractId, requireId, SEP } from './keys';
import {
  getRow,
  packJson,
  parseInput,
  parseStored,
  queryRows,
  statusOf,
  submitActions,
  unpackJson,
  type Entity,
  type Row,
} from './tables';
import { PreconditionFailedError } from './errors';
import { ContractRecordSchema, type ContractRecord, type ContractStore } from './types';

/**
 * Contracts: one partition per tenant holding two rows per contract, so both lookups are point reads and are
 * written together in one entity group transaction:
 *   RowKey `r|<mainEntity>|<recordId>` (by record) and `c|<contractId>` (by contract id).
 * Both rows carry the whole record as JSON.
 */

const BY_RECORD = 'r';
const BY_CONTRACT = 'c';

export function createContractStore(client: TableClient): ContractStore {
  const table = client.tableName;
  const tenantKey = (tenantId: string) => key(requireId('tenantId', tenantId));
  const recordRowKey = (mainEntity: string, recordId: string) =>
    key(BY_RECORD, requireId('mainEntity', mainEntity), requireId('recordId', recordId));
  const contractRowKey = (contractId: number) => key(BY_CONTRACT, requireContractId(contractId));

  const read = (row: Row): ContractRecord =>
    parseStored(ContractRecordSchema, unpackJson(table, row, 'data'), table, row);
  const readKey = async (partitionKey: string, rowKey: string) => {
    const row = await getRow(client, partitionKey, rowKey);
    return row === null ? null : read(row);
  };

  return {
    async getByRecord(tenantId, mainEntity, recordId) {
      const found = await readKey(tenantKey(tenantId), recordRowKey(mainEntity, recordId));
      return found !== null && found.tenantId === tenantId ? found : null;
    },

    async getById(tenantId, contractId) {
      const found = await readKey(tenantKey(tenantId), contractRowKey(contractId));
      return found !== null && found.tenantId === tenantId ? found : null;
    },

    async put(input, options = {}) {
      const record = parseInput(ContractRecordSchema, input, 'Contract record');
      const partitionKey = tenantKey(record.tenantId);
      const byRecord = recordRowKey(record.mainEntity, record.recordId);
      const byContract = contractRowKey(record.contractId);
      const { previous, claim = false } = options;
      // Both rows are only ever written together: a contract read as this record's means the record's row names
      // this contract too, so neither lookup needs reading again.
      const known =
        previous !== undefined &&
        previous.tenantId === record.tenantId &&
        previous.contractId === record.contractId &&
        previous.mainEntity === record.mainEntity &&
        previous.recordId === record.recordId;
      const [previousOfRecord, previousOfContract] = known
        ? [previous, previous]
        : await Promise.all([readKey(partitionKey, byRecord), readKey(partitionKey, byContract)]);
      const claimed = `Contract ${String(record.contractId)}`;
      if (claim && previousOfContract !== null) throw new PreconditionFailedError(claimed, 'exists');

      const props = {
        kind: '',
        contractId: record.contractId,
        recordId: record.recordId,
        mainEntity: record.mainEntity,
      };
      const data = packJson('data', record, 4);
      const actions: TransactionAction[] = [
        [
          'upsert',
          { partitionKey, rowKey: byRecord, ...props, kind: BY_RECORD, ...data } satisfies Entity,
          'Replace',
        ],
        claim
          ? [
              'create',
              { partitionKey, rowKey: byContract, ...props, kind: BY_CONTRACT, ...data } satisfies Entity,
            ]
          : [
              'upsert',
              { partitionKey, rowKey: byContract, ...props, kind: BY_CONTRACT, ...data } satisfies Entity,
              'Replace',
            ],
      ];
      // The record had another contract: that contract id must no longer resolve to this record.
      if (previousOfRecord !== null && previousOfRecord.contractId !== record.contractId) {
        const stale = await readKey(partitionKey, contractRowKey(previousOfRecord.contractId));
        if (stale !== null && stale.mainEntity === record.mainEntity && stale.recordId === record.recordId) {
          actions.push(['delete', { partitionKey, rowKey: contractRowKey(previousOfRecord.contractId) }]);
        }
      }
      // The contract belonged to another record: that record must no longer resolve to this contract.
      if (
        previousOfContract !== null &&
        (previousOfContract.mainEntity !== record.mainEntity ||
          previousOfContract.recordId !== record.recordId)
      ) {
        const staleKey = recordRowKey(previousOfContract.mainEntity, previousOfContract.recordId);
        const stale = await readKey(partitionKey, staleKey);
        if (stale !== null && stale.contractId === record.contractId)
          actions.push(['delete', { partitionKey, rowKey: staleKey }]);
      }
      try {
        await submitActions(client, actions);
      } catch (error) {
        // Another record's create linked the contract between the read and this write.
        if (claim && statusOf(error) === 409)
          throw new PreconditionFailedError(claimed, 'exists', { cause: error });
        throw error;
      }
    },

    async listAll(tenantId) {
      const lower = `${BY_CONTRACT}${SEP}`;
      const upper = prefixUpperBound(lower);
      const filter =
        tenantId === undefined
          ? odata`RowKey ge ${lower} and RowKey lt ${upper}`
          : odata`PartitionKey eq ${tenantKey(tenantId)} and RowKey ge ${lower} and RowKey lt ${upper}`;
      const rows = await queryRows(client, filter);
      return rows.map(read).filter((record) => tenantId === undefined || record.tenantId === tenantId);
    },

    async delete(tenantId, contractId) {
      const partitionKey = tenantKey(tenantId);
      const byContract = contractRowKey(contractId);
      const current = await readKey(partitionKey, byContract);
      if (current === null || current.tenantId !== tenantId) return false;
      const actions: TransactionAction[] = [['delete', { partitionKey, rowKey: byContract }]];
      const byRecord = recordRowKey(current.mainEntity, current.recordId);
      // The record's row goes too, unless the record has moved on to another contract meanwhile.
      if ((await readKey(partitionKey, byRecord))?.contractId === contractId) {
        actions.push(['delete', { partitionKey, rowKey: byRecord }]);
      }
      await submitActions(client, actions);
      return true;
    },
  };
}
