import type {
  CreateProductOperation,
  DeleteProductOperation,
  UpdateProductOperation,
} from '@oneflow-sync/shared';

/** The plan's product writes as the engine makes them, for tests of how they are carried out. */

export const updateOperation = (
  productId: number,
  lineId: string,
  values: UpdateProductOperation['values'],
): UpdateProductOperation => ({
  kind: 'update_product',
  rule: 'P1',
  reason: 'changed in Dynamics',
  notes: [],
  productId,
  lineId,
  values,
  changes: [],
});

export const deleteOperation = (productId: number, lineId: string): DeleteProductOperation => ({
  kind: 'delete_product',
  rule: 'P3',
  reason: 'line deleted in Dynamics',
  notes: [],
  productId,
  lineId,
});

/** A new line's product, with the line's id as its custom_id. */
export const createOperation = (
  lineId: string,
  values: CreateProductOperation['values'],
  groupId: number,
): CreateProductOperation => ({
  kind: 'create_product',
  rule: 'P2',
  reason: 'line added in Dynamics',
  notes: [],
  lineId,
  groupId,
  customId: lineId,
  values,
  changes: [],
});
