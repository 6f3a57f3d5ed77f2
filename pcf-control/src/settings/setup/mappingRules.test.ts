import {
  FieldsAnswerSchema,
  defaultMappings,
  validateSettings,
  type EntitySettings,
  type FieldMapping,
  type MetadataField,
} from '../../api/contract';
import { strictGetString } from '../../strings/resx';
import { createTranslate } from '../../strings/strings';
import { SETTINGS_STRINGS } from '../../testing/fakePlatform';
import { MAPPING_COLUMNS } from './mappingCells';
import {
  mappingRules,
  nextMapping,
  refusalText,
  rowRules,
  withOption,
  type OptionRule,
  type RowRules,
} from './mappingRules';
import sourceFields from './sourceFields.test-data.json';

/** `GET /api/metadata/fields` of the Dataverse simulator's line entities, as the API answers them. */
function fieldsOf(entity: keyof typeof sourceFields): MetadataField[] {
  return FieldsAnswerSchema.parse({ entity, fields: sourceFields[entity] }).fields;
}
const OPPORTUNITY_PRODUCT = fieldsOf('opportunityproduct');
const QUOTE_DETAIL = fieldsOf('quotedetail');
const CONTRACT_LINE = fieldsOf('new_contractline');

const t = createTranslate(strictGetString(SETTINGS_STRINGS));

function mapping(
  dynamicsField: string,
  oneflowField: FieldMapping['oneflowField'],
  direction: FieldMapping['direction'] = 'dynamics_to_oneflow',
  extra: Partial<FieldMapping> = {},
): FieldMapping {
  return {
    dynamicsField,
    oneflowField,
    direction,
    writeCondition: 'always',
    conflictPolicy: 'by_action',
    ...extra,
  };
}

function opportunitySettings(mappings: FieldMapping[]): EntitySettings {
  return {
    mainEntity: 'opportunity',
    productsEnabled: true,
    productSource: {
      entity: 'opportunityproduct',
      lookupAttribute: 'opportunityid',
      relationship: 'product_opportunities',
    },
    mappings,
  };
}

const quoteDefaults: EntitySettings = {
  mainEntity: 'quote',
  productsEnabled: true,
  productSource: { entity: 'quotedetail', lookupAttribute: 'quoteid', relationship: 'quote_details' },
  mappings: defaultMappings('quotedetail'),
};

const contractLineSettings: EntitySettings = {
  mainEntity: 'opportunity',
  productsEnabled: true,
  productSource: {
    entity: 'new_contractline',
    lookupAttribute: 'new_opportunityid',
    relationship: 'new_opportunity_new_contractline_OpportunityId',
  },
  mappings: [
    mapping('new_name', 'name'),
    mapping('new_description', 'description', 'sync_once'),
    mapping('new_unitprice', 'price_1.base_amount', 'two_way', { conflictPolicy: 'most_recent' }),
    mapping('new_quantity', 'quantity', 'oneflow_to_dynamics', { writeCondition: 'only_if_target_empty' }),
  ],
};

const STARTS: [string, EntitySettings, MetadataField[]][] = [
  [
    'Opportunity Product defaults',
    opportunitySettings(defaultMappings('opportunityproduct')),
    OPPORTUNITY_PRODUCT,
  ],
  [
    'Opportunity Product with a second price and a discount percent',
    opportunitySettings([
      ...defaultMappings('opportunityproduct'),
      mapping('tax', 'price_2.base_amount', 'sync_once', { conflictPolicy: 'review' }),
      mapping('lineitemnumber', 'price_2.discount_percent'),
    ]),
    OPPORTUNITY_PRODUCT,
  ],
  ['Quote Product defaults', quoteDefaults, QUOTE_DETAIL],
  ['a custom line entity', contractLineSettings, CONTRACT_LINE],
];

function optionsOf(rules: RowRules): [string, OptionRule<string>[]][] {
  return MAPPING_COLUMNS.map((column) => [column, rules[column]]);
}

