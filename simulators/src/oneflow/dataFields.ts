import { z } from 'zod';
import { notFound, Problems } from './errors';
import {
  DATA_FIELD_VALUE_MAX,
  type ContractState,
  type DataFieldState,
  type TemplateTypeFieldState,
} from './model';

/**
 * Contract data fields: copies of the template type's fields, updated one at a time
 * (`PUT /contracts/{id}/data_fields/{data_field_id}`, where the id is the field's id or `c::<custom_id>`) or
 * several at once (`PUT /contracts/{id}/data_fields`). Rules from Oneflow's "Update a data field value" page.
 */

const Id = z.number().int().positive();

/** Oneflow's `Datafield_for_update`: nothing is required for one field; a list item needs `id` or `custom_id`. */
export const DataFieldUpdateSchema = z.object({
  id: Id.optional(),
  // The connector's definition requires custom_id whenever _private_ownerside is sent.
  _private_ownerside: z.object({ custom_id: z.string().min(1) }).optional(),
  // No value leaves it as it is; null or "" empties it.
  value: z.string().max(DATA_FIELD_VALUE_MAX).nullable().optional(),
});
export type DataFieldUpdate = z.output<typeof DataFieldUpdateSchema>;

/** The list form's body (shape inferred: the list under `data_fields`, as on contract create). */
export const DataFieldsUpdateSchema = z.object({ data_fields: z.array(DataFieldUpdateSchema).min(1) });

export interface DataFieldJson {
  id: number;
  name: string;
  description: string;
  placeholder: string;
  value: string;
  _private_ownerside: { custom_id: string; created_time: string; updated_time: string };
}

export function newContractDataField(
  field: TemplateTypeFieldState,
  value: string | undefined,
  nextIds: { dataField: number },
): DataFieldState {
  return {
    id: nextIds.dataField++,
    customId: field.customId,
    name: field.name,
    description: field.description,
    placeholder: field.placeholder,
    source: field.source,
    value: value ?? field.value,
    updatedTime: null,
  };
}

export function renderDataField(field: DataFieldState, contract: ContractState): DataFieldJson {
  return {
    id: field.id,
    name: field.name,
    description: field.description,
    placeholder: field.placeholder,
    value: field.value,
    _private_ownerside: {
      custom_id: field.customId,
      created_time: contract.createdTime,
      updated_time: field.updatedTime ?? contract.createdTime,
    },
  };
}

const CUSTOM_ID_PREFIX = 'c::';

/** The field a path names: its id in digits, or `c::` and its custom_id; anything else names none (404). */
export function fieldInPath(contract: ContractState, reference: string): DataFieldState {
  const field = reference.startsWith(CUSTOM_ID_PREFIX)
    ? contract.dataFields.find(({ customId }) => customId === reference.slice(CUSTOM_ID_PREFIX.length))
    : /^\d{1,15}$/.test(reference)
      ? contract.dataFields.find(({ id }) => id === Number(reference))
      : undefined;
  if (!field) throw notFound();
  return field;
}

/** A body that names a field (by `id` or `custom_id`) other than the one in the path is a 400 naming the key. */
export function checkBodyNamesField(field: DataFieldState, body: DataFieldUpdate): void {
  const problems = new Problems();
  if (body.id !== undefined && body.id !== field.id) {
    problems.add('id', 'Does not match the data field in the path.');
  }
  const customId = body._private_ownerside?.custom_id;
  if (customId !== undefined && customId !== field.customId) {
    problems.add('_private_ownerside.custom_id', 'Does not match the data field in the path.');
  }
  problems.throwIfAny();
}

/** Each list item's field: named by `id` and/or `custom_id` (both must agree), once. */
export function fieldsOfList(contract: ContractState, items: DataFieldUpdate[]): DataFieldState[] {
  const problems = new Problems();
  const found: DataFieldState[] = [];
  items.forEach((item, index) => {
    const path = `data_fields[${index}]`;
    const customId = item._private_ownerside?.custom_id;
    if (item.id === undefined && customId === undefined) {
      problems.add(path, 'Either id or _private_ownerside.custom_id is required.');
      return;
    }
    const byId = item.id === undefined ? undefined : contract.dataFields.find(({ id }) => id === item.id);
    const byCustomId =
      customId === undefined ? undefined : contract.dataFields.find((field) => field.customId === customId);
    if (item.id !== undefined && !byId)
      problems.add(`${path}.id`, 'The contract has no data field with this id.');
    if (customId !== undefined && !byCustomId) {
      problems.add(
        `${path}._private_ownerside.custom_id`,
        'The contract has no data field with this custom_id.',
      );
    }
    if (byId && byCustomId && byId !== byCustomId) {
      problems.add(path, 'id and _private_ownerside.custom_id name different data fields.');
    }
    const field = byId ?? byCustomId;
    if (!field) return;
    if (found.includes(field)) problems.add(path, 'This data field is already in the list.');
    found.push(field);
  });
  problems.throwIfAny();
  return found;
}

/**
 * Sets a value as Oneflow does: no value changes nothing, null or "" empties it, and a `system` field (an
 * integration extension's) keeps its value while the call still answers 200. True when the value changed.
 */
export function applyValue(field: DataFieldState, update: DataFieldUpdate, now: string): boolean {
  if (update.value === undefined || field.source === 'system') return false;
  const value = update.value ?? '';
  if (value === field.value) return false;
  field.value = value;
  field.updatedTime = now;
  return true;
}
