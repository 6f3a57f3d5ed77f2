import { z } from 'zod';
import {
  OneflowContractStateSchema,
  OneflowProductGroupSchema,
  OneflowProductSchema,
  type OneflowProduct,
  type OneflowProductGroup,
  type ProductGroupConfiguration,
} from '@oneflow-sync/shared';
import {
  createTransport,
  type AttemptPlace,
  type RetryOptions,
  type TransportRequest,
} from '../common/transport';
import {
  errorFromResponse,
  OneflowInvalidResponseError,
  OneflowNetworkError,
  type OneflowError,
} from './errors';
import type { RequestBudget } from './requestBudget';

/** The contract fields the sync uses (Oneflow returns more; zod drops the rest). */
const OneflowContractSchema = z.object({
  id: z.number().int(),
  state: OneflowContractStateSchema,
  state_updated_time: z.string().nullable().optional(),
  updated_time: z.string().nullable().optional(),
  published_time: z.string().nullable().optional(),
  _private: z
    .object({
      name: z.string().nullable().optional(),
      value: z
        .object({
          amount: z.union([z.string(), z.number()]).nullable().optional(),
          currency: z.string().nullable().optional(),
        })
        .nullable()
        .optional(),
      workspace_id: z.number().int().nullable().optional(),
    })
    .optional(),
  _private_ownerside: z
    .object({
      created_time: z.string().nullable().optional(),
      template_id: z.number().int().nullable().optional(),
    })
    .nullable()
    .optional(),
  product_groups: z.array(OneflowProductGroupSchema).optional(),
});
export type OneflowContract = z.infer<typeof OneflowContractSchema>;

/**
 * A template as the contract-create helper lists it (the fields the product uses). `template_type` is null or
 * absent for a template of no type; `available_options` may leave out what does not apply.
 */
const OneflowTemplateSchema = z.object({
  id: z.number().int(),
  name: z.string().nullable(),
  available_options: z.object({ can_receive_products: z.boolean().optional() }).optional(),
  template_type: z.object({ id: z.number().int(), name: z.string().nullable() }).nullable().optional(),
});

/** One workspace of `GET /helpers/contract_create_data/`: where the user may create contracts, with its templates. */
const OneflowCreateDataWorkspaceSchema = z.object({
  id: z.number().int(),
  name: z.string().nullable().optional(),
  templates: z.array(OneflowTemplateSchema),
});
type OneflowCreateDataWorkspace = z.infer<typeof OneflowCreateDataWorkspaceSchema>;

const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({ count: z.number().int().min(0), data: z.array(item) });

const AnyBody = z.unknown();

type Amount = string | number | null;

/** A product as we send it: given fields replace, `null` clears, omitted ones stay. */
export interface OneflowProductInput {
  name?: string;
  description?: string | null;
  counterparty_lock?: boolean;
  custom_id?: string | null;
  _private_ownerside?: { custom_id?: string | null };
  price_1?: OneflowPriceInput;
  price_2?: OneflowPriceInput;
  /** The amount is a JSON number, never a string: Oneflow's connector definition types it so. */
  quantity?: { type?: 'quantity' | 'single_choice' | 'multiple_choice'; amount?: number };
}

export interface OneflowPriceInput {
  base_amount?: { amount: Amount };
  discount_amount?: { amount: Amount };
  discount_percent?: Amount;
}

/** A bulk replace of one product table: rows with `id` are updated, without created, left out deleted. */
interface ReplaceGroupBody {
  configuration?: Partial<ProductGroupConfiguration>;
  products?: (OneflowProductInput & { id?: number })[];
}

/** A page of the contract list: filters as Oneflow documents them (a contract must match every one given). */
interface ContractListQuery {
  /** `filter[ids]`: these contracts only; Oneflow takes at most 200 characters of comma-separated ids. */
  ids?: readonly number[];
  /** `filter[states]`. */
  states?: readonly OneflowContract['state'][];
  /** 1–100 (default 100). */
  limit?: number;
  /** 0–19900. */
  offset?: number;
}

