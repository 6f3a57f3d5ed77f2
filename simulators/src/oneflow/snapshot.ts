import { QUANTITY_TYPES } from '@oneflow-sync/shared';
import Big from 'big.js';
import { z } from 'zod';
import {
  CONTRACT_STATES,
  DATA_FIELD_SOURCES,
  GroupConfigurationSchema,
  type ContractState,
  type WebhookState,
} from './model';
import { WebhookFilterSchema } from './schemas';
import type { OneflowRuntimeState } from './store';

/**
 * The Oneflow simulator's runtime state as JSON, for the local stack to keep across restarts. Amounts are exact
 * decimals in memory and decimal strings on disk (never floats, which would move a cent now and then).
 */

const Id = z.number().int().positive();

const DecimalCodec = z.codec(
  z.string().regex(/^-?\d+(\.\d+)?$/, 'Expected a decimal string'),
  z.instanceof(Big),
  {
    decode: (text) => new Big(text),
    // toFixed() without places never switches to exponent notation, which the pattern above would refuse.
    encode: (value) => value.toFixed(),
  },
);

const PriceCodec = z.object({
  base: DecimalCodec,
  discountAmount: DecimalCodec.nullable(),
  discountPercent: DecimalCodec.nullable(),
});

const ProductCodec = z.object({
  id: Id,
  createdTime: z.string(),
  updatedTime: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  counterpartyLock: z.boolean(),
  customId: z.string().nullable(),
  price1: PriceCodec,
  price2: PriceCodec,
  quantity: z.object({ type: z.enum(QUANTITY_TYPES), amount: DecimalCodec }),
});

const ContractCodec = z.object({
  id: Id,
  workspaceId: Id,
  templateId: Id,
  templateGroupId: Id.nullable(),
  name: z.string(),
  state: z.enum(CONTRACT_STATES),
  stateUpdatedTime: z.string(),
  createdTime: z.string(),
  updatedTime: z.string(),
  publishedTime: z.string().nullable(),
  currency: z.string(),
  // The defaults read snapshots written before data fields carried these.
  dataFields: z.array(
    z.object({
      id: Id,
      customId: z.string(),
      name: z.string(),
      value: z.string(),
      description: z.string().default(''),
      placeholder: z.string().default(''),
      source: z.enum(DATA_FIELD_SOURCES).default('user'),
      updatedTime: z.string().nullable().default(null),
    }),
  ),
  parties: z.array(z.record(z.string(), z.unknown())),
  productGroups: z.array(
    z.object({
      id: Id,
      createdFrom: Id.nullable(),
      createdTime: z.string(),
      updatedTime: z.string(),
      configuration: GroupConfigurationSchema,
      products: z.array(ProductCodec),
    }),
  ),
});

const WebhookCodec = z.object({
  id: Id,
  callbackUrl: z.string(),
  signKey: z.string().nullable(),
  filters: z.array(WebhookFilterSchema).nullable(),
  templateGroupId: Id.nullable(),
});

export const OneflowSnapshotSchema = z.object({
  format: z.literal(1),
  nextIds: z.object({ contract: Id, group: Id, product: Id, dataField: Id, webhook: Id }),
  contracts: z.array(ContractCodec),
  webhooks: z.array(WebhookCodec),
});
export type OneflowSnapshot = z.input<typeof OneflowSnapshotSchema>;

export function oneflowSnapshot(state: OneflowRuntimeState): OneflowSnapshot {
  return z.encode(OneflowSnapshotSchema, {
    format: 1,
    nextIds: state.nextIds,
    contracts: [...state.contracts.values()],
    webhooks: [...state.webhooks.values()],
  });
}

/** The runtime state a checked snapshot describes (`OneflowSnapshotSchema.parse` checks it first). */
export function runtimeStateOf(snapshot: z.output<typeof OneflowSnapshotSchema>): OneflowRuntimeState {
  const contracts: ContractState[] = snapshot.contracts;
  const webhooks: WebhookState[] = snapshot.webhooks;
  return {
    contracts: new Map(contracts.map((contract) => [contract.id, contract])),
    webhooks: new Map(webhooks.map((webhook) => [webhook.id, webhook])),
    nextIds: snapshot.nextIds,
  };
}
