/*
 * What the dialogs' tests share: canned answers checked by the API's own schemas (so they stay real answers), an
 * API client answering with them and recording its calls, and the providers the widget renders in.
 */
import * as React from 'react';
import {
  ActivityPageAnswerSchema,
  CompareAnswerSchema,
  CreateContractAnswerSchema,
  CreateContractPreviewAnswerSchema,
  SyncResultAnswerSchema,
  TemplatesAnswerSchema,
  type ApiErrorCode,
  type CompareAnswer,
  type CompareField,
  type CreateContractAnswer,
  type CreateContractPreviewAnswer,
  type Operation,
  type PlanSummary,
  type SyncResultAnswer,
} from '../../api/contract';
import { ApiError, SyncApiClient, type ClientErrorCode } from '../../api/SyncApiClient';
import type { TokenProvider } from '../../auth/TokenProvider';
import type { Platform } from '../../platform/Platform';
import { createTranslate } from '../../strings/strings';
import { fakePlatform } from '../../testing/fakePlatform';
import { AppShell } from '../../ui/AppShell';
import { ServicesContext, type Services, type SyncApi } from '../../ui/Services';

export const CONTRACT_ID = 1001;
export const LINE_WIDGET = '2c3d0000-0000-4000-8000-000000000001';
export const LINE_SUPPORT = '2c3d0000-0000-4000-8000-000000000002';
export const LINE_NEW = '2c3d0000-0000-4000-8000-000000000003';
export const LINE_GONE = '2c3d0000-0000-4000-8000-000000000004';

function summaryOf(counts: Partial<PlanSummary> = {}): PlanSummary {
  return {
    productsCreated: 0,
    productsUpdated: 0,
    productsDeleted: 0,
    linesUpdated: 0,
    fieldsWritten: 0,
    conflictsOverwritten: 0,
    held: 0,
    untouchedProducts: 0,
    skipped: 0,
    errors: 0,
    ...counts,
  };
}

export interface ResultParts {
  action?: 'push' | 'fetch' | 'initial_transfer';
  applied?: boolean;
  outcome?: SyncResultAnswer['outcome'];
  operations?: Operation[];
  summary?: Partial<PlanSummary>;
  failures?: SyncResultAnswer['failures'];
}

/** A sync result as the API answers it; throws when it is not one. */
export function syncResult(parts: ResultParts = {}): SyncResultAnswer {
  const summary = summaryOf(parts.summary);
  return SyncResultAnswerSchema.parse({
    applied: parts.applied ?? false,
    outcome: parts.outcome ?? 'applied',
    summary,
    plan: {
      action: parts.action ?? 'push',
      mainEntity: 'opportunity',
      contractId: CONTRACT_ID,
      productsEnabled: true,
      plannedAt: '2026-11-24T10:00:15.000Z',
      operations: parts.operations ?? [],
      links: [],
      summary,
    },
    failures: parts.failures ?? [],
    activityId: parts.applied === true ? 'act-1' : null,
  });
}

/** The push of the product docs: a quantity and a price updated (the price overwriting an Oneflow edit), one
 * product added, one removed, a held quantity and a catalog price left alone. */
