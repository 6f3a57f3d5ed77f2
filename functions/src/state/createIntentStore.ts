import type { TableClient } from '@azure/data-tables';
import { key, requireId } from './keys';
import { deleteRow, getRow, parseInput, parseStored, type Row } from './tables';
import { CreateIntentSchema, type CreateIntent, type CreateIntentStore } from './types';

/**
 * What a "Create contract" is about to ask Oneflow for, kept from just before Oneflow's create until the
 * contract's row is stored: PartitionKey `<tenantId>`, RowKey `<mainEntity>|<recordId>`, the intent's fields as
 * columns. A row left behind is an attempt that died in between; the record's next create looks in Oneflow for
 * the contract it may have made.
 */

const TABLE = 'create intents';

export function createCreateIntentStore(client: TableClient): CreateIntentStore {
  const keysFor = (tenantId: string, mainEntity: string, recordId: string) => ({
    partitionKey: key(requireId('tenantId', tenantId)),
    rowKey: key(requireId('mainEntity', mainEntity), requireId('recordId', recordId)),
  });
  const read = (row: Row): CreateIntent =>
    parseStored(
      CreateIntentSchema,
      {
        tenantId: row.tenantId,
        mainEntity: row.mainEntity,
        recordId: row.recordId,
        name: row.name,
        workspaceId: row.workspaceId,
        templateId: row.templateId,
        startedAt: row.startedAt,
      },
      TABLE,
      row,
    );

  return {
    async put(input) {
      const intent = parseInput(CreateIntentSchema, input, 'Create intent');
      await client.upsertEntity(
        { ...keysFor(intent.tenantId, intent.mainEntity, intent.recordId), ...intent },
        'Replace',
      );
    },

    async get(tenantId, mainEntity, recordId) {
      const keys = keysFor(tenantId, mainEntity, recordId);
      const row = await getRow(client, keys.partitionKey, keys.rowKey);
      if (row === null) return null;
      const intent = read(row);
      return intent.tenantId === tenantId ? intent : null;
    },

    async remove(tenantId, mainEntity, recordId) {
      const keys = keysFor(tenantId, mainEntity, recordId);
      await deleteRow(client, keys.partitionKey, keys.rowKey);
    },
  };
}
