import { DEFAULT_PRODUCT_SOURCES, defaultMappings, defaultSettings, resetToDefault } from './defaults';
import {
  BUILT_IN_SALES_LINE_ENTITIES,
  builtInSalesLineAttributes,
  lineValue,
  type DynamicsAttribute,
  type DynamicsLine,
} from './dynamics';
import type { EntitySettings, FieldMapping } from './settings';
import { validateSettings, writesToDynamics } from './settingsValidation';

function settingsFor(mainEntity: string): EntitySettings {
  const settings = defaultSettings(mainEntity);
  if (settings === null) throw new Error(`no default settings for ${mainEntity}`);
  return settings;
}

function line(values: DynamicsLine['values'], isWriteIn: boolean): DynamicsLine {
  return {
    id: '00000000-0000-0000-0000-000000000001',
    values,
    isWriteIn,
    modifiedOn: '2024-05-01T10:00:00Z',
    etag: 'W/"1"',
  };
}

const customSettings: EntitySettings = {
  mainEntity: 'new_contract',
  productsEnabled: false,
  productSource: { entity: 'new_contractline', lookupAttribute: 'new_contractid', relationship: 'new_lines' },
  mappings: [
    {
      dynamicsField: 'new_qty',
      oneflowField: 'quantity',
      direction: 'two_way',
      writeCondition: 'only_if_target_empty',
      conflictPolicy: 'review',
    },
  ],
};

const customAttributes: DynamicsAttribute[] = [
  {
    logicalName: 'new_title',
    displayName: 'Title',
    attributeType: 'String',
    isValidForCreate: true,
    isValidForUpdate: true,
    isCalculated: false,
  },
];

describe('defaultSettings', () => {
  it.each([
    ['opportunity', 'opportunityproduct'],
    ['quote', 'quotedetail'],
  ])('gives %s settings that pass validateSettings against the built-in %s columns', (mainEntity, entity) => {
    const settings = settingsFor(mainEntity);
    expect(settings.productSource.entity).toBe(entity);
    expect(validateSettings(settings, builtInSalesLineAttributes(entity))).toEqual({ ok: true, settings });
  });

  it('gives opportunity settings that pass validateSettings against the Opportunity Product columns', () => {
    const settings = settingsFor('opportunity');
    expect(validateSettings(settings, builtInSalesLineAttributes('opportunityproduct'))).toEqual({
      ok: true,
      settings,
    });
  });

  it('turns product sync on for Opportunity and Quote', () => {
    expect(settingsFor('opportunity').productsEnabled).toBe(true);
    expect(settingsFor('quote').productsEnabled).toBe(true);
  });

  it('points Opportunity at its product lines through opportunityid', () => {
    expect(settingsFor('opportunity')).toMatchObject({
      mainEntity: 'opportunity',
      productSource: {
        entity: 'opportunityproduct',
        lookupAttribute: 'opportunityid',
        relationship: 'product_opportunities',
      },
    });
  });

  it('points Quote at its product lines through quoteid', () => {
    expect(settingsFor('quote')).toMatchObject({
      mainEntity: 'quote',
      productSource: { entity: 'quotedetail', lookupAttribute: 'quoteid', relationship: 'quote_details' },
    });
  });

  it.each(['account', 'salesorder', 'invoice', 'new_contract', ''])(
    'has no defaults for %j, which nobody configured',
    (mainEntity) => {
      expect(defaultSettings(mainEntity)).toBeNull();
    },
  );

  it('maps the product name, description, price, quantity and manual discount of a built-in line', () => {
    expect(settingsFor('opportunity').mappings).toEqual([
      {
        dynamicsField: 'productidname',
        oneflowField: 'name',
        direction: 'dynamics_to_oneflow',
        writeCondition: 'always',
        conflictPolicy: 'by_action',
      },
      {
        dynamicsField: 'description',
        oneflowField: 'description',
        direction: 'dynamics_to_oneflow',
        writeCondition: 'always',
        conflictPolicy: 'by_action',
      },
      {
        dynamicsField: 'priceperunit',
        oneflowField: 'price_1.base_amount',
        direction: 'two_way',
        writeCondition: 'always',
        conflictPolicy: 'by_action',
      },
      {
        dynamicsField: 'quantity',
        oneflowField: 'quantity',
        direction: 'two_way',
        writeCondition: 'always',
        conflictPolicy: 'by_action',
      },
      {
        dynamicsField: 'manualdiscountamount',
        oneflowField: 'price_1.discount_amount',
        direction: 'dynamics_to_oneflow',
        writeCondition: 'always',
        conflictPolicy: 'by_action',
      },
    ]);
  });

  it('is two-way only on Price Per Unit and Quantity', () => {
    const writing = settingsFor('quote')
      .mappings.filter((mapping) => writesToDynamics(mapping.direction))
      .map((mapping) => mapping.dynamicsField);
    expect(writing).toEqual(['priceperunit', 'quantity']);
  });

  it('gives a fresh mappings list each time, so editing one settings object leaves the next alone', () => {
    const first = settingsFor('opportunity');
    first.mappings.pop();
    expect(settingsFor('opportunity').mappings).toHaveLength(5);
  });
});

