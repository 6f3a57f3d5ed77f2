import { oneflowField, type Canonical, type OneflowFieldKey } from '@oneflow-sync/shared';
import type { OneflowPriceInput, OneflowProductInput } from '../oneflow/oneflowClient';

/**
 * The Oneflow request body that writes exactly these field values: nothing else is sent, so fields the plan
 * does not touch keep what Oneflow has. A new product states its quantity type, because Oneflow's default
 * (multiple choice) would refuse any quantity but 0 or 1.
 */
export function productInput(
  values: Partial<Record<OneflowFieldKey, Canonical>>,
  mode: 'create' | 'update',
): OneflowProductInput {
  const input: OneflowProductInput = {};
  for (const [key, value] of Object.entries(values) as [OneflowFieldKey, Canonical][]) {
    const spec = oneflowField(key);
    if (spec.price) {
      const price: OneflowPriceInput = input[spec.price.key] ?? {};
      if (spec.price.part === 'discount_percent') price.discount_percent = value ?? '0';
      else price[spec.price.part] = { amount: value ?? '0' };
      input[spec.price.key] = price;
    } else if (key === 'name') {
      input.name = value ?? '';
    } else if (key === 'description') {
      input.description = value ?? '';
    } else {
      input.quantity = { ...(mode === 'create' ? { type: 'quantity' as const } : {}), amount: value ?? '0' };
    }
  }
  return input;
}
