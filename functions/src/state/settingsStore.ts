import type { TableClient } from '@azure/data-tables';
import { EntitySettingsSchema, type EntitySettings } from '@oneflow-sync/shared';
import { CorruptStateError, PreconditionFailedError, StateInputError } from './errors';
import { key, requireId } from './keys';
import {
  getRow,
  packJson,
  partitionFilter,
  queryRows,
  parseInput,
  parseStored,
  statusOf,
  stringProp,
  unpackJson,
  type Entity,
  type Row,
} from './tables';
import type { SettingsStore, StoredSettings } from './types';

/**
 * Settings: PartitionKey = tenant, RowKey = main entity. The row's own etag is the optimistic-concurrency token
 * handed to admins, so two admins cannot overwrite each other.
 */

const SETTINGS_PIECES = 8;

export function createSettingsStore(client: TableClient): SettingsStore {
  const table = client.tableName;
  const keysFor = (tenantId: string, mainEntity: string) => ({
    partitionKey: key(requireId('tenantId', tenantId)),
    rowKey: key(requireId('mainEntity', mainEntity)),
  });

  const read = (row: Row, mainEntity: string): StoredSettings => {
    const settings = parseStored(EntitySettingsSchema, unpackJson(table, row, 'settings'), table, row);
    if (settings.mainEntity !== mainEntity) {
      throw new CorruptStateError(
        table,
        { partitionKey: row.partitionKey ?? '?', rowKey: row.rowKey ?? '?' },
        'holds the settings of another entity',
      );
    }
    return {
      settings,
      etag: row.etag,
      updatedAt: stringProp(table, row, 'updatedAt'),
      updatedBy: stringProp(table, row, 'updatedBy'),
    };
  };

  return {
    async get(tenantId, mainEntity) {
      const { partitionKey, rowKey } = keysFor(tenantId, mainEntity);
      const row = await getRow(client, partitionKey, rowKey);
      return row === null ? null : read(row, mainEntity);
    },

    async listForTenant(tenantId) {
      // One partition per tenant, one row per main entity set up: a handful of rows.
      const rows = await queryRows(client, partitionFilter(key(requireId('tenantId', tenantId))));
      const stored = new Map<string, StoredSettings>();
      for (const row of rows) {
        const mainEntity = stringProp(table, row, 'mainEntity');
        stored.set(mainEntity, read(row, mainEntity));
      }
      return stored;
    },

    async put(tenantId, mainEntity, input, ifMatch, updatedBy) {
      const settings: EntitySettings = parseInput(EntitySettingsSchema, input, `Settings for ${mainEntity}`);
      if (settings.mainEntity !== mainEntity) {
        throw new StateInputError(`Settings for ${settings.mainEntity} cannot be stored under ${mainEntity}`);
      }
      if (ifMatch === '*') throw new StateInputError('ifMatch must be an etag read from the store, not *');
      const updatedAt = new Date().toISOString();
      const entity: Entity = {
        ...keysFor(tenantId, mainEntity),
        tenantId,
        mainEntity,
        updatedAt,
        updatedBy,
        ...packJson('settings', settings, SETTINGS_PIECES),
      };
      const what = `Settings for ${mainEntity}`;
      let etag: string | undefined;
      try {
        if (ifMatch === null) {
          etag = (await client.createEntity(entity)).etag;
        } else {
          etag = (await client.updateEntity(entity, 'Replace', { etag: ifMatch })).etag;
        }
      } catch (error) {
        const status = statusOf(error);
        if (status === 409) throw new PreconditionFailedError(what, 'exists', { cause: error });
        if (status === 412) throw new PreconditionFailedError(what, 'changed', { cause: error });
        if (status === 404) throw new PreconditionFailedError(what, 'missing', { cause: error });
        throw error;
      }
      if (etag === undefined) {
        const stored = await this.get(tenantId, mainEntity);
        if (stored === null) throw new PreconditionFailedError(what, 'missing');
        return stored;
      }
      return { settings, etag, updatedAt, updatedBy };
    },

    async delete(tenantId, mainEntity, ifMatch) {
      if (ifMatch === '*') throw new StateInputError('ifMatch must be an etag read from the store, not *');
      const { partitionKey, rowKey } = keysFor(tenantId, mainEntity);
      try {
        await client.deleteEntity(partitionKey, rowKey, { etag: ifMatch });
      } catch (error) {
        const status = statusOf(error);
        const what = `Settings for ${mainEntity}`;
        if (status === 412) throw new PreconditionFailedError(what, 'changed', { cause: error });
        if (status === 404) throw new PreconditionFailedError(what, 'missing', { cause: error });
        throw error;
      }
    },
  };
}