describe('defaultMappings', () => {
  it.each(BUILT_IN_SALES_LINE_ENTITIES)(
    'gives the full built-in set for %s, valid against its columns',
    (entity) => {
      const mappings = defaultMappings(entity);
      expect(mappings.map((mapping) => mapping.dynamicsField)).toEqual([
        'productidname',
        'description',
        'priceperunit',
        'quantity',
        'manualdiscountamount',
      ]);
      const settings: EntitySettings = {
        mainEntity: 'opportunity',
        productsEnabled: true,
        productSource: { entity, lookupAttribute: 'parentid', relationship: 'parent_lines' },
        mappings,
      };
      expect(validateSettings(settings, builtInSalesLineAttributes(entity)).ok).toBe(true);
    },
  );

  it('ignores a primary name attribute for built-in entities', () => {
    expect(defaultMappings('opportunityproduct', 'name')).toEqual(defaultMappings('opportunityproduct'));
  });

  it("maps a custom entity's primary name to Oneflow's Name, reading from Dynamics", () => {
    expect(defaultMappings('new_contractline', 'new_title')).toEqual<FieldMapping[]>([
      {
        dynamicsField: 'new_title',
        oneflowField: 'name',
        direction: 'dynamics_to_oneflow',
        writeCondition: 'always',
        conflictPolicy: 'by_action',
      },
    ]);
  });

  it('maps nothing for a custom entity whose primary name is not known', () => {
    expect(defaultMappings('new_contractline')).toEqual([]);
    expect(defaultMappings('new_contractline', '')).toEqual([]);
  });
});

describe('resetToDefault', () => {
  it('keeps the toggle, main entity and product source, and restores the default mappings', () => {
    const edited: EntitySettings = {
      ...settingsFor('opportunity'),
      productsEnabled: false,
      mappings: [
        {
          dynamicsField: 'tax',
          oneflowField: 'price_2.base_amount',
          direction: 'sync_once',
          writeCondition: 'only_if_target_empty',
          conflictPolicy: 'review',
        },
      ],
    };
    expect(resetToDefault(edited)).toEqual({
      mainEntity: 'opportunity',
      productsEnabled: false,
      productSource: edited.productSource,
      mappings: defaultMappings('opportunityproduct'),
    });
  });

  it('does not change the settings it is given', () => {
    const edited: EntitySettings = { ...settingsFor('quote'), mappings: [] };
    resetToDefault(edited);
    expect(edited.mappings).toEqual([]);
  });

  it("gives a custom product source its primary name mapped to Oneflow's Name", () => {
    const reset = resetToDefault(customSettings, 'new_title');
    expect(reset).toEqual({
      ...customSettings,
      mappings: [
        {
          dynamicsField: 'new_title',
          oneflowField: 'name',
          direction: 'dynamics_to_oneflow',
          writeCondition: 'always',
          conflictPolicy: 'by_action',
        },
      ],
    });
    expect(validateSettings({ ...reset, productsEnabled: true }, customAttributes).ok).toBe(true);
  });

  it('leaves a custom product source without mappings when its primary name is not known', () => {
    expect(resetToDefault(customSettings)).toEqual({ ...customSettings, mappings: [] });
  });

  it('uses the chosen source, not the default source of the main entity', () => {
    const switched: EntitySettings = {
      ...settingsFor('opportunity'),
      productSource: customSettings.productSource,
    };
    expect(resetToDefault(switched, 'new_title').mappings.map((mapping) => mapping.dynamicsField)).toEqual([
      'new_title',
    ]);
  });
});

describe('DEFAULT_PRODUCT_SOURCES', () => {
  it('covers exactly Opportunity and Quote', () => {
    expect([...DEFAULT_PRODUCT_SOURCES.keys()].sort()).toEqual(['opportunity', 'quote']);
  });

  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__'])(
    'an entity named like a built-in object property (%s) has no defaults',
    (entity) => {
      expect(defaultSettings(entity)).toBeNull();
    },
  );
});

describe('lineValue', () => {
  const values = { productidname: 'Catalog Widget', productdescription: 'Hand-made widget', quantity: 3 };

  it.each(BUILT_IN_SALES_LINE_ENTITIES)(
    'on %s, a write-in line reading productidname gets its write-in name, productdescription',
    (entity) => {
      expect(lineValue(entity, line(values, true), 'productidname')).toBe('Hand-made widget');
    },
  );

  it('a write-in line without a write-in name gives null, not the catalog name', () => {
    expect(
      lineValue('opportunityproduct', line({ productidname: 'Catalog Widget' }, true), 'productidname'),
    ).toBe(null);
  });

  it('a catalog line reading productidname gets productidname', () => {
    expect(lineValue('opportunityproduct', line(values, false), 'productidname')).toBe('Catalog Widget');
  });

  it('a write-in line reading other columns gets those columns', () => {
    expect(lineValue('quotedetail', line(values, true), 'productdescription')).toBe('Hand-made widget');
    expect(lineValue('quotedetail', line(values, true), 'quantity')).toBe(3);
  });

  it('a custom entity reads productidname as it is, even on a line flagged write-in', () => {
    expect(lineValue('new_contractline', line(values, true), 'productidname')).toBe('Catalog Widget');
  });

  it('a column the line does not have reads as null', () => {
    expect(lineValue('opportunityproduct', line(values, false), 'tax')).toBe(null);
    expect(lineValue('new_contractline', line({}, false), 'new_title')).toBe(null);
  });

  it('keeps false and 0, which are values, not blanks', () => {
    const flags = line({ ispriceoverridden: false, tax: 0 }, false);
    expect(lineValue('opportunityproduct', flags, 'ispriceoverridden')).toBe(false);
    expect(lineValue('opportunityproduct', flags, 'tax')).toBe(0);
  });
});
