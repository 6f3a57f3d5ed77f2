import { GuidSchema, LogicalNameSchema } from './ids';

describe('GUIDs: 8-4-4-4-12 hex digits, read lower case', () => {
  test.each([
    ['a lower-case id', '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f', '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f'],
    [
      'an upper-case id, read lower case',
      '3F6D0C1E-8A4B-4C2D-9E7F-1A2B3C4D5E6F',
      '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f',
    ],
    // Dataverse's sequential ids carry no RFC 4122 version or variant bits.
    [
      'a Dataverse sequential id',
      'a1b2c3d4-e5f6-ef11-0000-00224880d1c2',
      'a1b2c3d4-e5f6-ef11-0000-00224880d1c2',
    ],
    ['the nil id', '00000000-0000-0000-0000-000000000000', '00000000-0000-0000-0000-000000000000'],
  ])('accepts %s', (_, value, read) => {
    expect(GuidSchema.parse(value)).toBe(read);
  });

  test.each([
    ['braces', '{3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f}'],
    ['the 32-digit form', '3f6d0c1e8a4b4c2d9e7f1a2b3c4d5e6f'],
    ['a non-hex digit', '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6g'],
    ['a trailing newline', '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f\n'],
    ['surrounding spaces', ' 3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f '],
    ['a group too long', '3f6d0c1e0-8a4b-4c2d-9e7f-1a2b3c4d5e6f'],
    ['nothing', ''],
  ])('refuses %s', (_, value) => {
    const result = GuidSchema.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toEqual(['must be a GUID']);
  });
});

describe('logical names: lower-case ASCII letters, digits and _, starting with a letter, at most 128', () => {
  test.each([
    ['a system table', 'opportunity'],
    ['a publisher-prefixed column', 'new_unitprice2'],
    ['one letter', 'a'],
    ['128 characters', `a${'b'.repeat(127)}`],
  ])('accepts %s', (_, value) => {
    expect(LogicalNameSchema.parse(value)).toBe(value);
  });

  test.each([
    ['a schema name (upper case)', 'new_UnitPrice'],
    ['a leading underscore (a lookup property, not a name)', '_parentaccountid_value'],
    ['a leading digit', '1column'],
    ['a non-ASCII letter', 'new_prís'],
    ['a dash', 'new-price'],
    ['a dot (a navigation path)', 'productid.name'],
    ['129 characters', `a${'b'.repeat(128)}`],
    ['nothing', ''],
  ])('refuses %s', (_, value) => {
    const result = LogicalNameSchema.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([
      'must be a Dataverse logical name (lowercase letters, digits, _)',
    ]);
  });
});