export function pushPlanOperations(quantity = 12): Operation[] {
  return [
    {
      kind: 'update_product',
      rule: 'P1',
      reason: 'Update "Widget"',
      notes: [],
      lineId: LINE_WIDGET,
      productId: 300015,
      values: { quantity: String(quantity), 'price_1.base_amount': '27.50' },
      changes: [
        {
          oneflowField: 'quantity',
          dynamicsField: 'quantity',
          side: 'oneflow',
          old: '10',
          new: String(quantity),
        },
        {
          oneflowField: 'price_1.base_amount',
          dynamicsField: 'priceperunit',
          side: 'oneflow',
          old: '25.00',
          new: '27.50',
          conflict: {
            policy: 'dynamics_wins',
            resolvedFor: 'dynamics',
            dynamics: '27.50',
            oneflow: '26.00',
            base: { dynamics: '25.00', oneflow: '25.00' },
          },
        },
      ],
    },
    {
      kind: 'create_product',
      rule: 'P2',
      reason: 'Add "Setup"',
      notes: [],
      lineId: LINE_NEW,
      groupId: 1,
      customId: LINE_NEW,
      values: { name: 'Setup', quantity: '1' },
      changes: [
        {
          oneflowField: 'name',
          dynamicsField: 'productdescription',
          side: 'oneflow',
          old: null,
          new: 'Setup',
        },
        { oneflowField: 'quantity', dynamicsField: 'quantity', side: 'oneflow', old: null, new: '1' },
      ],
    },
    {
      kind: 'delete_product',
      rule: 'P3',
      reason: 'Remove "Old item"',
      notes: [],
      lineId: LINE_GONE,
      productId: 300017,
    },
    {
      kind: 'skip',
      rule: 'P1',
      reason: '"Support Plan": nothing to write',
      lineId: LINE_SUPPORT,
      productId: 300016,
      notes: [
        {
          kind: 'held_for_review',
          rule: 'P1',
          oneflowField: 'quantity',
          dynamicsField: 'quantity',
          reason:
            'Quantity changed in both Dynamics ("7") and Oneflow ("13") since the last sync; held for you to choose',
        },
        {
          kind: 'catalog_price',
          rule: 'F4',
          oneflowField: 'price_1.base_amount',
          dynamicsField: 'priceperunit',
          reason: 'Price per unit comes from the price list on catalog lines',
        },
      ],
    },
  ];
}

export function pushPreview(quantity = 12): SyncResultAnswer {
  return syncResult({
    operations: pushPlanOperations(quantity),
    summary: {
      productsCreated: 1,
      productsUpdated: 1,
      productsDeleted: 1,
      fieldsWritten: 4,
      conflictsOverwritten: 1,
      held: 1,
      skipped: 1,
    },
  });
}

export function createPreview(templateId: number, names: readonly string[]): CreateContractPreviewAnswer {
  const result = syncResult({
    action: 'initial_transfer',
    operations: names.map((name, index) => ({
      kind: 'create_product',
      rule: 'T1',
      reason: `Add "${name}"`,
      notes: [],
      lineId: `2c3d0000-0000-4000-8000-00000000010${String(index)}`,
      groupId: 1,
      customId: `2c3d0000-0000-4000-8000-00000000010${String(index)}`,
      values: { name, quantity: String(index + 2), 'price_1.base_amount': '25.00' },
      changes: [
        { oneflowField: 'name', dynamicsField: 'productdescription', side: 'oneflow', old: null, new: name },
      ],
    })),
    summary: { productsCreated: names.length, fieldsWritten: names.length * 3 },
  });
  return CreateContractPreviewAnswerSchema.parse({
    contract: null,
    newContract: { name: 'Contoso rollout', templateId },
    ...result,
  });
}

export function createAnswer(preview: CreateContractPreviewAnswer): CreateContractAnswer {
  const { summary, plan, failures } = preview;
  return CreateContractAnswerSchema.parse({
    summary,
    plan,
    failures,
    outcome: 'applied',
    applied: true,
    activityId: 'act-create',
    contract: {
      tenantId: '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f',
      contractId: CONTRACT_ID,
      mainEntity: 'opportunity',
      recordId: '7c5c3b4e-9f1a-4e2b-8c3d-5e6f7a8b9c0d',
      recordName: 'Contoso rollout',
      createdAt: '2026-11-24T10:00:00.000Z',
      createdBy: 'Alex Seller',
      lastSyncAt: '2026-11-24T10:00:00.000Z',
      lastAction: 'initial_transfer',
      lastFetchStartedAt: null,
      deletedInOneflowAt: null,
      oneflowState: null,
    },
  });
}

