import { DataverseError } from './errors';
import { checkFilter, evaluateFilter, parseFilter, type FilterSchema, type FilterValue } from './odataFilter';
import { thrown } from './testSupport';

const types: Record<string, string> = {
  name: 'Edm.String',
  quantity: 'Edm.Decimal',
  lineitemnumber: 'Edm.Int32',
  _opportunityid_value: 'Edm.Guid',
  isproductoverridden: 'Edm.Boolean',
  modifiedon: 'Edm.DateTimeOffset',
  'IsCustomizable/Value': 'Edm.Boolean',
  OwnershipType: 'Microsoft.Dynamics.CRM.OwnershipTypes',
};

const schema: FilterSchema = {
  typeOf(path) {
    const type = types[path.join('/')];
    if (!type)
      throw new DataverseError(400, '0x80060888', `Could not find a property named '${path.join('/')}'.`);
    return type;
  },
};

const OPPORTUNITY = '5d8c0000-0000-4000-8000-000000000001';

function matches(filter: string, row: Record<string, FilterValue>): boolean {
  const expression = parseFilter(filter);
  checkFilter(expression, schema);
  return evaluateFilter(expression, (path) => row[path.join('/')] ?? null, schema);
}

describe('odataFilter', () => {
  it('compares strings case-insensitively, as Dataverse (SQL collation) does', () => {
    expect(matches("name eq 'widget'", { name: 'Widget' })).toBe(true);
    expect(matches("name ne 'widget'", { name: 'Gadget' })).toBe(true);
  });

  it('decodes doubled single quotes inside string literals', () => {
    expect(matches("name eq 'O''Brian'", { name: "O'Brian" })).toBe(true);
  });

  it('reports an unterminated literal with its position', () => {
    expect(thrown(() => parseFilter("name eq 'O'Brian'")).message).toMatch(/Syntax error|unterminated/);
    expect(thrown(() => parseFilter("name eq 'abc")).message).toBe(
      "There is an unterminated literal at position 9 in 'name eq 'abc'.",
    );
  });

  it('honours and/or precedence and parentheses', () => {
    const row = { name: 'a', quantity: 5, lineitemnumber: 1 };
    expect(matches("name eq 'b' and quantity eq 5 or lineitemnumber eq 1", row)).toBe(true);
    expect(matches("name eq 'b' and (quantity eq 5 or lineitemnumber eq 1)", row)).toBe(false);
    expect(matches("not (name eq 'b')", row)).toBe(true);
  });

  it('compares numbers of different Edm numeric types', () => {
    expect(matches('quantity gt 2.5', { quantity: 3 })).toBe(true);
    expect(matches('quantity le 2', { quantity: 3 })).toBe(false);
    expect(matches('lineitemnumber ge 1', { lineitemnumber: 1 })).toBe(true);
  });

  it('matches unquoted GUID literals against lookup values, ignoring case', () => {
    expect(
      matches(`_opportunityid_value eq ${OPPORTUNITY.toUpperCase()}`, { _opportunityid_value: OPPORTUNITY }),
    ).toBe(true);
  });

  it('refuses a quoted GUID compared with an Edm.Guid property, as OData does', () => {
    const error = thrown(() => matches(`_opportunityid_value eq '${OPPORTUNITY}'`, {}));
    expect(error.status).toBe(400);
    expect(error.message).toBe(
      "A binary operator with incompatible types was detected. Found operand types 'Edm.Guid' and 'Edm.String' for operator kind 'Equal'.",
    );
  });

  it('uses three-valued logic: a comparison with a null column is unknown, so ne leaves it out', () => {
    expect(matches("name ne 'x'", { name: null })).toBe(false);
    expect(matches('name eq null', { name: null })).toBe(true);
    expect(matches('name ne null', { name: 'a' })).toBe(true);
    expect(matches("not (name eq 'x')", { name: null })).toBe(false);
  });

  it('treats % _ and [] in contains/startswith/endswith as SQL LIKE wildcards', () => {
    expect(matches("contains(name,'50%')", { name: '50 units' })).toBe(true);
    expect(matches("startswith(name,'w_dget')", { name: 'Widget' })).toBe(true);
    expect(matches("endswith(name,'[0-9]')", { name: 'Plan 7' })).toBe(true);
    expect(matches("contains(name,'xyz')", { name: 'Widget' })).toBe(false);
  });

  it('filters managed properties through their /Value path and enums by qualified literal', () => {
    expect(matches('IsCustomizable/Value eq true', { 'IsCustomizable/Value': true })).toBe(true);
    expect(
      matches("OwnershipType eq Microsoft.Dynamics.CRM.OwnershipTypes'UserOwned'", {
        OwnershipType: 'UserOwned',
      }),
    ).toBe(true);
  });

  it('compares date-times as instants', () => {
    expect(matches('modifiedon gt 2024-01-01T00:00:00Z', { modifiedon: '2024-03-01T10:00:00Z' })).toBe(true);
  });

  it('accepts a bare boolean property as a condition', () => {
    expect(matches('isproductoverridden', { isproductoverridden: true })).toBe(true);
    expect(matches('not isproductoverridden', { isproductoverridden: true })).toBe(false);
  });

  it('rejects unknown properties before reading any row', () => {
    expect(
      thrown(() => {
        checkFilter(parseFilter('bogus eq 1'), schema);
      }).message,
    ).toContain("'bogus'");
  });

  it('rejects string functions on non-string properties', () => {
    expect(
      thrown(() => {
        checkFilter(parseFilter("contains(quantity,'1')"), schema);
      }).message,
    ).toContain('No function signature');
  });

  it('refuses features it does not model instead of ignoring them', () => {
    expect(thrown(() => parseFilter("lines/any(l: l/name eq 'a')")).message).toContain('not modeled');
    expect(thrown(() => parseFilter("Microsoft.Dynamics.CRM.In(PropertyName='name')")).status).toBe(400);
    expect(thrown(() => parseFilter("name in ('a','b')")).message).toContain('not modeled');
  });

  it('reports syntax errors with a one-based position', () => {
    expect(thrown(() => parseFilter('name eq')).message).toBe("Syntax error at position 8 in 'name eq'.");
    expect(thrown(() => parseFilter('(name eq 1')).status).toBe(400);
    expect(thrown(() => parseFilter('')).status).toBe(400);
  });
});
