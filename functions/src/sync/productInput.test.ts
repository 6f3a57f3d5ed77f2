import { productInput } from './productInput';

describe('productInput', () => {
  it('sends only the given fields, nested as Oneflow expects', () => {
    expect(
      productInput(
        {
          name: 'Widget',
          'price_1.base_amount': '25.00',
          'price_1.discount_percent': '10.00',
          'price_2.discount_amount': '1.00',
        },
        'update',
      ),
    ).toEqual({
      name: 'Widget',
      price_1: { base_amount: { amount: '25.00' }, discount_percent: '10.00' },
      price_2: { discount_amount: { amount: '1.00' } },
    });
  });

  it('states the quantity type only when creating', () => {
    expect(productInput({ quantity: '3' }, 'create')).toEqual({
      quantity: { type: 'quantity', amount: '3' },
    });
    expect(productInput({ quantity: '3' }, 'update')).toEqual({ quantity: { amount: '3' } });
  });

  it('writes an empty value as Oneflow empties it', () => {
    expect(productInput({ description: null, 'price_1.base_amount': null }, 'update')).toEqual({
      description: '',
      price_1: { base_amount: { amount: '0' } },
    });
  });

  it('sends nothing for no values', () => {
    expect(productInput({}, 'update')).toEqual({});
  });
});
