import { USER_HEADER } from './pageConfig';

/** Entity set names of the tables the forms and the widget read (Dynamics resolves them from metadata). */
const ENTITY_SETS: Readonly<Record<string, string>> = {
  opportunity: 'opportunities',
  quote: 'quotes',
  opportunityproduct: 'opportunityproducts',
  quotedetail: 'quotedetails',
  product: 'products',
  pricelevel: 'pricelevels',
  productpricelevel: 'productpricelevels',
  uom: 'uoms',
  transactioncurrency: 'transactioncurrencies',
  systemuser: 'systemusers',
  new_contractline: 'new_contractlines',
  environmentvariabledefinition: 'environmentvariabledefinitions',
};

const WEB_API = '/api/data/v9.2/';

type Entity = ComponentFramework.WebApi.Entity;

/** How `context.webAPI` rejects in Dynamics: an error with the service's code and message. */
export class WebApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'WebApiError';
  }
}

export function entitySet(entityType: string): string {
  const set = ENTITY_SETS[entityType];
  if (set === undefined)
    throw new WebApiError(0, '0x80040217', `The form host does not know the table ${entityType}`);
  return set;
}

/** Record ids as Dataverse accepts them in a URL: bare, lower-case. */
function key(id: string): string {
  return id.replace(/[{}]/g, '').toLowerCase();
}

async function call(
  user: string,
  method: string,
  path: string,
  body?: Entity,
  extraHeaders: Record<string, string> = {},
): Promise<Response> {
  const response = await fetch(`${WEB_API}${path}`, {
    method,
    headers: {
      accept: 'application/json',
      'odata-version': '4.0',
      'odata-maxversion': '4.0',
      [USER_HEADER]: user,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      // A PATCH without it is an upsert in Dataverse; `updateRecord` never creates a record.
      ...(method === 'PATCH' ? { 'if-match': '*' } : {}),
      ...extraHeaders,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    const text = await response.text();
    let code = '';
    let message = `${method} ${path}: ${response.status}`;
    try {
      const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
      if (typeof parsed.error?.code === 'string') code = parsed.error.code;
      if (typeof parsed.error?.message === 'string') message = parsed.error.message;
    } catch {
      // Not a Dataverse error body: the status says enough.
    }
    throw new WebApiError(response.status, code, message);
  }
  return response;
}

function idFromEntityUrl(response: Response): string {
  const url = response.headers.get('odata-entityid') ?? '';
  const id = /\(([0-9a-f-]{36})\)\s*$/i.exec(url)?.[1];
  if (id === undefined) throw new WebApiError(response.status, '', 'The answer named no record');
  return id;
}

/** `context.webAPI` over the page's same-origin Web API, with Dynamics' answer shapes. */
export function formWebApi(user: string): ComponentFramework.WebApi {
  return {
    async retrieveMultipleRecords(entityType, options = '', maxPageSize) {
      const prefer: Record<string, string> =
        maxPageSize === undefined ? {} : { prefer: `odata.maxpagesize=${maxPageSize}` };
      const response = await call(user, 'GET', `${entitySet(entityType)}${options}`, undefined, prefer).then(
        (answer) => answer.json() as Promise<{ value?: Entity[]; '@odata.nextLink'?: string }>,
      );
      return { entities: response.value ?? [], nextLink: response['@odata.nextLink'] ?? '' };
    },
    async retrieveRecord(entityType, id, options = '') {
      return call(user, 'GET', `${entitySet(entityType)}(${key(id)})${options}`).then(
        (answer) => answer.json() as Promise<Entity>,
      );
    },
    async createRecord(entityType, data) {
      const response = await call(user, 'POST', entitySet(entityType), data);
      return { entityType, id: idFromEntityUrl(response) };
    },
    async updateRecord(entityType, id, data) {
      await call(user, 'PATCH', `${entitySet(entityType)}(${key(id)})`, data);
      return { entityType, id: key(id) };
    },
    async deleteRecord(entityType, id) {
      await call(user, 'DELETE', `${entitySet(entityType)}(${key(id)})`);
      return { entityType, id: key(id) };
    },
  };
}
