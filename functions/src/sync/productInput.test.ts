import type { OneflowProduct } from '@oneflow-sync/shared';
import { productInput, unchangedProductInput } from './productInput';

/** A product as read from Oneflow: 549.00 − 10 % on price 1, 12 pieces. */
const desk: OneflowProduct = {
  id: 300001,
  name: 'Standing desk',
  description: '<p>Electric</p>',
  counterparty_lock: true,
  _private_ownerside: { created_time: 't', updated_time: 't' },
  price_1: {
    base_amount: { amount: '549.00' },
    discount_amount: { amount: null },
    discount_percent: '10.00',
    amount: { amount: '494.10' },
  },
  price_2: { base_amount: { amount: '0.00' }, discount_amount: { amount: null }, discount_percent: null },
  quantity: { type: 'quantity', amount: 12 },
};

describe('productInput', () => {
  it('sends the top-level fields written and nothing else of them', () => {
    expect(productInput({ name: 'Widget', description: null }, desk)).toEqual({
      name: 'Widget',
      description: '',
    });
    expect(productInput({}, desk)).toEqual({});
  });

  it('sends a price whole when one part of it is written: base and both discount kinds, the rest as read', () => {
    expect(productInput({ 'price_1.discount_percent': '5.00' }, desk)).toEqual({
      price_1: {
        base_amount: { amount: '549.00' },
        discount_amount: { amount: null },
        discount_percent: '5.00',
      },
    });
    expect(
      productInput({ 'price_1.base_amount': '600.00', 'price_2.discount_amount': '1.00' }, desk),
    ).toEqual({
      price_1: {
        base_amount: { amount: '600.00' },
        discount_amount: { amount: null },
        discount_percent: '10.00',
      },
      price_2: {
        base_amount: { amount: '0.00' },
        discount_amount: { amount: '1.00' },
        discount_percent: null,
      },
    });
  });

  it('sends the quantity whole, with the type as read, and its amount as a JSON number', () => {
    const input = productInput({ quantity: '3' }, desk);
    expect(input).toEqual({ quantity: { type: 'quantity', amount: 3 } });
    expect(typeof input.quantity?.amount).toBe('number');
    const choice: OneflowProduct = { ...desk, quantity: { type: 'multiple_choice', amount: '1' } };
    expect(productInput({ quantity: '0' }, choice)).toEqual({
      quantity: { type: 'multiple_choice', amount: 0 },
    });
    expect(productInput({ quantity: '2.5' }, desk).quantity?.amount).toBe(2.5);
  });

  it('a new product states the quantity type (Oneflow’s default would refuse any amount but 0 or 1) and every price part', () => {
    expect(
      productInput({ name: 'Widget', quantity: '10', 'price_1.base_amount': '25.00' }, undefined),
    ).toEqual({
      name: 'Widget',
      quantity: { type: 'quantity', amount: 10 },
      price_1: {
        base_amount: { amount: '25.00' },
        discount_amount: { amount: null },
        discount_percent: null,
      },
    });
  });

  it('writes an emptied value as Oneflow shows an empty one', () => {
    expect(productInput({ 'price_1.discount_percent': null, quantity: null }, desk)).toEqual({
      price_1: {
        base_amount: { amount: '549.00' },
        discount_amount: { amount: null },
        discount_percent: '0',
      },
      quantity: { type: 'quantity', amount: 0 },
    });
  });
});

describe('unchangedProductInput', () => {
  it('is the whole product as read, with its id, so that a bulk write cannot blank it', () => {
    expect(unchangedProductInput(desk, 'line-1')).toEqual({
      id: 300001,
      name: 'Standing desk',
      description: '<p>Electric</p>',
      counterparty_lock: true,
      _private_ownerside: { custom_id: 'line-1' },
      price_1: {
        base_amount: { amount: '549.00' },
        discount_amount: { amount: null },
        discount_percent: '10.00',
      },
      price_2: { base_amount: { amount: '0.00' }, discount_amount: { amount: null }, discount_percent: null },
      quantity: { type: 'quantity', amount: 12 },
    });
  });

  it('leaves custom_id out when nobody knows it, and reads missing parts as Oneflow’s empty values', () => {
    expect(unchangedProductInput({ id: 7, name: 'Setup fee' }, null)).toEqual({
      id: 7,
      name: 'Setup fee',
      description: null,
      counterparty_lock: false,
      price_1: { base_amount: { amount: '0' }, discount_amount: { amount: null }, discount_percent: null },
      price_2: { base_amount: { amount: '0' }, discount_amount: { amount: null }, discount_percent: null },
      quantity: { type: 'quantity', amount: 0 },
    });
  });
});
