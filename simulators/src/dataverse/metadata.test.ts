import { errorOf, rows, useTestSimulator } from './testSupport';

const client = useTestSimulator();

const ENTITY_SELECT =
  'LogicalName,SchemaName,EntitySetName,DisplayName,PrimaryIdAttribute,PrimaryNameAttribute,IsActivity,IsBPFEntity,IsCustomizable,IsValidForAdvancedFind';
const CANDIDATE_FILTER =
  'IsValidForAdvancedFind eq true and IsBPFEntity eq false and IsCustomizable/Value eq true';
const RELATIONSHIP_SELECT =
  'SchemaName,ReferencingAttribute,ReferencedEntity,ReferencedAttribute,ReferencingEntityNavigationPropertyName';
const ATTRIBUTE_SELECT =
  'LogicalName,SchemaName,AttributeType,IsValidForCreate,IsValidForUpdate,RequiredLevel,DisplayName';

describe('Dataverse metadata', () => {
  it('fact: EntityDefinitions supports the candidate filter, IsCustomizable being a managed property filtered on /Value', async () => {
    const response = await client.request(
      `EntityDefinitions?$select=${ENTITY_SELECT}&$filter=${CANDIDATE_FILTER}`,
    );
    expect(response.status).toBe(200);
    const names = rows(response).map((row) => row.LogicalName);
    expect(names).toEqual(
      expect.arrayContaining([
        'opportunity',
        'opportunityproduct',
        'quotedetail',
        'new_contractline',
        'task',
      ]),
    );
    expect(names).not.toContain('opportunitysalesprocess');
    expect(names).not.toContain('msdyn_opportunitymodelscore');
    const task = rows(response).find((row) => row.LogicalName === 'task');
    // An activity passes the filter: the client must leave activities out itself.
    expect(task).toMatchObject({
      IsActivity: true,
      IsCustomizable: { Value: true, CanBeChanged: true, ManagedPropertyLogicalName: 'iscustomizable' },
    });
  });

  it('fact: metadata always returns MetadataId, and labels have the LocalizedLabels/UserLocalizedLabel shape', async () => {
    const response = await client.request(
      "EntityDefinitions(LogicalName='opportunityproduct')?$select=DisplayName",
    );
    expect(response.json.MetadataId).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.json.DisplayName).toMatchObject({
      UserLocalizedLabel: { Label: 'Opportunity Product', LanguageCode: 1033 },
      LocalizedLabels: [{ Label: 'Opportunity Product', LanguageCode: 1033 }],
    });
  });

  it('fact: $orderby and $top are refused on EntityDefinitions (sort on the client)', async () => {
    const orderBy = await client.request('EntityDefinitions?$select=LogicalName&$orderby=LogicalName');
    expect(orderBy.status).toBe(400);
    expect(errorOf(orderBy).message).toBe('The query parameter $orderby is not supported');
    const top = await client.request('EntityDefinitions?$select=LogicalName&$top=1');
    expect(top.status).toBe(400);
  });

  it('fact: a label cannot be filtered on, and an unknown property is a 400 naming EntityMetadata', async () => {
    const label = await client.request(
      "EntityDefinitions?$filter=DisplayName/UserLocalizedLabel/Label eq 'Task'",
    );
    expect(label.status).toBe(400);
    const unknown = await client.request('EntityDefinitions?$select=Bogus');
    expect(errorOf(unknown).message).toBe(
      "Could not find a property named 'Bogus' on type 'Microsoft.Dynamics.CRM.EntityMetadata'.",
    );
  });

  it('fact: an unknown entity definition is a 404', async () => {
    const response = await client.request("EntityDefinitions(LogicalName='nope')");
    expect(response.status).toBe(404);
  });

  it('fact: ManyToOneRelationships of the custom line entity include TWO relationships to opportunity', async () => {
    const response = await client.request(
      `EntityDefinitions(LogicalName='new_contractline')/ManyToOneRelationships?$select=${RELATIONSHIP_SELECT}&$filter=ReferencedEntity eq 'opportunity'`,
    );
    expect(
      rows(response).map((row) => [row.ReferencingAttribute, row.ReferencingEntityNavigationPropertyName]),
    ).toEqual([
      ['new_opportunityid', 'new_OpportunityId'],
      ['new_renewalopportunityid', 'new_RenewalOpportunityId'],
    ]);
  });

  it('fact: activity, BPF and non-customizable entities have N:1 relationships to opportunity too', async () => {
    const sources: string[] = [];
    const candidates = await client.request(`EntityDefinitions?$select=LogicalName`);
    for (const row of rows(candidates)) {
      const name = String(row.LogicalName);
      const relationships = await client.request(
        `EntityDefinitions(LogicalName='${name}')/ManyToOneRelationships?$select=SchemaName&$filter=ReferencedEntity eq 'opportunity'`,
      );
      if (rows(relationships).length > 0) sources.push(name);
    }
    expect(sources.sort()).toEqual(
      [
        'msdyn_opportunitymodelscore',
        'new_contractline',
        'opportunityproduct',
        'opportunitysalesprocess',
        'quote',
        'task',
      ].sort(),
    );
  });

  it('fact: the 1:N relationships of opportunity name the collection navigation properties (product_opportunities)', async () => {
    const response = await client.request(
      "EntityDefinitions(LogicalName='opportunity')/OneToManyRelationships?$select=SchemaName,ReferencingEntity,ReferencedEntityNavigationPropertyName&$filter=ReferencingEntity eq 'opportunityproduct'",
    );
    expect(rows(response)).toEqual([
      expect.objectContaining({
        SchemaName: 'product_opportunities',
        ReferencedEntityNavigationPropertyName: 'product_opportunities',
      }),
    ]);
  });

  it('fact: Attributes return LogicalName, SchemaName, AttributeType, IsValidForCreate/Update, RequiredLevel, DisplayName', async () => {
    const response = await client.request(
      `EntityDefinitions(LogicalName='opportunityproduct')/Attributes?$select=${ATTRIBUTE_SELECT}`,
    );
    const byName = new Map(rows(response).map((row) => [row.LogicalName, row]));
    expect(byName.get('isproductoverridden')).toMatchObject({
      '@odata.type': '#Microsoft.Dynamics.CRM.BooleanAttributeMetadata',
      SchemaName: 'IsProductOverridden',
      AttributeType: 'Boolean',
      IsValidForCreate: true,
      IsValidForUpdate: false,
      RequiredLevel: {
        Value: 'None',
        CanBeChanged: true,
        ManagedPropertyLogicalName: 'canmodifyrequirementlevelsettings',
      },
      DisplayName: { UserLocalizedLabel: { Label: 'Select Product' } },
    });
    expect(byName.get('opportunityid')).toMatchObject({
      AttributeType: 'Lookup',
      RequiredLevel: { Value: 'SystemRequired' },
    });
    expect(byName.get('quantity')).toMatchObject({
      AttributeType: 'Decimal',
      RequiredLevel: { Value: 'ApplicationRequired' },
    });
  });

  it('fact: lookup name columns carry AttributeOf, and calculated columns SourceType 1', async () => {
    const lineAttributes = await client.request(
      "EntityDefinitions(LogicalName='opportunityproduct')/Attributes?$select=LogicalName,AttributeOf&$filter=AttributeOf eq 'productid'",
    );
    expect(rows(lineAttributes).map((row) => row.LogicalName)).toEqual(['productidname']);
    const calculated = await client.request(
      "EntityDefinitions(LogicalName='new_contractline')/Attributes?$select=LogicalName,SourceType,IsValidForUpdate&$filter=SourceType eq 1",
    );
    expect(rows(calculated)).toEqual([
      expect.objectContaining({ LogicalName: 'new_linetotal', SourceType: 1, IsValidForUpdate: false }),
    ]);
  });

  it('fact: MaxLength belongs to derived types: selecting it on /Attributes is a 400, through a cast it works', async () => {
    const base = await client.request(
      "EntityDefinitions(LogicalName='opportunityproduct')/Attributes?$select=LogicalName,MaxLength",
    );
    expect(base.status).toBe(400);
    expect(errorOf(base).message).toBe(
      "Could not find a property named 'MaxLength' on type 'Microsoft.Dynamics.CRM.AttributeMetadata'.",
    );
    const cast = await client.request(
      "EntityDefinitions(LogicalName='opportunityproduct')/Attributes/Microsoft.Dynamics.CRM.StringAttributeMetadata?$select=LogicalName,MaxLength",
    );
    expect(rows(cast)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ LogicalName: 'productdescription', MaxLength: 500 }),
      ]),
    );
    const unselected = await client.request("EntityDefinitions(LogicalName='opportunityproduct')/Attributes");
    const memo = rows(unselected).find((row) => row.LogicalName === 'description');
    expect(memo).toMatchObject({
      MaxLength: 2000,
      '@odata.type': '#Microsoft.Dynamics.CRM.MemoAttributeMetadata',
    });
  });

  it('fact: $expand=Attributes on an entity definition nests its attributes', async () => {
    const response = await client.request(
      "EntityDefinitions(LogicalName='new_contractline')?$select=LogicalName&$expand=Attributes($select=LogicalName;$filter=IsCustomAttribute eq true)",
    );
    const attributes = response.json.Attributes as Record<string, unknown>[];
    expect(attributes.map((attribute) => attribute.LogicalName)).toContain('new_unitprice');
    expect(attributes.map((attribute) => attribute.LogicalName)).not.toContain('createdon');
  });

  it('fact: MoneyAttributeMetadata gives PrecisionSource, IsBaseCurrency and CalculationOf for each money column', async () => {
    const response = await client.request(
      "EntityDefinitions(LogicalName='opportunityproduct')/Attributes/Microsoft.Dynamics.CRM.MoneyAttributeMetadata?$select=LogicalName,Precision,PrecisionSource,IsBaseCurrency,CalculationOf",
    );
    expect(response.status).toBe(200);
    const byName = new Map(rows(response).map((row) => [row.LogicalName, row]));
    // Microsoft's opportunityproduct reference: prices take the organization's pricing precision (1), amounts
    // the currency's (2); each <column>_base is a base-currency value with Precision 4.
    expect(byName.get('priceperunit')).toMatchObject({
      Precision: 2,
      PrecisionSource: 1,
      IsBaseCurrency: false,
      CalculationOf: null,
    });
    expect(byName.get('priceperunit_base')).toMatchObject({
      Precision: 4,
      PrecisionSource: 1,
      IsBaseCurrency: true,
      CalculationOf: 'priceperunit',
    });
    expect(byName.get('baseamount')).toMatchObject({ PrecisionSource: 2, IsBaseCurrency: false });
    expect(byName.get('extendedamount_base')).toMatchObject({
      Precision: 4,
      PrecisionSource: 2,
      IsBaseCurrency: true,
      CalculationOf: 'extendedamount',
    });
    expect([...byName.keys()].sort()).toEqual(
      [
        'baseamount',
        'baseamount_base',
        'extendedamount',
        'extendedamount_base',
        'manualdiscountamount',
        'manualdiscountamount_base',
        'priceperunit',
        'priceperunit_base',
        'tax',
        'tax_base',
        'volumediscountamount',
        'volumediscountamount_base',
      ].sort(),
    );
  });

  it('fact: the base-currency columns can be filtered through the cast, and PrecisionSource is not on AttributeMetadata', async () => {
    const base = await client.request(
      "EntityDefinitions(LogicalName='quotedetail')/Attributes/Microsoft.Dynamics.CRM.MoneyAttributeMetadata?$select=LogicalName&$filter=IsBaseCurrency eq true and CalculationOf eq 'priceperunit'",
    );
    expect(rows(base).map((row) => row.LogicalName)).toEqual(['priceperunit_base']);
    const uncast = await client.request(
      "EntityDefinitions(LogicalName='quotedetail')/Attributes?$select=LogicalName,PrecisionSource",
    );
    expect(errorOf(uncast).message).toBe(
      "Could not find a property named 'PrecisionSource' on type 'Microsoft.Dynamics.CRM.AttributeMetadata'.",
    );
  });

  it("fact: the lines' exchangerate, versionnumber, producttypecode and ownerid have Dataverse's attribute metadata", async () => {
    const response = await client.request(
      "EntityDefinitions(LogicalName='opportunityproduct')/Attributes?$select=LogicalName,AttributeType,IsValidForCreate,IsValidForUpdate,RequiredLevel&$filter=LogicalName eq 'exchangerate' or LogicalName eq 'versionnumber' or LogicalName eq 'producttypecode' or LogicalName eq 'ownerid'",
    );
    const byName = new Map(rows(response).map((row) => [row.LogicalName, row]));
    expect(byName.get('exchangerate')).toMatchObject({
      '@odata.type': '#Microsoft.Dynamics.CRM.DecimalAttributeMetadata',
      AttributeType: 'Decimal',
      IsValidForCreate: false,
      IsValidForUpdate: false,
    });
    expect(byName.get('versionnumber')).toMatchObject({
      '@odata.type': '#Microsoft.Dynamics.CRM.BigIntAttributeMetadata',
      AttributeType: 'BigInt',
      IsValidForUpdate: false,
    });
    expect(byName.get('producttypecode')).toMatchObject({
      '@odata.type': '#Microsoft.Dynamics.CRM.PicklistAttributeMetadata',
      AttributeType: 'Picklist',
      IsValidForCreate: true,
      IsValidForUpdate: false,
      RequiredLevel: { Value: 'SystemRequired' },
    });
    expect(byName.get('ownerid')).toMatchObject({
      '@odata.type': '#Microsoft.Dynamics.CRM.LookupAttributeMetadata',
      AttributeType: 'Owner',
      IsValidForCreate: false,
      RequiredLevel: { Value: 'ApplicationRequired' },
    });
    const lookups = await client.request(
      "EntityDefinitions(LogicalName='opportunityproduct')/Attributes/Microsoft.Dynamics.CRM.LookupAttributeMetadata?$select=LogicalName,Targets&$filter=AttributeType eq Microsoft.Dynamics.CRM.AttributeTypeCode'Owner'",
    );
    expect(rows(lookups)).toEqual([
      expect.objectContaining({ LogicalName: 'ownerid', Targets: ['systemuser', 'team'] }),
    ]);
    const decimals = await client.request(
      "EntityDefinitions(LogicalName='opportunityproduct')/Attributes(LogicalName='exchangerate')/Microsoft.Dynamics.CRM.DecimalAttributeMetadata?$select=Precision,MinValue,MaxValue",
    );
    expect(decimals.json).toMatchObject({ Precision: 12, MinValue: 0.000000000001, MaxValue: 100000000000 });
  });
});