interface ContractListPage {
  /** The total matching the filters, not the number on this page. */
  count: number;
  data: OneflowContract[];
}

/** The documented longest `filter[ids]` value. */
export const MAX_IDS_FILTER_LENGTH = 200;

/** Oneflow sends no Retry-After: every retry waits the backoff of the retry options. */
export interface OneflowClientOptions extends RetryOptions {
  /** e.g. `https://api.oneflow.com/v1`. */
  baseUrl: string;
  token: string;
  userEmail: string;
  /** Per-attempt timeout in ms (default 15 s). */
  timeoutMs?: number;
  /**
   * The org token's request budget in this process (requestBudget.ts): every attempt, retries included, takes a
   * slot of it before it is sent. None: requests are not counted.
   */
  budget?: Pick<RequestBudget, 'take'>;
}

/** A new contract from a template; its product tables are copied from the template's. */
interface CreateContractBody {
  workspace_id: number;
  template_id: number;
  name?: string;
}

/** Narrows the contract-create helper to templates of one type (by id, or by its integration's alias). */
interface ContractCreateDataFilter {
  templateTypeId?: number;
  extensionType?: string;
}

export interface OneflowClient {
  ping(): Promise<void>;
  createContract(body: CreateContractBody): Promise<OneflowContract>;
  /**
   * The workspaces the user may create contracts in, with their templates. Oneflow requires the workspace header
   * but lists every such workspace: pick yours from the answer.
   */
  listContractCreateData(
    workspaceId: number,
    filter?: ContractCreateDataFilter,
  ): Promise<OneflowCreateDataWorkspace[]>;
  getContract(contractId: number): Promise<OneflowContract>;
  /**
   * One page of `GET /contracts` (one request). What an item carries beyond `id` and `state` is not documented:
   * `updated_time` and `product_groups` may be absent.
   */
  listContracts(query: ContractListQuery): Promise<ContractListPage>;
  listProducts(contractId: number): Promise<OneflowProduct[]>;
  getProductGroups(contractId: number): Promise<OneflowProductGroup[]>;
  createProduct(contractId: number, groupId: number, body: OneflowProductInput): Promise<OneflowProduct>;
  updateProduct(contractId: number, productId: number, body: OneflowProductInput): Promise<OneflowProduct>;
  deleteProduct(contractId: number, productId: number): Promise<void>;
  replaceGroupProducts(
    contractId: number,
    groupId: number,
    body: ReplaceGroupBody,
  ): Promise<OneflowProductGroup>;
}

const PAGE_LIMIT = 100;

/** The product's requests to Oneflow say who sends them. */
export const ONEFLOW_USER_AGENT = 'oneflow-product-sync-dynamics365';

type RequestSpec = Omit<TransportRequest, 'url' | 'fullUrl'> & {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
};

