import { ProductGroupConfigurationSchema, QUANTITY_TYPES } from '@oneflow-sync/shared';
import { z } from 'zod';
import type Big from 'big.js';
import type { ProductInput } from './products';

/** The simulator's in-memory state. Amounts are exact decimals; the wire shape is made in render.ts. */

export type QuantityType = (typeof QUANTITY_TYPES)[number];

export const CONTRACT_STATES = ['draft', 'pending', 'overdue', 'signed', 'declined'] as const;
type ContractStateName = (typeof CONTRACT_STATES)[number];

/** The shared schema plus the group's `name {enabled, label}`, which the shared engine does not need. */
export const GroupConfigurationSchema = ProductGroupConfigurationSchema.extend({
  name: z.object({ enabled: z.boolean().optional(), label: z.string().nullable().optional() }).optional(),
});
export type GroupConfiguration = z.output<typeof GroupConfigurationSchema>;

export interface PriceState {
  base: Big;
  /** Null when not set; Oneflow treats null and 0 alike ("one of them should be null or 0"). */
  discountAmount: Big | null;
  discountPercent: Big | null;
}

/** What a client can write on a product: everything but the id and the times. */
export interface ProductContent {
  name: string;
  description: string | null;
  counterpartyLock: boolean;
  customId: string | null;
  price1: PriceState;
  price2: PriceState;
  quantity: { type: QuantityType; amount: Big };
}

export interface ProductState extends ProductContent {
  id: number;
  createdTime: string;
  updatedTime: string;
}

export interface GroupState {
  id: number;
  /** The template's product group this one was copied from. */
  createdFrom: number | null;
  createdTime: string;
  updatedTime: string;
  configuration: GroupConfiguration;
  products: ProductState[];
}

export const DATA_FIELD_SOURCES = ['user', 'system'] as const;
/** "Text values are limited to 1024 characters" (Oneflow's data field reference). */
export const DATA_FIELD_VALUE_MAX = 1024;
type DataFieldSource = (typeof DATA_FIELD_SOURCES)[number];

export interface DataFieldState {
  id: number;
  customId: string;
  name: string;
  value: string;
  description: string;
  placeholder: string;
  /** `system` fields belong to an integration extension: Oneflow answers 200 to an update and keeps the value. */
  source: DataFieldSource;
  /** Null until the value is first updated after the contract was made (then the contract's time stands in). */
  updatedTime: string | null;
}

export interface ContractState {
  id: number;
  workspaceId: number;
  templateId: number;
  /** The template group (template type) of the contract's template: webhooks can be limited to one. */
  templateGroupId: number | null;
  name: string;
  state: ContractStateName;
  stateUpdatedTime: string;
  createdTime: string;
  updatedTime: string;
  publishedTime: string | null;
  /** Currency lives on the contract, not on products. */
  currency: string;
  dataFields: DataFieldState[];
  /** Stored and returned as given: parties are not modeled beyond that. */
  parties: Record<string, unknown>[];
  productGroups: GroupState[];
}

interface TemplateGroupState {
  id: number;
  configuration: GroupConfiguration;
  /** Products a contract made from the template starts with, drafted then under the usual rules. */
  products: ProductInput[];
}

export interface TemplateState {
  id: number;
  name: string;
  workspaceIds: number[];
  /** The template type (Oneflow's older name: template group); it brings the data fields. */
  templateTypeId: number | null;
  createdTime: string;
  updatedTime: string;
  canReceiveProducts: boolean;
  productGroups: TemplateGroupState[];
}

/** A data field as a template type defines it: contracts made from its templates get a copy. */
export interface TemplateTypeFieldState {
  id: number;
  customId: string;
  name: string;
  description: string;
  placeholder: string;
  source: DataFieldSource;
  /** The value a new contract starts with. */
  value: string;
  active: boolean;
}

export interface TemplateTypeState {
  id: number;
  name: string;
  description: string;
  /** The alias of the integration extension that made the type (`dynamics`, …); null for a user's own type. */
  extensionType: string | null;
  active: boolean;
  createdTime: string;
  updatedTime: string;
  dataFields: TemplateTypeFieldState[];
}

export interface WorkspaceState {
  id: number;
  name: string;
  /** New contracts in the workspace take this currency. */
  currency: string;
  description: string;
  companyName: string;
  countryCode: string;
  registrationNumber: string;
  dateFormat: string;
  createdTime: string;
  updatedTime: string;
}

export interface UserState {
  id: number;
  email: string;
  name: string;
  /** Workspaces the user may create contracts in; null: every workspace. */
  contractCreateWorkspaceIds: number[] | null;
}

export const FILTER_RULE_TYPES = ['EVENT_TYPE', 'WORKSPACE'] as const;

interface WebhookFilter {
  filter_rules: { type: (typeof FILTER_RULE_TYPES)[number]; values: (string | number)[] }[];
}

export interface WebhookState {
  id: number;
  callbackUrl: string;
  signKey: string | null;
  filters: WebhookFilter[] | null;
  templateGroupId: number | null;
}

export type Clock = () => Date;

/** Oneflow's timestamp format, as in its webhook example: `2020-07-06T15:14:14+0000`. */
export function oneflowTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+0000`;
}
