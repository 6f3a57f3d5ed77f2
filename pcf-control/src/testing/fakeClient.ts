import {
  CompareAnswerSchema,
  ContractAnswerSchema,
  UnlinkAnswerSchema,
  type ApiErrorCode,
  type CompareAnswer,
  type CompareField,
  type CompareLine,
  type ContractAnswer,
  type UnlinkAnswer,
} from '../api/contract';
import { ApiError, type ClientErrorCode } from '../api/SyncApiClient';
import type { SyncApi } from '../ui/Services';

/**
 * A SyncApi for component tests: the calls a test gives, and every other call failing loudly, so a test never
 * passes on a call it did not expect.
 */
export function fakeClient(calls: Partial<SyncApi>): SyncApi {
  return new Proxy(calls as SyncApi, {
    get(target, name) {
      const given: unknown = Reflect.get(target, name);
      if (given !== undefined || typeof name !== 'string') return given;
      return (): Promise<never> => Promise.reject(new Error(`fakeClient: ${name} was called but not given`));
    },
  });
}

/** An API refusal as the client throws it. */
export function apiError(
  status: number,
  code: ApiErrorCode | ClientErrorCode,
  options: { message?: string; requestId?: string; retryAfterSeconds?: number } = {},
): ApiError {
  return new ApiError(
    status,
    code,
    options.message ?? code,
    [],
    options.requestId ?? 'req-0001',
    options.retryAfterSeconds ?? null,
  );
}

export const RECORD_ID = '7c5c3b4e-9f1a-4e2b-8c3d-5e6f7a8b9c0d';
export const CONTRACT_ID = 1001;

/** The record's contract as `GET contracts` answers it (docs/api.md's example), checked with the API's schema. */
export function contractAnswer(overrides: Partial<ContractAnswer> = {}): ContractAnswer {
  return ContractAnswerSchema.parse({
    contract: {
      tenantId: '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f',
      contractId: CONTRACT_ID,
      mainEntity: 'opportunity',
      recordId: RECORD_ID,
      recordName: 'Contoso rollout',
      createdAt: '2026-11-24T10:00:08.000Z',
      createdBy: 'aad00000-0000-4000-8000-000000000002',
      lastSyncAt: '2026-11-24T10:18:00.000Z',
      lastAction: 'push',
      lastFetchStartedAt: null,
      deletedInOneflowAt: null,
      oneflowState: null,
    },
    status: 'linked',
    message: null,
    oneflow: { state: 'draft', name: 'Contoso rollout: 10 widgets', stateUpdatedAt: null },
    links: { active: 3, deletedInOneflow: 0 },
    lastSync: {
      activityId: 'f0000000-0000-4000-8000-000000000001',
      at: '2026-11-24T10:18:00.000Z',
      action: 'push',
      outcome: 'applied',
      actor: { kind: 'user', id: 'aad00000-0000-4000-8000-000000000002', name: 'Alex Seller' },
    },
    lastActivity: {
      id: 'f0000000-0000-4000-8000-000000000001',
      action: 'push',
      outcome: 'applied',
      at: '2026-11-24T10:18:00.000Z',
      message: 'Push to Oneflow: 1 product updated.',
    },
    ...overrides,
  });
}

/** One mapped field of a line; in sync unless told otherwise. */
export function compareField(
  overrides: Partial<CompareField> & Pick<CompareField, 'oneflowField'>,
): CompareField {
  const labels: Record<string, [string, string]> = {
    quantity: ['Quantity', 'quantity'],
    'price_1.base_amount': ['Price 1: base amount', 'priceperunit'],
    'price_1.discount_amount': ['Price 1: discount amount', 'manualdiscountamount'],
    name: ['Name', 'productdescription'],
  };
  const [label, dynamicsField] = labels[overrides.oneflowField] ?? [overrides.oneflowField, 'custom'];
  return {
    dynamicsField,
    label,
    direction: 'two_way',
    conflictPolicy: 'by_action',
    dynamics: '10',
    oneflow: '10',
    base: { dynamics: '10', oneflow: '10' },
    status: 'in_sync',
    conflict: false,
    reason: null,
    ...overrides,
  };
}

export function compareLine(overrides: Partial<CompareLine> & Pick<CompareLine, 'lineId'>): CompareLine {
  return {
    productId: 300015,
    name: 'Widget',
    state: 'linked',
    push: null,
    notes: [],
    fields: [compareField({ oneflowField: 'quantity' })],
    ...overrides,
  };
}

const NO_FIELDS = {
  in_sync: 0,
  will_push: 0,
  will_fetch: 0,
  conflict: 0,
  conflict_held: 0,
  skipped: 0,
  deleted_in_oneflow: 0,
  not_linked: 0,
};

/**
 * A compare answer with its counts worked out from its lines, as the API does, and checked with the API's schema.
 * `push` and `fetch` count the products each action would write.
 */
export function compareAnswer(
  overrides: Partial<Omit<CompareAnswer, 'counts'>> & {
    push?: CompareAnswer['counts']['push'];
    fetchUpdates?: number;
  } = {},
): CompareAnswer {
  const { push, fetchUpdates, ...rest } = overrides;
  const lines = rest.lines ?? [
    compareLine({
      lineId: '2c3d0000-0000-4000-8000-000000000001',
      fields: [
        compareField({ oneflowField: 'quantity' }),
        compareField({
          oneflowField: 'price_1.discount_amount',
          dynamics: '25.00',
          oneflow: '2.50',
          base: { dynamics: '25.00', oneflow: '2.50' },
        }),
      ],
    }),
  ];
  const fields = { ...NO_FIELDS };
  for (const line of lines) for (const field of line.fields) fields[field.status] += 1;
  const addedInOneflow = rest.addedInOneflow ?? [];
  const deletedInDynamics = rest.deletedInDynamics ?? [];
  return CompareAnswerSchema.parse({
    contract: { id: CONTRACT_ID, state: 'draft', name: 'Contoso rollout: 10 widgets' },
    mainEntity: 'opportunity',
    recordId: RECORD_ID,
    comparedAt: '2026-11-24T10:20:00.000Z',
    productsEnabled: true,
    refused: null,
    lines,
    addedInOneflow,
    deletedInDynamics,
    ...rest,
    counts: {
      lines: lines.length,
      linked: lines.filter((line) => line.state === 'linked').length,
      notLinked: lines.filter((line) => line.state === 'not_linked').length,
      deletedInOneflow: lines.filter((line) => line.state === 'deleted_in_oneflow').length,
      linesInSync: lines.filter((line) => line.fields.every((field) => field.status === 'in_sync')).length,
      fields,
      addedInOneflow: addedInOneflow.length,
      deletedInDynamics: deletedInDynamics.length,
      push: push ?? { creates: 0, updates: 0, deletes: 0 },
      fetch: { updates: fetchUpdates ?? 0 },
    },
  });
}

export function unlinkAnswer(): UnlinkAnswer {
  return UnlinkAnswerSchema.parse({
    unlinked: { contractId: CONTRACT_ID, mainEntity: 'opportunity', recordId: RECORD_ID },
    linksDropped: 2,
    activityId: 'f0000000-0000-4000-8000-000000000009',
  });
}
