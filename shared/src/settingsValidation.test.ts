import {
  BUILT_IN_SALES_LINE_ENTITIES,
  builtInSalesLineAttributes,
  dynamicsColumn as column,
  type DynamicsAttribute,
} from './dynamics';
import type { OneflowFieldKey } from './fieldCatalog';
import { DIRECTION_LABELS, type Direction, type EntitySettings, type FieldMapping } from './settings';
import {
  validateSettings,
  writesToDynamics,
  type SettingsProblem,
  type SettingsValidation,
} from './settingsValidation';

const OPPORTUNITY_PRODUCT_ATTRIBUTES = builtInSalesLineAttributes('opportunityproduct');

const ENTITY_LABELS: Record<(typeof BUILT_IN_SALES_LINE_ENTITIES)[number], string> = {
  opportunityproduct: 'Opportunity Product',
  quotedetail: 'Quote Product',
  salesorderdetail: 'Order Product',
  invoicedetail: 'Invoice Product',
};

/** A custom line entity, `new_contractline`, with the kinds of columns the rules care about. */
const CUSTOM_ENTITY = 'new_contractline';
const CUSTOM_ATTRIBUTES: DynamicsAttribute[] = [
  column('new_name', 'Line Name', 'String', { maxLength: 100 }),
  column('new_notes', 'Notes', 'Memo', { maxLength: 4000 }),
  column('new_unitprice', 'Unit Price', 'Money'),
  column('new_qty', 'Qty', 'Decimal'),
  column('new_discount', 'Line Discount', 'Money'),
  column('new_discountpct', 'Discount %', 'Decimal'),
  column('productid', 'Product', 'Lookup'),
  column('productidname', 'Product (name)', 'String', {
    isValidForCreate: false,
    isValidForUpdate: false,
    attributeOf: 'productid',
    maxLength: 100,
  }),
  column('baseamount', 'Amount', 'Money', { isCalculated: true }),
  column('extendedamount', 'Extended Amount', 'Money', { isCalculated: true }),
  column('new_code', 'Code', 'String', { isValidForUpdate: false }),
  column('new_active', 'Active', 'Boolean'),
  column('manualdiscountamount', 'Manual Discount', 'Money'),
];

function mapping(
  dynamicsField: string,
  oneflowField: OneflowFieldKey,
  direction: Direction = 'dynamics_to_oneflow',
): FieldMapping {
  return { dynamicsField, oneflowField, direction, writeCondition: 'always', conflictPolicy: 'by_action' };
}

function builtInSettings(entity: string, mappings: FieldMapping[]): EntitySettings {
  return {
    mainEntity: 'opportunity',
    productsEnabled: true,
    productSource: { entity, lookupAttribute: 'opportunityid', relationship: 'product_opportunities' },
    mappings,
  };
}

function customSettings(mappings: FieldMapping[]): EntitySettings {
  return {
    mainEntity: 'new_contract',
    productsEnabled: true,
    productSource: {
      entity: CUSTOM_ENTITY,
      lookupAttribute: 'new_contractid',
      relationship: 'new_contract_lines',
    },
    mappings,
  };
}

const NAME_ON_BUILT_IN = mapping('productidname', 'name');
const NAME_ON_CUSTOM = mapping('new_name', 'name');

function problemsOf(result: SettingsValidation): SettingsProblem[] {
  if (result.ok) throw new Error('expected the settings to be refused');
  return result.problems;
}

