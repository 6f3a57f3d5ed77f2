import { readDefaultFixture } from './fixture';
import { oneflowSnapshot, OneflowSnapshotSchema, runtimeStateOf } from './snapshot';
import { OneflowStore } from './store';

const clock = () => new Date('2025-03-01T10:00:00Z');

describe('Oneflow snapshot', () => {
  it("fact: a contract's data fields (description, placeholder, source, an updated value and its time) survive a snapshot", () => {
    const store = new OneflowStore(readDefaultFixture(), clock);
    store.updateDataField(101, 'c::payment_terms', { value: 'Prepaid' });
    const json: unknown = JSON.parse(JSON.stringify(oneflowSnapshot(store.runtimeState())));
    const restored = runtimeStateOf(OneflowSnapshotSchema.parse(json));
    expect(restored.contracts.get(101)?.dataFields).toEqual(store.contract(101).dataFields);
    expect(store.contract(101).dataFields[2]).toMatchObject({
      customId: 'payment_terms',
      value: 'Prepaid',
      placeholder: 'e.g. 30 days net',
      updatedTime: '2025-03-01T10:00:00+0000',
    });
  });

  it('fact: a snapshot written before data fields carried description, placeholder, source and updatedTime still loads', () => {
    const store = new OneflowStore(readDefaultFixture(), clock);
    const snapshot = oneflowSnapshot(store.runtimeState());
    const older = {
      ...snapshot,
      contracts: snapshot.contracts.map((contract) => ({
        ...contract,
        dataFields: contract.dataFields.map(({ id, customId, name, value }) => ({
          id,
          customId,
          name,
          value,
        })),
      })),
    };
    const restored = runtimeStateOf(OneflowSnapshotSchema.parse(older));
    expect(restored.contracts.get(101)?.dataFields[0]).toEqual({
      id: 1,
      customId: 'dynamics_entity',
      name: 'Dynamics entity',
      value: 'opportunity',
      description: '',
      placeholder: '',
      source: 'user',
      updatedTime: null,
    });
  });
});