describe.each(STARTS)('every option of %s', (_name, settings, fields) => {
  it('starts from settings a save accepts', () => {
    expect(validateSettings(settings, fields)).toMatchObject({ ok: true });
  });

  it('is offered exactly when a save would accept it, and a refused one says why in words', () => {
    const rules = mappingRules(settings, fields);
    let offered = 0;
    let refused = 0;
    const wrong: string[] = [];
    for (const [row, rowRule] of rules.entries()) {
      for (const [column, options] of optionsOf(rowRule)) {
        for (const option of options) {
          const candidate = {
            ...settings,
            mappings: withOption(
              settings.mappings,
              row,
              column as (typeof MAPPING_COLUMNS)[number],
              option.value,
            ),
          };
          const accepted = validateSettings(candidate, fields).ok;
          if (accepted !== (option.refusal === null)) {
            wrong.push(
              `row ${row} ${column}=${option.value}: accepted ${accepted}, refusal ${JSON.stringify(option.refusal)}`,
            );
          }
          if (option.refusal === null) {
            offered += 1;
          } else {
            refused += 1;
            // Every refusal is worded by the page, never the save's fallback message.
            if (option.refusal.kind === 'other') wrong.push(`row ${row} ${column}=${option.value}: unworded`);
            expect(refusalText(t, option.refusal)).not.toMatch(/\{\d\}/);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(offered).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });

  it('lists every column, every Oneflow field and every choice for each row', () => {
    for (const rules of mappingRules(settings, fields)) {
      expect(rules.dynamicsField.map((option) => option.value)).toEqual(
        fields.map((field) => field.logicalName),
      );
      expect(rules.oneflowField).toHaveLength(9);
      expect(rules.direction).toHaveLength(4);
      expect(rules.writeCondition).toHaveLength(2);
      expect(rules.conflictPolicy).toHaveLength(5);
    }
  });
});

describe('the reasons an option is refused', () => {
  const defaults = opportunitySettings(defaultMappings('opportunityproduct'));
  const row = (settings: EntitySettings, fields: MetadataField[], index: number) =>
    rowRules(settings, fields, index);
  const reason = (options: OptionRule<string>[], value: string): string | null => {
    const found = options.find((option) => option.value === value);
    if (found === undefined) throw new Error(`no option ${value}`);
    return found.refusal === null ? null : refusalText(t, found.refusal);
  };

  it('two-way on a column Dynamics recalculates on Opportunity Product lines', () => {
    // Row 5 of the defaults maps Manual Discount (manualdiscountamount), Dynamics to Oneflow.
    const rules = row(defaults, OPPORTUNITY_PRODUCT, 4);
    expect(reason(rules.direction, 'two_way')).toBe(
      'Two-way: only for Price per unit and Quantity on Opportunity Product lines, because Dynamics recalculates the rest',
    );
    expect(reason(rules.direction, 'oneflow_to_dynamics')).toBe(
      'Oneflow to Dynamics: only for Price per unit and Quantity on Opportunity Product lines, because Dynamics recalculates the rest',
    );
    expect(reason(rules.direction, 'sync_once')).toBeNull();
    expect(reason(row(quoteDefaults, QUOTE_DETAIL, 1).direction, 'two_way')).toBe(
      'Two-way: only for Price per unit and Quantity on Quote Product lines, because Dynamics recalculates the rest',
    );
  });

  it('a direction writing into a column nobody can write, on a custom entity', () => {
    const settings = {
      ...contractLineSettings,
      mappings: [...contractLineSettings.mappings, mapping('new_linetotal', 'price_2.base_amount')],
    };
    expect(reason(row(settings, CONTRACT_LINE, 4).direction, 'two_way')).toBe(
      'Two-way writes into Dynamics, but Line Total is calculated by Dynamics and cannot be written',
    );
    // The same column is refused from the other side: a two-way row cannot take it.
    expect(reason(row(contractLineSettings, CONTRACT_LINE, 2).dynamicsField, 'new_linetotal')).toBe(
      'Two-way writes into Dynamics, but Line Total is calculated by Dynamics and cannot be written',
    );
    expect(reason(row(settings, CONTRACT_LINE, 4).direction, 'dynamics_to_oneflow')).toBeNull();
  });

  it('a discount percent for Manual Discount, and both discounts of one price', () => {
    const rules = row(defaults, OPPORTUNITY_PRODUCT, 4);
    expect(reason(rules.oneflowField, 'price_2.discount_percent')).toBe(
      'Manual Discount is an amount for the whole line: map it to a discount amount, not a percent',
    );
    const withPercent = opportunitySettings([
      ...defaultMappings('opportunityproduct'),
      mapping('tax', 'price_2.base_amount'),
    ]);
    expect(reason(row(withPercent, OPPORTUNITY_PRODUCT, 5).oneflowField, 'price_1.discount_percent')).toBe(
      'Row 5 already maps the other discount of this price; Oneflow takes an amount or a percent, not both',
    );
  });

  it('an Oneflow field or a Dynamics column already mapped names the other row, whichever comes first', () => {
    expect(reason(row(defaults, OPPORTUNITY_PRODUCT, 1).oneflowField, 'name')).toBe(
      'Already mapped in row 1',
    );
    expect(reason(row(defaults, OPPORTUNITY_PRODUCT, 1).dynamicsField, 'productidname')).toBe(
      'Already mapped in row 1',
    );
    // Row 3 taking row 4's field: the save blames row 4, the page explains it on row 3.
    expect(reason(row(defaults, OPPORTUNITY_PRODUCT, 2).oneflowField, 'quantity')).toBe(
      'Already mapped in row 4',
    );
    expect(reason(row(defaults, OPPORTUNITY_PRODUCT, 2).dynamicsField, 'quantity')).toBe(
      'Already mapped in row 4',
    );
  });

  it('a column of the wrong kind', () => {
    expect(reason(row(defaults, OPPORTUNITY_PRODUCT, 3).dynamicsField, 'productdescription')).toBe(
      'Write-In Product is a String column; Quantity takes a number',
    );
    expect(reason(row(defaults, OPPORTUNITY_PRODUCT, 1).dynamicsField, 'createdon')).toBe(
      'Created On is a DateTime column; Description takes text',
    );
    expect(reason(row(defaults, OPPORTUNITY_PRODUCT, 1).dynamicsField, 'productdescription')).toBeNull();
  });

  it('writing and conflict choices are never refused', () => {
    for (const rules of mappingRules(defaults, OPPORTUNITY_PRODUCT)) {
      expect(
        [...rules.writeCondition, ...rules.conflictPolicy].every((option) => option.refusal === null),
      ).toBe(true);
    }
  });
});

describe('a draft a save would refuse already', () => {
  const reasons = (options: OptionRule<string>[]) =>
    Object.fromEntries(
      options.map((option) => [
        option.value,
        option.refusal === null ? null : refusalText(t, option.refusal),
      ]),
    );

  it('without a Name mapping still offers what does not make it worse', () => {
    const draft = opportunitySettings([mapping('quantity', 'quantity', 'two_way')]);
    const rules = rowRules(draft, OPPORTUNITY_PRODUCT, 0);
    expect(reasons(rules.direction)).toEqual({
      sync_once: null,
      dynamics_to_oneflow: null,
      two_way: null,
      oneflow_to_dynamics: null,
    });
    expect(rules.oneflowField.find((option) => option.value === 'name')?.refusal).toMatchObject({
      kind: 'wrongKind',
    });
  });

  it('refuses taking away the only Name mapping', () => {
    const draft = opportunitySettings([
      mapping('productidname', 'name'),
      mapping('quantity', 'quantity', 'two_way'),
    ]);
    expect(reasons(rowRules(draft, OPPORTUNITY_PRODUCT, 0).oneflowField).description).toBe(
      'Oneflow needs a Name for every product: map another column to Name first',
    );
    const off = { ...draft, productsEnabled: false };
    expect(reasons(rowRules(off, OPPORTUNITY_PRODUCT, 0).oneflowField).description).toBeNull();
  });

  it('shows the chosen value refused, and leaves another row’s old problem out of this row’s options', () => {
    // Row 2 (description two-way) is refused as it stands; row 1 is fine.
    const draft = opportunitySettings([
      mapping('productidname', 'name'),
      mapping('description', 'description', 'two_way'),
    ]);
    const second = rowRules(draft, OPPORTUNITY_PRODUCT, 1);
    expect(reasons(second.direction).two_way).toBe(
      'Two-way: only for Price per unit and Quantity on Opportunity Product lines, because Dynamics recalculates the rest',
    );
    expect(reasons(second.direction).dynamics_to_oneflow).toBeNull();
    const first = rowRules(draft, OPPORTUNITY_PRODUCT, 0);
    expect(reasons(first.direction)).toEqual({
      sync_once: null,
      dynamics_to_oneflow: null,
      two_way: reasons(second.direction).two_way,
      oneflow_to_dynamics: reasons(second.direction).oneflow_to_dynamics,
    });
    expect(reasons(first.conflictPolicy).review).toBeNull();
  });

  it('offers only the entity’s columns for a row whose column is gone, and leaves its other cells open', () => {
    const draft = opportunitySettings([mapping('productidname', 'name'), mapping('new_gone', 'description')]);
    expect(validateSettings(draft, OPPORTUNITY_PRODUCT)).toMatchObject({
      ok: false,
      problems: [
        { path: 'mappings[1].dynamicsField', message: 'new_gone is not a column of Opportunity Product' },
      ],
    });
    const rules = rowRules(draft, OPPORTUNITY_PRODUCT, 1);
    expect(rules.dynamicsField.every((option) => option.value !== 'new_gone')).toBe(true);
    expect(reasons(rules.dynamicsField).productdescription).toBeNull();
    expect(reasons(rules.dynamicsField).quantity).toBe(
      'Quantity is a Decimal column; Description takes text',
    );
    expect(Object.values(reasons(rules.direction))).toEqual([null, null, null, null]);
  });
});

describe('the mapping a new row starts with', () => {
  it('is the first Oneflow field a column can still fill, from its matching column', () => {
    const defaults = opportunitySettings(defaultMappings('opportunityproduct'));
    // Price 1's discount amount is mapped, so its percent cannot be: Price 2 is next.
    expect(nextMapping(defaults, OPPORTUNITY_PRODUCT)).toEqual(mapping('baseamount', 'price_2.base_amount'));
    expect(nextMapping(opportunitySettings([]), OPPORTUNITY_PRODUCT)).toEqual(
      mapping('productidname', 'name'),
    );
    expect(nextMapping(opportunitySettings([mapping('productidname', 'name')]), OPPORTUNITY_PRODUCT)).toEqual(
      mapping('description', 'description'),
    );
  });

  it('is always one a save accepts, until every Oneflow field is mapped', () => {
    for (const [, start, fields] of STARTS) {
      let draft = start;
      for (let added = nextMapping(draft, fields); added !== null; added = nextMapping(draft, fields)) {
        const grown = { ...draft, mappings: [...draft.mappings, added] };
        if (!validateSettings(grown, fields).ok) break;
        draft = grown;
      }
      const unmapped = 9 - draft.mappings.length;
      // Only a discount percent beside its price's discount amount is left over.
      expect(unmapped).toBeLessThanOrEqual(2);
      const last = nextMapping(draft, fields);
      if (last !== null)
        expect(validateSettings({ ...draft, mappings: [...draft.mappings, last] }, fields).ok).toBe(false);
    }
  });

  it('is none when every Oneflow field is mapped', () => {
    const all = contractLineSettings.mappings.concat([
      mapping('new_quantity', 'price_1.discount_amount'),
      mapping('new_quantity', 'price_1.discount_percent'),
      mapping('new_quantity', 'price_2.base_amount'),
      mapping('new_quantity', 'price_2.discount_amount'),
      mapping('new_quantity', 'price_2.discount_percent'),
    ]);
    expect(nextMapping({ ...contractLineSettings, mappings: all }, CONTRACT_LINE)).toBeNull();
  });
});
