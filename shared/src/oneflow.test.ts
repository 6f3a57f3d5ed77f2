import { OneflowProductGroupSchema, OneflowProductSchema } from './oneflow';

describe('Oneflow product groups as read', () => {
  it('a group without configuration (as in Oneflow’s connector definition) has the defaults: prices at 2 places, quantities at 0', () => {
    for (const configuration of [undefined, null]) {
      const group = OneflowProductGroupSchema.parse({ id: 20001, configuration, products: [] });
      expect(group.configuration).toEqual({ price_precision: 2, quantity_precision: 0 });
    }
  });

  it('a configuration without precisions takes the same defaults; given ones are kept', () => {
    expect(
      OneflowProductGroupSchema.parse({ id: 1, configuration: { counterpart_edit: true }, products: [] })
        .configuration,
    ).toEqual({ counterpart_edit: true, price_precision: 2, quantity_precision: 0 });
    expect(
      OneflowProductGroupSchema.parse({
        id: 1,
        configuration: { price_precision: 4, quantity_precision: 1 },
        products: [],
      }).configuration,
    ).toEqual({ price_precision: 4, quantity_precision: 1 });
  });

  it('a quantity amount is read whether Oneflow sends a number or a decimal string', () => {
    for (const amount of [3, '3', 2.5]) {
      expect(
        OneflowProductSchema.parse({ id: 1, name: 'x', quantity: { type: 'quantity', amount } }).quantity,
      ).toEqual({ type: 'quantity', amount });
    }
  });
});