function expectValid(result: SettingsValidation): EntitySettings {
  if (!result.ok) {
    throw new Error(
      `expected valid settings, got: ${result.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
    );
  }
  return result.settings;
}

describe('writesToDynamics', () => {
  it('is true for the directions that write into Dynamics', () => {
    expect(writesToDynamics('two_way')).toBe(true);
    expect(writesToDynamics('oneflow_to_dynamics')).toBe(true);
  });

  it('is false for the directions that only read Dynamics', () => {
    expect(writesToDynamics('dynamics_to_oneflow')).toBe(false);
    expect(writesToDynamics('sync_once')).toBe(false);
  });
});

describe('validateSettings', () => {
  describe('valid settings', () => {
    it('accepts settings that break no rule and returns them parsed', () => {
      const settings = builtInSettings('opportunityproduct', [
        NAME_ON_BUILT_IN,
        mapping('priceperunit', 'price_1.base_amount', 'two_way'),
      ]);
      expect(validateSettings(settings, OPPORTUNITY_PRODUCT_ATTRIBUTES)).toEqual({ ok: true, settings });
    });

    it('fills in the default write condition and conflict policy a mapping leaves out', () => {
      const input = {
        ...builtInSettings('opportunityproduct', []),
        mappings: [{ dynamicsField: 'productidname', oneflowField: 'name', direction: 'sync_once' }],
      };
      const settings = expectValid(validateSettings(input, OPPORTUNITY_PRODUCT_ATTRIBUTES));
      expect(settings.mappings).toEqual([mapping('productidname', 'name', 'sync_once')]);
    });
  });

  describe('built-in sales lines: Dynamics recalculates everything but Price Per Unit and Quantity', () => {
    describe.each(BUILT_IN_SALES_LINE_ENTITIES)('on %s', (entity) => {
      const attributes = builtInSalesLineAttributes(entity);
      const entityLabel = ENTITY_LABELS[entity];

      it.each<[string, Direction]>([
        ['priceperunit', 'two_way'],
        ['priceperunit', 'oneflow_to_dynamics'],
        ['quantity', 'two_way'],
        ['quantity', 'oneflow_to_dynamics'],
      ])('allows writing %s from Oneflow (%s)', (field, direction) => {
        const oneflowField: OneflowFieldKey = field === 'quantity' ? 'quantity' : 'price_1.base_amount';
        const settings = builtInSettings(entity, [NAME_ON_BUILT_IN, mapping(field, oneflowField, direction)]);
        expectValid(validateSettings(settings, attributes));
      });

      it.each<[string, OneflowFieldKey, Direction]>([
        ['description', 'description', 'two_way'],
        ['description', 'description', 'oneflow_to_dynamics'],
        ['manualdiscountamount', 'price_1.discount_amount', 'two_way'],
        ['manualdiscountamount', 'price_1.discount_amount', 'oneflow_to_dynamics'],
        ['tax', 'price_2.base_amount', 'two_way'],
        ['productdescription', 'description', 'oneflow_to_dynamics'],
        ['productidname', 'name', 'two_way'],
        ['baseamount', 'price_2.base_amount', 'two_way'],
      ])(
        "refuses writing %s from Oneflow's %s (%s), naming the direction, the entity and the column",
        (field, oneflowField, direction) => {
          const label = attributes.find((attribute) => attribute.logicalName === field)?.displayName;
          if (label === undefined) throw new Error(`no column ${field}`);
          const mappings =
            oneflowField === 'name'
              ? [mapping(field, oneflowField, direction)]
              : [NAME_ON_BUILT_IN, mapping(field, oneflowField, direction)];
          const index = mappings.length - 1;
          expect(problemsOf(validateSettings(builtInSettings(entity, mappings), attributes))).toEqual([
            {
              path: `mappings[${index}].direction`,
              message: `${DIRECTION_LABELS[direction]} is only available for Price Per Unit and Quantity on ${entityLabel} lines, because Dynamics recalculates the rest; choose Dynamics to Oneflow or Sync once for ${label}`,
            },
          ]);
        },
      );

      it('allows reading any column into Oneflow (Dynamics to Oneflow and Sync once)', () => {
        const settings = builtInSettings(entity, [
          mapping('productidname', 'name', 'sync_once'),
          mapping('description', 'description', 'dynamics_to_oneflow'),
          mapping('extendedamount', 'price_2.base_amount', 'dynamics_to_oneflow'),
          mapping('manualdiscountamount', 'price_1.discount_amount', 'sync_once'),
        ]);
        expectValid(validateSettings(settings, attributes));
      });
    });

    it('refuses the built-in rule with the Opportunity Product attributes too', () => {
      const settings = builtInSettings('opportunityproduct', [
        NAME_ON_BUILT_IN,
        mapping('description', 'description', 'two_way'),
      ]);
      const problems = problemsOf(validateSettings(settings, OPPORTUNITY_PRODUCT_ATTRIBUTES));
      expect(problems).toHaveLength(1);
      expect(problems[0]?.path).toBe('mappings[1].direction');
      expect(problems[0]?.message).toContain('Two-way');
      expect(problems[0]?.message).toContain('Price Per Unit and Quantity');
      expect(problems[0]?.message).toContain('Opportunity Product');
      expect(problems[0]?.message).toContain('Description');
    });
  });

  describe('custom entities: a column Dynamics will not take a value in cannot be written from Oneflow', () => {
    it.each<Direction>(['two_way', 'oneflow_to_dynamics'])(
      'refuses writing (%s) into a lookup name (productidname, attributeOf productid)',
      (direction) => {
        const settings = customSettings([mapping('productidname', 'name', direction)]);
        expect(problemsOf(validateSettings(settings, CUSTOM_ATTRIBUTES))).toEqual([
          {
            path: 'mappings[0].direction',
            message: `${DIRECTION_LABELS[direction]} would write into Product (name), but Product (name) is the name shown for the productid lookup; Dynamics cannot take a name written into it; choose Dynamics to Oneflow or Sync once`,
          },
        ]);
      },
    );

    it.each([
      ['baseamount', 'Amount'],
      ['extendedamount', 'Extended Amount'],
    ])('refuses writing into the calculated column %s (%s)', (field, label) => {
      const settings = customSettings([NAME_ON_CUSTOM, mapping(field, 'price_1.base_amount', 'two_way')]);
      expect(problemsOf(validateSettings(settings, CUSTOM_ATTRIBUTES))).toEqual([
        {
          path: 'mappings[1].direction',
          message: `Two-way would write into ${label}, but ${label} is calculated by Dynamics and cannot be written; choose Dynamics to Oneflow or Sync once`,
        },
      ]);
    });

    it('refuses writing into a Lookup column', () => {
      const settings = customSettings([mapping('productid', 'name', 'oneflow_to_dynamics')]);
      expect(problemsOf(validateSettings(settings, CUSTOM_ATTRIBUTES))).toEqual([
        {
          path: 'mappings[0].direction',
          message:
            'Oneflow to Dynamics would write into Product, but Product is a lookup column; a value from Oneflow cannot be written into it; choose Dynamics to Oneflow or Sync once',
        },
      ]);
    });

    it('refuses writing into a column that cannot be updated after create', () => {
      const settings = customSettings([NAME_ON_CUSTOM, mapping('new_code', 'description', 'two_way')]);
      expect(problemsOf(validateSettings(settings, CUSTOM_ATTRIBUTES))).toEqual([
        {
          path: 'mappings[1].direction',
          message:
            'Two-way would write into Code, but Code cannot be changed after a line is created; choose Dynamics to Oneflow or Sync once',
        },
      ]);
    });

    it('allows reading a lookup, a lookup name, a calculated and a non-updatable column into Oneflow', () => {
      const settings = customSettings([
        mapping('productid', 'name', 'dynamics_to_oneflow'),
        mapping('productidname', 'description', 'sync_once'),
        mapping('extendedamount', 'price_1.base_amount', 'dynamics_to_oneflow'),
        mapping('new_code', 'price_2.base_amount', 'sync_once'),
      ]);
      const problems = problemsOf(validateSettings(settings, CUSTOM_ATTRIBUTES));
      // Only the text-into-number mismatch of new_code remains; no direction problem.
      expect(problems.map((problem) => problem.path)).toEqual(['mappings[3].dynamicsField']);
    });

    it('allows two-way on ordinary writable columns of a custom entity, beyond price and quantity', () => {
      const settings = customSettings([
        mapping('new_name', 'name', 'two_way'),
        mapping('new_notes', 'description', 'two_way'),
        mapping('new_unitprice', 'price_1.base_amount', 'oneflow_to_dynamics'),
        mapping('new_discount', 'price_1.discount_amount', 'two_way'),
        mapping('new_qty', 'quantity', 'two_way'),
      ]);
      expectValid(validateSettings(settings, CUSTOM_ATTRIBUTES));
    });
  });

  describe('each field is mapped once', () => {
    it('refuses the same Oneflow field mapped twice, pointing at the second mapping and naming the first', () => {
      const settings = builtInSettings('opportunityproduct', [
        NAME_ON_BUILT_IN,
        mapping('priceperunit', 'price_1.base_amount'),
        mapping('tax', 'price_1.base_amount'),
      ]);
      expect(problemsOf(validateSettings(settings, OPPORTUNITY_PRODUCT_ATTRIBUTES))).toEqual([
        {
          path: 'mappings[2].oneflowField',
          message:
            "Oneflow's Price 1: base amount is already mapped in mapping 2; each Oneflow field can be mapped once",
        },
      ]);
    });

    it('refuses the same Dynamics field mapped twice, pointing at the second mapping and naming the first', () => {
      const settings = builtInSettings('opportunityproduct', [
        mapping('priceperunit', 'price_1.base_amount'),
        NAME_ON_BUILT_IN,
        mapping('priceperunit', 'price_2.base_amount'),
      ]);
      expect(problemsOf(validateSettings(settings, OPPORTUNITY_PRODUCT_ATTRIBUTES))).toEqual([
        {
          path: 'mappings[2].dynamicsField',
          message: 'priceperunit is already mapped in mapping 1; each Dynamics field can be mapped once',
        },
      ]);
    });

    it('reports every repeat against the first mapping of the field', () => {
      const settings = builtInSettings('opportunityproduct', [
        NAME_ON_BUILT_IN,
        mapping('description', 'name'),
        mapping('productdescription', 'name'),
      ]);
      expect(problemsOf(validateSettings(settings, OPPORTUNITY_PRODUCT_ATTRIBUTES))).toEqual([
        {
          path: 'mappings[1].oneflowField',
          message: "Oneflow's Name is already mapped in mapping 1; each Oneflow field can be mapped once",
        },
        {
          path: 'mappings[2].oneflowField',
          message: "Oneflow's Name is already mapped in mapping 1; each Oneflow field can be mapped once",
        },
      ]);
    });
  });

  describe('Oneflow takes a discount amount or a discount percent of a price, not both', () => {
    it('refuses mapping both the discount amount and the discount percent of Price 1', () => {
      const settings = customSettings([
        NAME_ON_CUSTOM,
        mapping('new_discount', 'price_1.discount_amount'),
        mapping('new_discountpct', 'price_1.discount_percent'),
      ]);
      expect(problemsOf(validateSettings(settings, CUSTOM_ATTRIBUTES))).toEqual([
        {
          path: 'mappings[2].oneflowField',
          message:
            'mapping 2 already maps a discount of Price 1; Oneflow takes a discount amount or a discount percent, not both',
        },
      ]);
    });

    it('refuses it whichever of the two comes first', () => {
      const settings = customSettings([
        mapping('new_discountpct', 'price_1.discount_percent'),
        mapping('new_discount', 'price_1.discount_amount'),
        NAME_ON_CUSTOM,
      ]);
      const problems = problemsOf(validateSettings(settings, CUSTOM_ATTRIBUTES));
      expect(problems).toEqual([
        {
          path: 'mappings[1].oneflowField',
          message:
            'mapping 1 already maps a discount of Price 1; Oneflow takes a discount amount or a discount percent, not both',
        },
      ]);
    });

    it('allows a discount amount on Price 1 together with a discount percent on Price 2', () => {
      const settings = customSettings([
        NAME_ON_CUSTOM,
        mapping('new_discount', 'price_1.discount_amount'),
        mapping('new_discountpct', 'price_2.discount_percent'),
      ]);
      expectValid(validateSettings(settings, CUSTOM_ATTRIBUTES));
    });

    it('allows a base amount together with a discount of the same price', () => {
      const settings = customSettings([
        NAME_ON_CUSTOM,
        mapping('new_unitprice', 'price_1.base_amount'),
        mapping('new_discountpct', 'price_1.discount_percent'),
      ]);
      expectValid(validateSettings(settings, CUSTOM_ATTRIBUTES));
    });
  });

  describe("Dynamics' manual discount is a whole-line amount", () => {
    it.each<OneflowFieldKey>(['price_1.discount_percent', 'price_2.discount_percent'])(
      'refuses manualdiscountamount mapped to a discount percent (%s) on a built-in line',
      (oneflowField) => {
        const settings = builtInSettings('quotedetail', [
          NAME_ON_BUILT_IN,
          mapping('manualdiscountamount', oneflowField),
        ]);
        expect(problemsOf(validateSettings(settings, builtInSalesLineAttributes('quotedetail')))).toEqual([
          {
            path: 'mappings[1].oneflowField',
            message:
              'Manual Discount is an amount for the whole line; map it to a discount amount, not a percent',
          },
        ]);
      },
    );

    it('allows manualdiscountamount mapped to a discount amount on a built-in line', () => {
      const settings = builtInSettings('opportunityproduct', [
        NAME_ON_BUILT_IN,
        mapping('manualdiscountamount', 'price_1.discount_amount'),
      ]);
      expectValid(validateSettings(settings, OPPORTUNITY_PRODUCT_ATTRIBUTES));
    });

    it('does not apply to a custom entity column that happens to be called manualdiscountamount', () => {
      const settings = customSettings([
        NAME_ON_CUSTOM,
        mapping('manualdiscountamount', 'price_1.discount_percent'),
      ]);
      expectValid(validateSettings(settings, CUSTOM_ATTRIBUTES));
    });
  });

  describe('the column type must fit the Oneflow field', () => {
    it('refuses a text column mapped to a number field, naming the column, its type and the Oneflow field', () => {
      const settings = builtInSettings('opportunityproduct', [
        NAME_ON_BUILT_IN,
        mapping('description', 'quantity'),
      ]);
      expect(problemsOf(validateSettings(settings, OPPORTUNITY_PRODUCT_ATTRIBUTES))).toEqual([
        {
          path: 'mappings[1].dynamicsField',
          message: "Description is a Memo column and cannot fill Oneflow's Quantity, which takes a number",
        },
      ]);
    });

    it('refuses a number column mapped to a text field', () => {
      const settings = builtInSettings('opportunityproduct', [mapping('priceperunit', 'name')]);
      expect(problemsOf(validateSettings(settings, OPPORTUNITY_PRODUCT_ATTRIBUTES))).toEqual([
        {
          path: 'mappings[0].dynamicsField',
          message: "Price Per Unit is a Money column and cannot fill Oneflow's Name, which takes text",
        },
      ]);
    });

    it('refuses a Boolean column for a number field and for a text field', () => {
      const settings = customSettings([NAME_ON_CUSTOM, mapping('new_active', 'price_1.base_amount')]);
      expect(problemsOf(validateSettings(settings, CUSTOM_ATTRIBUTES))).toEqual([
        {
          path: 'mappings[1].dynamicsField',
          message:
            "Active is a Boolean column and cannot fill Oneflow's Price 1: base amount, which takes a number",
        },
      ]);
      const asText = customSettings([NAME_ON_CUSTOM, mapping('new_active', 'description')]);
      expect(problemsOf(validateSettings(asText, CUSTOM_ATTRIBUTES))).toEqual([
        {
          path: 'mappings[1].dynamicsField',
          message: "Active is a Boolean column and cannot fill Oneflow's Description, which takes text",
        },
      ]);
    });

    it('accepts a lookup column as text (its display name) for reading', () => {
      const settings = builtInSettings('opportunityproduct', [mapping('productid', 'name')]);
      expectValid(validateSettings(settings, OPPORTUNITY_PRODUCT_ATTRIBUTES));
    });

    it('falls back to the logical name when a column has no display name', () => {
      const attributes = [
        column('new_name', 'Line Name', 'String'),
        { ...column('new_flag', 'unused', 'Boolean'), displayName: undefined },
      ];
      const settings = customSettings([NAME_ON_CUSTOM, mapping('new_flag', 'quantity')]);
      expect(problemsOf(validateSettings(settings, attributes))).toEqual([
        {
          path: 'mappings[1].dynamicsField',
          message: "new_flag is a Boolean column and cannot fill Oneflow's Quantity, which takes a number",
        },
      ]);
    });
  });

  describe('a mapped column must exist on the product source entity', () => {
    it('refuses an unknown column on a built-in line, naming the entity by its label', () => {
      const settings = builtInSettings('opportunityproduct', [
        NAME_ON_BUILT_IN,
        mapping('new_nosuchcolumn', 'description', 'two_way'),
      ]);
      expect(problemsOf(validateSettings(settings, OPPORTUNITY_PRODUCT_ATTRIBUTES))).toEqual([
        {
          path: 'mappings[1].dynamicsField',
          message: 'new_nosuchcolumn is not a column of Opportunity Product',
        },
      ]);
    });

    it('refuses an unknown column on a custom entity, naming the entity by its logical name', () => {
      const settings = customSettings([NAME_ON_CUSTOM, mapping('priceperunit', 'price_1.base_amount')]);
      expect(problemsOf(validateSettings(settings, CUSTOM_ATTRIBUTES))).toEqual([
        { path: 'mappings[1].dynamicsField', message: 'priceperunit is not a column of new_contractline' },
      ]);
    });
  });

  describe('Oneflow needs a Name for every product', () => {
    it('refuses settings without a mapping to Name while products are enabled', () => {
      const settings = builtInSettings('opportunityproduct', [
        mapping('priceperunit', 'price_1.base_amount', 'two_way'),
      ]);
      expect(problemsOf(validateSettings(settings, OPPORTUNITY_PRODUCT_ATTRIBUTES))).toEqual([
        {
          path: 'mappings',
          message: "map a Dynamics field to Oneflow's Name: Oneflow needs a name for every product",
        },
      ]);
    });

    it('refuses no mappings at all while products are enabled', () => {
      const problems = problemsOf(
        validateSettings(builtInSettings('opportunityproduct', []), OPPORTUNITY_PRODUCT_ATTRIBUTES),
      );
      expect(problems.map((problem) => problem.path)).toEqual(['mappings']);
      expect(problems[0]?.message).toContain("Oneflow's Name");
    });

    it('allows settings without a Name mapping while products are disabled', () => {
      const settings: EntitySettings = {
        ...builtInSettings('opportunityproduct', [mapping('quantity', 'quantity', 'two_way')]),
        productsEnabled: false,
      };
      expectValid(validateSettings(settings, OPPORTUNITY_PRODUCT_ATTRIBUTES));
    });

    it('still checks the mappings while products are disabled', () => {
      const settings: EntitySettings = {
        ...builtInSettings('opportunityproduct', [mapping('description', 'description', 'two_way')]),
        productsEnabled: false,
      };
      expect(
        problemsOf(validateSettings(settings, OPPORTUNITY_PRODUCT_ATTRIBUTES)).map((problem) => problem.path),
      ).toEqual(['mappings[0].direction']);
    });
  });

  describe('problems that zod finds in the shape of the settings', () => {
    const valid = builtInSettings('opportunityproduct', [NAME_ON_BUILT_IN]);

    it('names the path of a bad direction and lists the directions it can be', () => {
      const input = { ...valid, mappings: [{ ...NAME_ON_BUILT_IN, direction: 'sideways' }] };
      expect(problemsOf(validateSettings(input, OPPORTUNITY_PRODUCT_ATTRIBUTES))).toEqual([
        {
          path: 'mappings[0].direction',
          message: 'must be one of: sync_once, dynamics_to_oneflow, two_way, oneflow_to_dynamics',
        },
      ]);
    });

    it('names the path of an unknown Oneflow field and lists the fields it can be', () => {
      const input = { ...valid, mappings: [NAME_ON_BUILT_IN, { ...NAME_ON_BUILT_IN, oneflowField: 'sku' }] };
      const problems = problemsOf(validateSettings(input, OPPORTUNITY_PRODUCT_ATTRIBUTES));
      expect(problems).toHaveLength(1);
      expect(problems[0]?.path).toBe('mappings[1].oneflowField');
      expect(problems[0]?.message).toMatch(/^must be one of: name, description, price_1\.base_amount, /);
      expect(problems[0]?.message).toContain('quantity');
    });

    it('names the path of a missing field and says it is required', () => {
      const input = {
        ...valid,
        mappings: [{ oneflowField: 'name', direction: 'dynamics_to_oneflow' }],
      };
      expect(problemsOf(validateSettings(input, OPPORTUNITY_PRODUCT_ATTRIBUTES))).toEqual([
        { path: 'mappings[0].dynamicsField', message: 'is required' },
      ]);
    });

    it('names every missing top-level field', () => {
      expect(problemsOf(validateSettings({}, OPPORTUNITY_PRODUCT_ATTRIBUTES))).toEqual([
        { path: 'mainEntity', message: 'is required' },
        { path: 'productsEnabled', message: 'is required' },
        { path: 'productSource', message: 'is required' },
        { path: 'mappings', message: 'is required' },
      ]);
    });

    it('names the path of a value of the wrong type', () => {
      const input = {
        ...valid,
        productsEnabled: 'yes',
        mappings: [{ ...NAME_ON_BUILT_IN, dynamicsField: 5 }],
      };
      const problems = problemsOf(validateSettings(input, OPPORTUNITY_PRODUCT_ATTRIBUTES));
      expect(problems).toEqual([
        { path: 'productsEnabled', message: 'must be a boolean' },
        { path: 'mappings[0].dynamicsField', message: 'must be a string' },
      ]);
    });

    it('names the settings themselves when there are none', () => {
      expect(problemsOf(validateSettings(null, OPPORTUNITY_PRODUCT_ATTRIBUTES))).toEqual([
        { path: 'settings', message: 'must be an object' },
      ]);
    });

    it('an entity named like a built-in object property is named as itself in messages', () => {
      const input = {
        ...valid,
        productSource: { ...valid.productSource, entity: 'constructor' },
        mappings: [{ ...NAME_ON_BUILT_IN, dynamicsField: 'new_x' }],
      };
      expect(problemsOf(validateSettings(input, []))).toContainEqual({
        path: 'mappings[0].dynamicsField',
        message: 'new_x is not a column of constructor',
      });
    });

    it('names the path of a bad logical name and says what a logical name looks like', () => {
      const input = { ...valid, mappings: [{ ...NAME_ON_BUILT_IN, dynamicsField: 'Product Name' }] };
      expect(problemsOf(validateSettings(input, OPPORTUNITY_PRODUCT_ATTRIBUTES))).toEqual([
        {
          path: 'mappings[0].dynamicsField',
          message: 'must be a Dataverse logical name (lowercase letters, digits, _)',
        },
      ]);
    });

    it('names nested paths inside the product source', () => {
      const input = { ...valid, productSource: { ...valid.productSource, entity: '1line' } };
      expect(problemsOf(validateSettings(input, OPPORTUNITY_PRODUCT_ATTRIBUTES))).toEqual([
        {
          path: 'productSource.entity',
          message: 'must be a Dataverse logical name (lowercase letters, digits, _)',
        },
      ]);
    });

    it('reports every shape problem at once, each with its own path', () => {
      const input = {
        ...valid,
        mainEntity: 'Opportunity',
        mappings: [
          { ...NAME_ON_BUILT_IN, direction: 'both' },
          { ...NAME_ON_BUILT_IN, writeCondition: 'sometimes' },
          { ...NAME_ON_BUILT_IN, conflictPolicy: 'coin_flip' },
        ],
      };
      const problems = problemsOf(validateSettings(input, OPPORTUNITY_PRODUCT_ATTRIBUTES));
      expect(problems.map((problem) => problem.path)).toEqual([
        'mainEntity',
        'mappings[0].direction',
        'mappings[1].writeCondition',
        'mappings[2].conflictPolicy',
      ]);
      expect(problems[2]?.message).toBe('must be one of: always, only_if_target_empty');
      expect(problems[3]?.message).toBe(
        'must be one of: by_action, dynamics_wins, oneflow_wins, most_recent, review',
      );
    });

    it('does not run the mapping rules while the shape is wrong', () => {
      // Without a Name mapping the rules would complain about `mappings`; the shape problem comes alone.
      const input = { ...valid, mappings: [{ ...NAME_ON_BUILT_IN, oneflowField: 'title' }] };
      expect(
        problemsOf(validateSettings(input, OPPORTUNITY_PRODUCT_ATTRIBUTES)).map((problem) => problem.path),
      ).toEqual(['mappings[0].oneflowField']);
    });
  });

  describe('every problem names the field it is about', () => {
    it('gives each problem of a badly configured entity a path to its field', () => {
      const settings = builtInSettings('opportunityproduct', [
        mapping('description', 'description', 'two_way'),
        mapping('description', 'quantity'),
        mapping('manualdiscountamount', 'price_1.discount_amount'),
        mapping('tax', 'price_1.discount_percent'),
        mapping('new_gone', 'price_2.base_amount'),
      ]);
      expect(problemsOf(validateSettings(settings, OPPORTUNITY_PRODUCT_ATTRIBUTES))).toEqual([
        {
          path: 'mappings[0].direction',
          message:
            'Two-way is only available for Price Per Unit and Quantity on Opportunity Product lines, because Dynamics recalculates the rest; choose Dynamics to Oneflow or Sync once for Description',
        },
        {
          path: 'mappings[1].dynamicsField',
          message: 'description is already mapped in mapping 1; each Dynamics field can be mapped once',
        },
        {
          path: 'mappings[1].dynamicsField',
          message: "Description is a Memo column and cannot fill Oneflow's Quantity, which takes a number",
        },
        {
          path: 'mappings[3].oneflowField',
          message:
            'mapping 3 already maps a discount of Price 1; Oneflow takes a discount amount or a discount percent, not both',
        },
        { path: 'mappings[4].dynamicsField', message: 'new_gone is not a column of Opportunity Product' },
        {
          path: 'mappings',
          message: "map a Dynamics field to Oneflow's Name: Oneflow needs a name for every product",
        },
      ]);
    });
  });
});