export const TEMPLATES = TemplatesAnswerSchema.parse({
  templates: [
    { id: 11, name: 'Sales agreement', templateType: null, isDefault: false },
    { id: 12, name: 'Standard quote', templateType: { id: 3, name: 'Quote' }, isDefault: true },
  ],
});

function field(
  overrides: Partial<CompareField> & Pick<CompareField, 'oneflowField' | 'status'>,
): CompareField {
  return {
    dynamicsField: overrides.oneflowField,
    label: overrides.oneflowField,
    direction: 'two_way',
    conflictPolicy: 'review',
    dynamics: null,
    oneflow: null,
    base: null,
    conflict: overrides.status === 'conflict_held',
    reason: null,
    ...overrides,
  };
}

/** A compare with two fields held for review (quantity 7 vs 13 on one line, price on another). */
export function compareWithHeld(): CompareAnswer {
  return CompareAnswerSchema.parse({
    contract: { id: CONTRACT_ID, state: 'pending', name: 'Contoso rollout' },
    mainEntity: 'opportunity',
    recordId: '7c5c3b4e-9f1a-4e2b-8c3d-5e6f7a8b9c0d',
    comparedAt: '2026-11-24T10:00:00.000Z',
    productsEnabled: true,
    refused: null,
    counts: {
      lines: 2,
      linked: 2,
      notLinked: 0,
      deletedInOneflow: 0,
      linesInSync: 0,
      fields: {
        in_sync: 1,
        will_push: 0,
        will_fetch: 0,
        conflict: 0,
        conflict_held: 2,
        skipped: 0,
        deleted_in_oneflow: 0,
        not_linked: 0,
      },
      addedInOneflow: 0,
      deletedInDynamics: 0,
      push: { creates: 0, updates: 0, deletes: 0 },
      fetch: { updates: 0 },
    },
    lines: [
      {
        lineId: LINE_SUPPORT,
        productId: 300016,
        name: 'Support Plan',
        state: 'linked',
        push: null,
        notes: [],
        fields: [
          field({
            oneflowField: 'quantity',
            status: 'conflict_held',
            dynamics: '7',
            oneflow: '13',
            base: { dynamics: '12', oneflow: '12' },
          }),
          field({
            oneflowField: 'name',
            status: 'in_sync',
            dynamics: 'Support Plan',
            oneflow: 'Support Plan',
          }),
        ],
      },
      {
        lineId: LINE_WIDGET,
        productId: 300015,
        name: 'Widget',
        state: 'linked',
        push: null,
        notes: [],
        fields: [
          field({
            oneflowField: 'price_1.base_amount',
            status: 'conflict_held',
            dynamics: '27.50',
            oneflow: '26.00',
            base: { dynamics: '25.00', oneflow: '25.00' },
          }),
        ],
      },
    ],
    addedInOneflow: [],
    deletedInDynamics: [],
  });
}

export function activityPage(
  entries: readonly {
    id: string;
    action?: string;
    outcome?: string;
    actor?: object;
    message?: string;
    changes?: object[];
  }[],
  continuationToken: string | null,
) {
  return ActivityPageAnswerSchema.parse({
    entries: entries.map((entry, index) => ({
      id: entry.id,
      tenantId: '3f6d0c1e-8a4b-4c2d-9e7f-1a2b3c4d5e6f',
      contractId: CONTRACT_ID,
      mainEntity: 'opportunity',
      recordId: '7c5c3b4e-9f1a-4e2b-8c3d-5e6f7a8b9c0d',
      action: entry.action ?? 'push',
      outcome: entry.outcome ?? 'applied',
      actor: entry.actor ?? { kind: 'user', id: 'u1', name: 'Alex Seller' },
      at: `2026-11-24T10:${String(10 + index)}:00.000Z`,
      message: entry.message ?? `Entry ${entry.id}`,
      summary: null,
      changes: entry.changes ?? [],
    })),
    continuationToken,
    total: null,
  });
}

