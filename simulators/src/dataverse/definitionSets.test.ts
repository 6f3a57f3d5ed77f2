import { DATA_ENTITIES } from './entities';
import { errorOf, rows, useTestSimulator } from './testSupport';

const client = useTestSimulator();

const ONE_TO_MANY = 'Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata';
const MANY_TO_MANY = 'Microsoft.Dynamics.CRM.ManyToManyRelationshipMetadata';
const PRODUCT_TYPES = "GlobalOptionSetDefinitions(Name='qooiproduct_producttype')";
const PRODUCT_TYPE_COLUMN =
  "EntityDefinitions(LogicalName='opportunityproduct')/Attributes(LogicalName='producttypecode')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata";

function bySchemaName(items: Record<string, unknown>[]): Record<string, unknown> {
  return Object.fromEntries(items.map((item) => [String(item.SchemaName), item.MetadataId]));
}

function labelOf(option: Record<string, unknown>): unknown {
  return (option.Label as { UserLocalizedLabel?: { Label?: unknown } }).UserLocalizedLabel?.Label;
}

describe('Dataverse RelationshipDefinitions', () => {
  it('fact: RelationshipDefinitions lists every relationship with its @odata.type', async () => {
    const response = await client.request('RelationshipDefinitions?$select=SchemaName');
    expect(response.status).toBe(200);
    expect(response.json['@odata.context']).toBe(
      `${client.baseUrl}$metadata#RelationshipDefinitions(SchemaName)`,
    );
    const quoteDetails = rows(response).find((row) => row.SchemaName === 'quote_details');
    expect(Object.keys(quoteDetails ?? {})).toEqual(['@odata.type', 'SchemaName', 'MetadataId']);
    expect(quoteDetails).toMatchObject({ '@odata.type': `#${ONE_TO_MANY}`, SchemaName: 'quote_details' });
    expect(quoteDetails?.MetadataId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('fact: without a cast only RelationshipMetadataBase properties can be selected or filtered', async () => {
    const selected = await client.request('RelationshipDefinitions?$select=SchemaName,ReferencedEntity');
    expect(selected.status).toBe(400);
    expect(errorOf(selected).message).toBe(
      "Could not find a property named 'ReferencedEntity' on type 'Microsoft.Dynamics.CRM.RelationshipMetadataBase'.",
    );
    const custom = await client.request(
      "RelationshipDefinitions?$select=SchemaName&$filter=IsCustomRelationship eq true and RelationshipType eq Microsoft.Dynamics.CRM.RelationshipType'OneToManyRelationship'",
    );
    expect(
      rows(custom)
        .map((row) => row.SchemaName)
        .sort(),
    ).toEqual(
      [
        'new_opportunity_new_contractline_OpportunityId',
        'new_opportunity_new_contractline_RenewalOpportunityId',
        'new_product_new_contractline_ProductId',
      ].sort(),
    );
  });

  it("fact: the cast filtered on ReferencedEntity gives what the entity's OneToManyRelationships give", async () => {
    const cast = await client.request(
      `RelationshipDefinitions/${ONE_TO_MANY}?$select=SchemaName&$filter=ReferencedEntity eq 'opportunity'`,
    );
    const navigation = await client.request(
      "EntityDefinitions(LogicalName='opportunity')/OneToManyRelationships?$select=SchemaName",
    );
    expect(cast.json['@odata.context']).toBe(
      `${client.baseUrl}$metadata#RelationshipDefinitions/${ONE_TO_MANY}(SchemaName)`,
    );
    expect(rows(cast)[0]).not.toHaveProperty('@odata.type');
    expect(bySchemaName(rows(cast))).toEqual(bySchemaName(rows(navigation)));
    expect(Object.keys(bySchemaName(rows(cast)))).toContain('product_opportunities');
  });

  it('fact: a relationship is read by SchemaName or by MetadataId, with the MetadataId the entity gives', async () => {
    const bySchema = await client.request(
      `RelationshipDefinitions(SchemaName='product_opportunities')/${ONE_TO_MANY}?$select=ReferencingEntity,ReferencingAttribute,ReferencingEntityNavigationPropertyName`,
    );
    expect(bySchema.json).toMatchObject({
      '@odata.context': `${client.baseUrl}$metadata#RelationshipDefinitions/${ONE_TO_MANY}(ReferencingEntity,ReferencingAttribute,ReferencingEntityNavigationPropertyName)/$entity`,
      ReferencingEntity: 'opportunityproduct',
      ReferencingAttribute: 'opportunityid',
      ReferencingEntityNavigationPropertyName: 'opportunityid',
    });
    const manyToOne = await client.request(
      "EntityDefinitions(LogicalName='opportunityproduct')/ManyToOneRelationships?$select=SchemaName&$filter=SchemaName eq 'product_opportunities'",
    );
    expect(rows(manyToOne)[0]?.MetadataId).toBe(bySchema.json.MetadataId);
    const byId = await client.request(
      `RelationshipDefinitions(${String(bySchema.json.MetadataId)})?$select=SchemaName,RelationshipType`,
    );
    expect(byId.json).toMatchObject({
      '@odata.type': `#${ONE_TO_MANY}`,
      SchemaName: 'product_opportunities',
      RelationshipType: 'OneToManyRelationship',
    });
  });

  it('fact: every 1:N relationship names a lookup the data endpoints read as _<ReferencingAttribute>_value', async () => {
    const response = await client.request(
      `RelationshipDefinitions/${ONE_TO_MANY}?$select=ReferencingEntity,ReferencingAttribute`,
    );
    const withData = rows(response).filter((row) =>
      DATA_ENTITIES.some((entity) => entity.logicalName === row.ReferencingEntity),
    );
    expect(withData.length).toBeGreaterThan(20);
    for (const row of withData) {
      const entity = DATA_ENTITIES.find((candidate) => candidate.logicalName === row.ReferencingEntity);
      const read = await client.request(
        `${String(entity?.entitySetName)}?$select=_${String(row.ReferencingAttribute)}_value&$top=1`,
      );
      expect({ relationship: row, status: read.status }).toEqual({ relationship: row, status: 200 });
    }
  });

  it('fact: no N:N relationship joins the entities here: the N:N cast and ManyToManyRelationships are empty', async () => {
    const cast = await client.request(`RelationshipDefinitions/${MANY_TO_MANY}?$select=SchemaName`);
    expect(rows(cast)).toEqual([]);
    const navigation = await client.request(
      "EntityDefinitions(LogicalName='opportunity')/ManyToManyRelationships?$select=SchemaName",
    );
    expect(rows(navigation)).toEqual([]);
    const wrongType = await client.request(
      `RelationshipDefinitions(SchemaName='quote_details')/${MANY_TO_MANY}`,
    );
    expect(wrongType.status).toBe(404);
  });

  it('fact: an unknown relationship is a 404; $orderby and $filter on one relationship are refused', async () => {
    const unknown = await client.request("RelationshipDefinitions(SchemaName='nope')");
    expect({ status: unknown.status, ...errorOf(unknown) }).toEqual({
      status: 404,
      code: '0x80060888',
      message: "RelationshipMetadata With Id = SchemaName='nope' does not exist.",
    });
    const ordered = await client.request('RelationshipDefinitions?$select=SchemaName&$orderby=SchemaName');
    expect(errorOf(ordered).message).toBe('The query parameter $orderby is not supported');
    const filtered = await client.request(
      "RelationshipDefinitions(SchemaName='quote_details')?$filter=IsManaged eq true",
    );
    expect(filtered.status).toBe(400);
  });
});

describe('Dataverse GlobalOptionSetDefinitions', () => {
  it("fact: GlobalOptionSetDefinitions(Name='qooiproduct_producttype') gives the product types", async () => {
    const response = await client.request(PRODUCT_TYPES);
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      '@odata.type': '#Microsoft.Dynamics.CRM.OptionSetMetadata',
      Name: 'qooiproduct_producttype',
      IsGlobal: true,
      OptionSetType: 'Picklist',
      DisplayName: { UserLocalizedLabel: { Label: 'Product Type' } },
    });
    const options = response.json.Options as Record<string, unknown>[];
    expect(options.map((option) => [option.Value, labelOf(option)])).toEqual([
      [1, 'Product'],
      [2, 'Bundle'],
      [3, 'Required Bundle Product'],
      [4, 'Optional Bundle Product'],
      [5, 'Project-based Service'],
    ]);
  });

  it('fact: the list and a MetadataId give the same set; Options needs the OptionSetMetadata cast', async () => {
    const list = await client.request('GlobalOptionSetDefinitions?$select=Name');
    expect(rows(list).map((row) => row.Name)).toEqual(['qooiproduct_producttype']);
    const id = String(rows(list)[0]?.MetadataId);
    const byId = await client.request(`GlobalOptionSetDefinitions(${id})?$select=Name`);
    expect(byId.json).toMatchObject({ Name: 'qooiproduct_producttype', MetadataId: id });
    const uncast = await client.request(`${PRODUCT_TYPES}?$select=Options`);
    expect(errorOf(uncast).message).toBe(
      "Could not find a property named 'Options' on type 'Microsoft.Dynamics.CRM.OptionSetMetadataBase'.",
    );
    const cast = await client.request(
      `${PRODUCT_TYPES}/Microsoft.Dynamics.CRM.OptionSetMetadata?$select=Options`,
    );
    expect(cast.status).toBe(200);
    expect(cast.json.Options).toHaveLength(5);
  });

  it('fact: $filter is refused on GlobalOptionSetDefinitions; an unknown name is a 404', async () => {
    const filtered = await client.request(
      "GlobalOptionSetDefinitions?$filter=Name eq 'qooiproduct_producttype'",
    );
    expect({ status: filtered.status, ...errorOf(filtered) }).toEqual({
      status: 400,
      code: '0x80060888',
      message: 'The query parameter $filter is not supported',
    });
    const unknown = await client.request("GlobalOptionSetDefinitions(Name='nope')");
    expect(unknown.status).toBe(404);
  });

  it("fact: producttypecode's OptionSet and GlobalOptionSet are the global set, and its default is Product", async () => {
    const global = await client.request(`${PRODUCT_TYPES}?$select=Name`);
    const response = await client.request(
      `${PRODUCT_TYPE_COLUMN}?$select=LogicalName,DefaultFormValue&$expand=OptionSet($select=Name,IsGlobal,Options),GlobalOptionSet($select=Name)`,
    );
    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      LogicalName: 'producttypecode',
      DefaultFormValue: 1,
      OptionSet: { Name: 'qooiproduct_producttype', IsGlobal: true, MetadataId: global.json.MetadataId },
      GlobalOptionSet: { Name: 'qooiproduct_producttype', MetadataId: global.json.MetadataId },
    });
    const options = (response.json.OptionSet as { Options: Record<string, unknown>[] }).Options;
    expect(options.map((option) => labelOf(option))).toContain('Project-based Service');
  });

  it('fact: a local choice has its own <entity>_<column> OptionSet and no GlobalOptionSet', async () => {
    const response = await client.request(
      "EntityDefinitions(LogicalName='productpricelevel')/Attributes(LogicalName='pricingmethodcode')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Name,IsGlobal),GlobalOptionSet",
    );
    expect(response.json).toMatchObject({
      OptionSet: { Name: 'productpricelevel_pricingmethodcode', IsGlobal: false },
      GlobalOptionSet: null,
    });
    const byPath = await client.request(
      "EntityDefinitions(LogicalName='productpricelevel')/Attributes(LogicalName='pricingmethodcode')/Microsoft.Dynamics.CRM.PicklistAttributeMetadata/GlobalOptionSet",
    );
    expect(byPath.status).toBe(204);
  });

  it("fact: a column's option set can be read by path, and status options name their state", async () => {
    const byPath = await client.request(`${PRODUCT_TYPE_COLUMN}/OptionSet?$select=Options`);
    expect(byPath.status).toBe(200);
    expect(byPath.json.Options).toHaveLength(5);
    const status = await client.request(
      "EntityDefinitions(LogicalName='quote')/Attributes(LogicalName='statuscode')/Microsoft.Dynamics.CRM.StatusAttributeMetadata?$select=LogicalName&$expand=OptionSet($select=Options)",
    );
    const options = (status.json.OptionSet as { Options: Record<string, unknown>[] }).Options;
    expect(options.find((option) => option.Value === 4)).toMatchObject({ State: 2 });
  });

  it('fact: a column type without option sets has no OptionSet segment: 404 naming it, not an empty 204', async () => {
    for (const navigation of ['OptionSet', 'GlobalOptionSet']) {
      const response = await client.request(
        `EntityDefinitions(LogicalName='opportunityproduct')/Attributes(LogicalName='priceperunit')/Microsoft.Dynamics.CRM.MoneyAttributeMetadata/${navigation}`,
      );
      expect(response.status).toBe(404);
      expect(errorOf(response).message).toBe(`Resource not found for the segment '${navigation}'.`);
    }
  });

  it('fact: OptionSet is a navigation property: it can be expanded, not selected', async () => {
    const response = await client.request(`${PRODUCT_TYPE_COLUMN}?$select=LogicalName,OptionSet`);
    expect(response.status).toBe(400);
    expect(errorOf(response).message).toBe(
      "Could not find a property named 'OptionSet' on type 'Microsoft.Dynamics.CRM.PicklistAttributeMetadata'.",
    );
  });
});
