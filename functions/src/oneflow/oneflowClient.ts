import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { z } from 'zod';
import {
  OneflowProductGroupSchema,
  OneflowProductSchema,
  type OneflowProduct,
  type OneflowProductGroup,
  type ProductGroupConfiguration,
} from '@oneflow-sync/shared';
import {
  errorFromResponse,
  OneflowInvalidResponseError,
  OneflowNetworkError,
  type OneflowError,
} from './errors';
import {
  DEFAULT_RETRY_POLICY,
  retryDelay,
  type AttemptFailure,
  type RandomSource,
  type RetryPolicy,
} from './retryTiming';

/** The contract fields the sync uses (Oneflow returns more; zod drops the rest). */
export const OneflowContractSchema = z.object({
  id: z.number().int(),
  state: z.enum(['draft', 'pending', 'overdue', 'signed', 'declined']),
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
    })
    .optional(),
  product_groups: z.array(OneflowProductGroupSchema).optional(),
});
export type OneflowContract = z.infer<typeof OneflowContractSchema>;

/**
 * A template as the contract-create helper lists it (the fields the product uses). `template_type` is null or
 * absent for a template of no type; `available_options` may leave out what does not apply.
 */
export const OneflowTemplateSchema = z.object({
  id: z.number().int(),
  name: z.string().nullable(),
  available_options: z.object({ can_receive_products: z.boolean().optional() }).optional(),
  template_type: z.object({ id: z.number().int(), name: z.string().nullable() }).nullable().optional(),
});
export type OneflowTemplate = z.infer<typeof OneflowTemplateSchema>;

/** One workspace of `GET /helpers/contract_create_data/`: where the user may create contracts, with its templates. */
export const OneflowCreateDataWorkspaceSchema = z.object({
  id: z.number().int(),
  name: z.string().nullable().optional(),
  templates: z.array(OneflowTemplateSchema),
});
export type OneflowCreateDataWorkspace = z.infer<typeof OneflowCreateDataWorkspaceSchema>;

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
export interface ReplaceGroupBody {
  configuration?: Partial<ProductGroupConfiguration>;
  products?: (OneflowProductInput & { id?: number })[];
}

export interface OneflowClientOptions {
  /** e.g. `https://api.oneflow.com/v1`. */
  baseUrl: string;
  token: string;
  userEmail: string;
  maxAttempts?: number;
  /** Backoff settings other than maxAttempts (tests shorten them). */
  retry?: Partial<Omit<RetryPolicy, 'maxAttempts'>>;
  /** Jitter source in [0, 1); Math.random unless given. */
  random?: RandomSource;
  /** How to wait between attempts; a real timer unless given. */
  sleep?: (ms: number) => Promise<void>;
  /** Per-attempt timeout in ms (default 15 s). */
  timeoutMs?: number;
}

/** A new contract from a template; its product tables are copied from the template's. */
export interface CreateContractBody {
  workspace_id: number;
  template_id: number;
  name?: string;
}

/** Narrows the contract-create helper to templates of one type (by id, or by its integration's alias). */
export interface ContractCreateDataFilter {
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

const realSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  params?: Record<string, number | string>;
  headers?: Record<string, string>;
  data?: unknown;
}

/** A transport failure's cause, rebuilt so it carries no request config (the token is in its headers). */
function safeCause(error: unknown): Error {
  if (axios.isAxiosError(error)) return new Error(`${error.code ?? 'ERR_NETWORK'}: ${error.message}`);
  return new Error(error instanceof Error ? error.message : String(error));
}

export function createOneflowClient(options: OneflowClientOptions): OneflowClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    ...options.retry,
    maxAttempts: options.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts,
  };
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? realSleep;
  const http: AxiosInstance = axios.create({
    baseURL: baseUrl,
    timeout: options.timeoutMs ?? 15_000,
    headers: {
      'x-oneflow-api-token': options.token,
      'x-oneflow-user-email': options.userEmail,
      accept: 'application/json',
      // Names the integration in Oneflow's logs, and lets the simulator tell the product's requests from a test's.
      'user-agent': ONEFLOW_USER_AGENT,
    },
    // Every status is ours to handle: retries and typed errors, never axios's generic error.
    validateStatus: () => true,
  });

  type Outcome<T> = { ok: true; value: T } | { ok: false; failure: AttemptFailure; error: OneflowError };

  async function attemptOnce<T>(
    spec: RequestSpec,
    schema: z.ZodType<T>,
    url: string,
    attempt: number,
  ): Promise<Outcome<T>> {
    const where = { method: spec.method, url, attempts: attempt };
    let response: AxiosResponse<unknown>;
    try {
      response = await http.request<unknown>({
        method: spec.method,
        url: spec.path,
        params: spec.params,
        headers: spec.headers,
        data: spec.data,
      });
    } catch (cause) {
      return {
        ok: false,
        failure: { kind: 'network' },
        error: new OneflowNetworkError({ ...where, status: null, cause: safeCause(cause) }),
      };
    }
    if (response.status < 200 || response.status >= 300) {
      return {
        ok: false,
        failure: { kind: 'status', status: response.status },
        error: errorFromResponse(response.status, response.data, where),
      };
    }
    const parsed = schema.safeParse(response.data);
    if (parsed.success) return { ok: true, value: parsed.data };
    // Not retried: the same request would get the same unexpected shape.
    throw new OneflowInvalidResponseError({
      ...where,
      status: response.status,
      detail: 'The answer did not match the expected shape.',
      cause: parsed.error,
    });
  }

  async function send<T>(spec: RequestSpec, schema: z.ZodType<T>): Promise<T> {
    const query =
      spec.params && Object.keys(spec.params).length > 0
        ? `?${new URLSearchParams(Object.entries(spec.params).map(([k, v]): [string, string] => [k, String(v)])).toString()}`
        : '';
    const url = `${baseUrl}${spec.path}${query}`;
    for (let attempt = 1; ; attempt++) {
      const outcome = await attemptOnce(spec, schema, url, attempt);
      if (outcome.ok) return outcome.value;
      const delay = retryDelay(outcome.failure, attempt, policy, random);
      if (delay === null) throw outcome.error;
      await sleep(delay);
    }
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
