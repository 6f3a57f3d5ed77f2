import { cellId, cellProblem, placeOf, placeProblems } from './mappingCells';

describe('a refused save placed on the page', () => {
  it.each([
    ['body.mappings.1.direction', { kind: 'cell', row: 1, column: 'direction' }],
    ['body.mappings.0.dynamicsField', { kind: 'cell', row: 0, column: 'dynamicsField' }],
    ['body.mappings.12.conflictPolicy', { kind: 'cell', row: 12, column: 'conflictPolicy' }],
    ['body.mappings.3.writeCondition', { kind: 'cell', row: 3, column: 'writeCondition' }],
    ['body.mappings.2.oneflowField', { kind: 'cell', row: 2, column: 'oneflowField' }],
    ['body.mappings.2.foo', { kind: 'row', row: 2 }],
    ['body.mappings.2', { kind: 'row', row: 2 }],
    ['body.mappings', { kind: 'mappings' }],
    ['body.productSource', { kind: 'productSource' }],
    ['body.productSource.entity', { kind: 'productSource' }],
    ['body.productsEnabled', { kind: 'productsEnabled' }],
    ['body.mainEntity', { kind: 'settings' }],
    ['body', { kind: 'settings' }],
  ])('%s goes to %j', (field, place) => {
    expect(placeOf(field)).toEqual(place);
  });

  it('finds the message of one cell and nothing for the others', () => {
    const problems = placeProblems([
      { field: 'body.mappings.1.direction', message: 'Two-way is only available for …' },
      { field: 'body.mappings', message: "map a Dynamics field to Oneflow's Name" },
    ]);
    expect(cellProblem(problems, 1, 'direction')).toBe('Two-way is only available for …');
    expect(cellProblem(problems, 0, 'direction')).toBeNull();
    expect(cellProblem(problems, 1, 'oneflowField')).toBeNull();
    expect(problems[1]?.place).toEqual({ kind: 'mappings' });
  });

  it('gives every cell its own id', () => {
    expect(cellId('p', 1, 'direction')).toBe('p-mapping-1-direction');
    expect(cellId('p', 1, 'direction')).not.toBe(cellId('p', 11, 'direction'));
  });
});
