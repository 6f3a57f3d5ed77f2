import { errorOf, IDS, useTestSimulator } from './testSupport';

/**
 * Rule: every query option or path the simulator does not model answers Dataverse's own error, never a silent
 * 200. Options Dataverse itself refuses get Dataverse's answer ("The Dataverse Web API doesn't support the
 * following OData query options: $skip, $search, $format"); options and paths Dataverse has but the simulator
 * does not model get a 400 0x80060888 naming them.
 */

const client = useTestSimulator();

const QUERY_ERROR = '0x80060888';
const SEGMENT_NOT_FOUND = '0x8006088a';
const notModeled = (feature: string) => `${feature} is not modeled by the Dataverse simulator.`;
const opportunity = `opportunities(${IDS.opportunity})`;

interface Refusal {
  rule: string;
  method?: string;
  path: string;
  body?: unknown;
  status: number;
  code: string;
  message: string;
}

const REFUSALS: Refusal[] = [
  {
    rule: 'Dataverse refuses $skip (page with @odata.nextLink instead)',
    path: 'opportunities?$skip=1',
    status: 400,
    code: QUERY_ERROR,
    message: 'The query parameter $skip is not supported',
  },
  {
    rule: 'Dataverse refuses $search (relevance search is a separate API)',
    path: 'opportunities?$search=widget',
    status: 400,
    code: QUERY_ERROR,
    message: 'The query parameter $search is not supported',
  },
  {
    rule: 'Dataverse refuses $format (the Web API answers JSON)',
    path: 'opportunities?$format=json',
    status: 400,
    code: QUERY_ERROR,
    message: 'The query parameter $format is not supported',
  },
  {
    rule: '$skip inside $expand is refused like $skip itself',
    path: 'opportunities?$expand=product_opportunities($skip=1)',
    status: 400,
    code: QUERY_ERROR,
    message: 'The query parameter $skip is not supported',
  },
  {
    rule: '$apply (aggregation) exists in Dataverse but is not modeled',
    path: 'opportunities?$apply=groupby((name))',
    status: 400,
    code: QUERY_ERROR,
    message: notModeled('The query option $apply'),
  },
  {
    rule: '$compute (OData 4.01) is not modeled',
    path: 'opportunities?$compute=estimatedvalue mul 2 as double',
    status: 400,
    code: QUERY_ERROR,
    message: notModeled('The query option $compute'),
  },
  {
    rule: 'an unknown system query option is refused',
    path: 'opportunities?$xyz=1',
    status: 400,
    code: QUERY_ERROR,
    message: "The query parameter '$xyz' is not supported.",
  },
  {
    rule: 'system query option names are case-sensitive: $Select is not $select',
    path: 'opportunities?$Select=name',
    status: 400,
    code: QUERY_ERROR,
    message:
      "The query parameter '$Select' is not supported. System query option names are case-sensitive: use '$select'.",
  },
  {
    rule: 'option names inside $expand are case-sensitive too',
    path: 'opportunities?$expand=product_opportunities($Select=quantity)',
    status: 400,
    code: QUERY_ERROR,
    message:
      "The query parameter '$Select' is not supported. System query option names are case-sensitive: use '$select'.",
  },
  {
    rule: 'parameter aliases (@p1) are not modeled',
    path: "opportunities?$filter=@p1 eq 'x'&@p1=name",
    status: 400,
    code: QUERY_ERROR,
    message: notModeled("Parameter aliases such as '@p1'"),
  },
  {
    rule: 'OData functions other than contains/startswith/endswith are not modeled',
    path: "opportunities?$filter=tolower(name) eq 'x'",
    status: 400,
    code: QUERY_ERROR,
    message: notModeled("The function 'tolower' in $filter"),
  },
  {
    rule: 'Dataverse query functions are not modeled',
    path: "opportunities?$filter=Microsoft.Dynamics.CRM.Today(PropertyName='createdon')",
    status: 400,
    code: QUERY_ERROR,
    message: notModeled("The function 'Microsoft.Dynamics.CRM.Today' in $filter"),
  },
  {
    rule: 'an unknown function in $filter is the OData parser error',
    path: "opportunities?$filter=frobnicate(name,'x')",
    status: 400,
    code: QUERY_ERROR,
    message:
      "An unknown function with name 'frobnicate' was found. This may also be a function import or a key lookup on a navigation property, which is not allowed.",
  },
  {
    rule: '$count of a collection inside $expand is not modeled',
    path: 'opportunities?$expand=product_opportunities/$count',
    status: 400,
    code: QUERY_ERROR,
    message: notModeled("A $expand path such as 'product_opportunities/$count'"),
  },
  {
    rule: '$count applies to collections, not to one record',
    path: `${opportunity}?$count=true`,
    status: 400,
    code: QUERY_ERROR,
    message: 'Only $select and $expand apply when retrieving a single record.',
  },
  {
    rule: 'only $filter applies to <entity set>/$count',
    path: 'opportunities/$count?$count=true',
    status: 400,
    code: QUERY_ERROR,
    message: 'Only $filter can be applied to a $count request.',
  },
  {
    rule: 'query options that do not shape a write are refused on a write',
    method: 'POST',
    path: "opportunities?$filter=name eq 'x'",
    body: { name: 'New' },
    status: 400,
    code: QUERY_ERROR,
    message: 'Only $select and $expand apply to a create, update or delete.',
  },
  {
    rule: 'the $metadata CSDL document is not modeled',
    path: '$metadata',
    status: 400,
    code: QUERY_ERROR,
    message: notModeled('The $metadata CSDL document'),
  },
  {
    rule: 'the service document is not modeled',
    path: '',
    status: 400,
    code: QUERY_ERROR,
    message: notModeled('The service document (the list of entity sets)'),
  },
  {
    rule: '$ref (references, associate/disassociate) is not modeled',
    path: `${opportunity}/product_opportunities/$ref`,
    status: 400,
    code: QUERY_ERROR,
    message: notModeled("'$ref' after 'product_opportunities'"),
  },
  {
    rule: '$count of a related collection is not modeled',
    path: `${opportunity}/product_opportunities/$count`,
    status: 400,
    code: QUERY_ERROR,
    message: notModeled("'$count' after 'product_opportunities'"),
  },
  {
    rule: 'a related record addressed by key is not modeled',
    path: `${opportunity}/product_opportunities(${IDS.widgetLine})`,
    status: 400,
    code: QUERY_ERROR,
    message: notModeled("Addressing one record of 'product_opportunities' by its key"),
  },
  {
    rule: 'a single property value ($value) is not modeled',
    path: `${opportunity}/name/$value`,
    status: 400,
    code: QUERY_ERROR,
    message: notModeled("Addressing 'name' of a record in the URL"),
  },
  {
    rule: 'bound actions and functions are not modeled',
    method: 'POST',
    path: 'opportunityproducts/Microsoft.Dynamics.CRM.CreateMultiple',
    body: { Targets: [] },
    status: 400,
    code: QUERY_ERROR,
    message: notModeled("The bound operation 'Microsoft.Dynamics.CRM.CreateMultiple'"),
  },
  {
    rule: 'Dataverse messages other than WhoAmI are not modeled',
    method: 'POST',
    path: 'ReviseQuote',
    body: { QuoteId: IDS.quote },
    status: 400,
    code: QUERY_ERROR,
    message: notModeled("The Dataverse message 'ReviseQuote'"),
  },
  {
    rule: 'an unknown segment is 404 "Resource not found for the segment"',
    path: 'Opportunities',
    status: 404,
    code: SEGMENT_NOT_FOUND,
    message: "Resource not found for the segment 'Opportunities'.",
  },
  {
    rule: '$batch takes POST only',
    path: '$batch',
    status: 404,
    code: SEGMENT_NOT_FOUND,
    message: "No HTTP resource was found that matches the request URI '{root}$batch' for the method 'GET'.",
  },
  {
    rule: '$count is refused on metadata, like $orderby and $top',
    path: 'EntityDefinitions?$select=LogicalName&$count=true',
    status: 400,
    code: QUERY_ERROR,
    message: 'The query parameter $count is not supported',
  },
  {
    rule: '$filter does not apply to one attribute definition',
    path: "EntityDefinitions(LogicalName='opportunity')/Attributes(LogicalName='name')?$filter=IsValidForCreate eq true",
    status: 400,
    code: QUERY_ERROR,
    message: '$filter does not apply when retrieving a single definition.',
  },
  {
    rule: 'OptionSet is a navigation of the derived attribute types: expanding it on /Attributes is refused',
    path: "EntityDefinitions(LogicalName='opportunity')/Attributes?$select=LogicalName&$expand=OptionSet",
    status: 400,
    code: QUERY_ERROR,
    message:
      "Could not find a property named 'OptionSet' on type 'Microsoft.Dynamics.CRM.AttributeMetadata'.",
  },
  {
    rule: 'creating or changing metadata is not modeled',
    method: 'POST',
    path: 'RelationshipDefinitions',
    body: { SchemaName: 'new_x' },
    status: 400,
    code: QUERY_ERROR,
    message: notModeled('Creating or changing metadata (POST RelationshipDefinitions)'),
  },
  {
    rule: 'entity definition navigations other than attributes and relationships are not modeled',
    path: "EntityDefinitions(LogicalName='opportunity')/Keys",
    status: 400,
    code: QUERY_ERROR,
    message: notModeled("The entity definition navigation 'Keys'"),
  },
];

describe('Dataverse refusals', () => {
  it.each(REFUSALS)('fact: $rule', async ({ method, path, body, status, code, message }) => {
    const response = await client.request(path, { method: method ?? 'GET', body });
    expect({ status: response.status, ...errorOf(response) }).toEqual({
      status,
      code,
      message: message.replace('{root}', client.baseUrl),
    });
  });
});