const TOKENS: TokenProvider = {
  getToken: async () => 'token',
  signIn: async () => undefined,
  account: () => null,
};

/** A refusal of the API as the client throws it. */
export function apiError(
  status: number,
  code: ApiErrorCode | ClientErrorCode,
  retryAfterSeconds?: number,
): ApiError {
  return new ApiError(status, code, `${code} (from the service)`, [], 'req-0001', retryAfterSeconds ?? null);
}

/** Calls answered in turn: the first call gets the first, the last one answers every call after. */
export function inTurn<Args extends unknown[], T>(...answers: ((...args: Args) => Promise<T>)[]) {
  let next = 0;
  return (...args: Args): Promise<T> => {
    const answer = answers[Math.min(next, answers.length - 1)];
    next += 1;
    if (answer === undefined) return Promise.reject(new Error('inTurn without answers'));
    return answer(...args);
  };
}

/** A call that answers only when the test says so: what a request still running looks like. */
export function held<T>(): { call: () => Promise<T>; answer: (value: T) => void } {
  let answer: (value: T) => void = () => undefined;
  const promise = new Promise<T>((resolve) => {
    answer = resolve;
  });
  return { call: () => promise, answer };
}

type Api = SyncApiClient;
export interface FakeCalls {
  plan?: Api['plan'];
  apply?: Api['apply'];
  templates?: Api['templates'];
  createPreview?: Api['createPreview'];
  create?: Api['create'];
  resolveConflicts?: Api['resolveConflicts'];
  activity?: Api['activity'];
}

/**
 * The API client with the calls a test gives (canned answers, parsed by the API's schemas when built) and every
 * other call failing loudly; every call is recorded with its arguments.
 */
export class FakeSyncApi extends SyncApiClient {
  readonly calls: { name: keyof FakeCalls; args: unknown[] }[] = [];

  constructor(private readonly fakes: FakeCalls) {
    super('https://sync.example.test', TOKENS);
  }

  private use<K extends keyof FakeCalls>(name: K, args: unknown[]): NonNullable<FakeCalls[K]> {
    this.calls.push({ name, args });
    const fake = this.fakes[name];
    if (fake === undefined) throw new Error(`FakeSyncApi: ${name} was called but not given`);
    return fake;
  }

  override plan(...args: Parameters<Api['plan']>) {
    return this.use('plan', args)(...args);
  }
  override apply(...args: Parameters<Api['apply']>) {
    return this.use('apply', args)(...args);
  }
  override templates() {
    return this.use('templates', [])();
  }
  override createPreview(...args: Parameters<Api['createPreview']>) {
    return this.use('createPreview', args)(...args);
  }
  override create(...args: Parameters<Api['create']>) {
    return this.use('create', args)(...args);
  }
  override resolveConflicts(...args: Parameters<Api['resolveConflicts']>) {
    return this.use('resolveConflicts', args)(...args);
  }
  override activity(...args: Parameters<Api['activity']>) {
    return this.use('activity', args)(...args);
  }
}

/** A control's part inside the providers its root gives it: strings (a missing key throws), theme, services. */
export function WithServices({
  client,
  platform = fakePlatform(),
  children,
}: {
  client: SyncApi;
  platform?: Platform;
  children: React.ReactNode;
}): React.ReactElement {
  const t = React.useMemo(() => createTranslate((key) => platform.getString(key)), [platform]);
  const services = React.useMemo<Services>(
    () => ({
      platform,
      client,
      tokens: TOKENS,
      config: {
        apiBaseUrl: 'https://sync.example.test',
        clientId: 'client',
        tenantId: 'tenant',
        apiScope: 'scope',
        authority: 'https://login.example.test/tenant',
      },
    }),
    [platform, client],
  );
  return (
    <AppShell instanceId="test" theme={undefined} t={t}>
      <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>
    </AppShell>
  );
}