export function createOneflowClient(options: OneflowClientOptions): OneflowClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const { budget } = options;
  const transport = createTransport<OneflowError>({
    ...options,
    http: {
      baseURL: baseUrl,
      timeout: options.timeoutMs ?? 15_000,
      headers: {
        'x-oneflow-api-token': options.token,
        'x-oneflow-user-email': options.userEmail,
        accept: 'application/json',
        // Names the integration in Oneflow's logs, and lets the simulator tell the product's requests from a test's.
        'user-agent': ONEFLOW_USER_AGENT,
      },
    },
    ...(budget ? { beforeAttempt: (place: AttemptPlace) => budget.take(place) } : {}),
    networkError: (place, cause) => new OneflowNetworkError({ ...place, status: null, cause }),
    invalidResponse: (place, detail, cause) => new OneflowInvalidResponseError({ ...place, detail, cause }),
    failure: (response, place) => ({
      ok: false,
      failure: { kind: 'status', status: response.status },
      error: errorFromResponse(response.status, response.data, place),
    }),
  });

  async function send<T>(spec: RequestSpec, schema: z.ZodType<T>): Promise<T> {
    const query =
      spec.params && Object.keys(spec.params).length > 0
        ? `?${new URLSearchParams(Object.entries(spec.params).map(([k, v]): [string, string] => [k, String(v)])).toString()}`
        : '';
    const { path, ...request } = spec;
    return transport.send(
      { ...request, url: path, fullUrl: `${baseUrl}${path}${query}` },
      transport.expect(schema),
    );
  }

  async function paginate<T>(path: string, item: z.ZodType<T>): Promise<T[]> {
    const schema = pageSchema(item);
    const all: T[] = [];
    for (;;) {
      const page = await send(
        { method: 'GET', path, params: { limit: PAGE_LIMIT, offset: all.length } },
        schema,
      );
      all.push(...page.data);
      if (page.data.length === 0 || all.length >= page.count) return all;
    }
  }

  const contractPath = (contractId: number): string => `/contracts/${encodeURIComponent(contractId)}`;

  return {
    async ping() {
      await send({ method: 'GET', path: '/ping' }, AnyBody);
    },
    createContract: (body) =>
      send({ method: 'POST', path: '/contracts/create', data: body }, OneflowContractSchema),
    listContractCreateData: (workspaceId, filter = {}) =>
      send(
        {
          method: 'GET',
          path: '/helpers/contract_create_data/',
          headers: { 'x-oneflow-workspace-id': String(workspaceId) },
          params: {
            ...(filter.templateTypeId === undefined ? {} : { template_type_id: filter.templateTypeId }),
            ...(filter.extensionType === undefined ? {} : { extension_type: filter.extensionType }),
          },
        },
        z.array(OneflowCreateDataWorkspaceSchema),
      ),
    getContract: (contractId) =>
      send({ method: 'GET', path: contractPath(contractId) }, OneflowContractSchema),
    async listContracts(query) {
      const ids = query.ids?.join(',');
      if (ids !== undefined && (ids.length === 0 || ids.length > MAX_IDS_FILTER_LENGTH)) {
        throw new RangeError(
          `listContracts: filter[ids] must list 1 to ${MAX_IDS_FILTER_LENGTH} characters of ids, got ${ids.length}`,
        );
      }
      return send(
        {
          method: 'GET',
          path: '/contracts',
          params: {
            ...(ids === undefined ? {} : { 'filter[ids]': ids }),
            ...(query.states === undefined ? {} : { 'filter[states]': query.states.join(',') }),
            limit: query.limit ?? PAGE_LIMIT,
            offset: query.offset ?? 0,
          },
        },
        pageSchema(OneflowContractSchema),
      );
    },
    listProducts: (contractId) => paginate(`${contractPath(contractId)}/products`, OneflowProductSchema),
    getProductGroups: (contractId) =>
      paginate(`${contractPath(contractId)}/product_groups`, OneflowProductGroupSchema),
    createProduct: (contractId, groupId, body) =>
      send(
        {
          method: 'POST',
          path: `${contractPath(contractId)}/product_groups/${encodeURIComponent(groupId)}/products`,
          data: body,
        },
        OneflowProductSchema,
      ),
    updateProduct: (contractId, productId, body) =>
      send(
        {
          method: 'PUT',
          path: `${contractPath(contractId)}/products/${encodeURIComponent(productId)}`,
          data: body,
        },
        OneflowProductSchema,
      ),
    async deleteProduct(contractId, productId) {
      await send(
        { method: 'DELETE', path: `${contractPath(contractId)}/products/${encodeURIComponent(productId)}` },
        AnyBody,
      );
    },
    replaceGroupProducts: (contractId, groupId, body) =>
      send(
        {
          method: 'PUT',
          path: `${contractPath(contractId)}/product_groups/${encodeURIComponent(groupId)}`,
          data: body,
        },
        OneflowProductGroupSchema,
      ),
  };
}
