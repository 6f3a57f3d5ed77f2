import Big from 'big.js';
import { renderDataField } from './dataFields';
import { decimalNumber, formatDecimal } from './decimal';
import type {
  ContractState,
  GroupConfiguration,
  GroupState,
  PriceState,
  ProductContent,
  ProductState,
  TemplateState,
  TemplateTypeState,
  WebhookState,
  WorkspaceState,
} from './model';
import { finalAmount, PERCENT_PLACES } from './products';

/** The JSON Oneflow returns: amounts as decimal strings at the group's precision. */

interface PriceJson {
  base_amount: { amount: string };
  discount_amount: { amount: string | null };
  discount_percent: string | null;
  /** The final unit price. */
  amount: { amount: string };
}

export interface ProductJson {
  id: number;
  name: string;
  description: string | null;
  counterparty_lock: boolean;
  /** `custom_id` is left out under the reading that answers do not carry it. */
  _private_ownerside: { created_time: string; updated_time: string; custom_id?: string | null };
  price_1: PriceJson;
  price_2: PriceJson;
  /** A number, as in Oneflow's connector definition; decimals only when the group's quantity precision allows. */
  quantity: { type: string; amount: number };
}

function renderPrice(price: PriceState, places: number): PriceJson {
  return {
    base_amount: { amount: formatDecimal(price.base, places) },
    discount_amount: {
      amount: price.discountAmount === null ? null : formatDecimal(price.discountAmount, places),
    },
    discount_percent:
      price.discountPercent === null ? null : formatDecimal(price.discountPercent, PERCENT_PLACES),
    amount: { amount: formatDecimal(finalAmount(price, places), places) },
  };
}

/** What an answer shows of what is stored (the readings that concern answers). */
export interface Shown {
  customId: boolean;
  groupConfiguration: boolean;
}

/** Everything stored: what the page and the simulator's own controls show. */
export const SHOW_ALL: Shown = { customId: true, groupConfiguration: true };

export function renderProduct(
  product: ProductState,
  configuration: GroupConfiguration,
  shown: Shown,
): ProductJson {
  const { type, amount } = product.quantity;
  return {
    id: product.id,
    name: product.name,
    description: product.description,
    counterparty_lock: product.counterpartyLock,
    _private_ownerside: {
      created_time: product.createdTime,
      updated_time: product.updatedTime,
      ...(shown.customId ? { custom_id: product.customId } : {}),
    },
    price_1: renderPrice(product.price1, configuration.price_precision),
    price_2: renderPrice(product.price2, configuration.price_precision),
    quantity: {
      type,
      amount: decimalNumber(amount, type === 'quantity' ? configuration.quantity_precision : 0),
    },
  };
}

/** What a product looks like to a reader, without its id and times: two equal keys mean nothing changed. */
export function contentKey(product: ProductContent, configuration: GroupConfiguration): string {
  const probe: ProductState = { ...product, id: 0, createdTime: '', updatedTime: '' };
  const { _private_ownerside: owner, ...rest } = renderProduct(probe, configuration, SHOW_ALL);
  return JSON.stringify({ ...rest, custom_id: owner.custom_id });
}

export function renderGroup(group: GroupState, shown: Shown): Record<string, unknown> {
  return {
    id: group.id,
    created_from: group.createdFrom,
    _private_ownerside: { created_time: group.createdTime, updated_time: group.updatedTime },
    ...(shown.groupConfiguration ? { configuration: group.configuration } : {}),
    products: group.products.map((product) => renderProduct(product, group.configuration, shown)),
  };
}

/** The contract value: Σ final unit price (price_1) × quantity, at the finest price precision in the contract (inferred). */
export function contractValue(contract: ContractState): string {
  let total = new Big(0);
  let places = 0;
  for (const group of contract.productGroups) {
    places = Math.max(places, group.configuration.price_precision);
    for (const product of group.products) {
      const unit = finalAmount(product.price1, group.configuration.price_precision);
      total = total.plus(unit.times(product.quantity.amount));
    }
  }
  return formatDecimal(total, contract.productGroups.length === 0 ? 2 : places);
}

export function renderContract(contract: ContractState, shown: Shown): Record<string, unknown> {
  return {
    id: contract.id,
    state: contract.state,
    state_updated_time: contract.stateUpdatedTime,
    updated_time: contract.updatedTime,
    published_time: contract.publishedTime,
    _private: {
      name: contract.name,
      value: { amount: contractValue(contract), currency: contract.currency },
      workspace_id: contract.workspaceId,
    },
    _private_ownerside: {
      created_time: contract.createdTime,
      template_id: contract.templateId,
      template_type_id: contract.templateGroupId,
    },
    available_options: { can_receive_products: contract.productGroups.length > 0 },
    data_fields: contract.dataFields.map((field) => renderDataField(field, contract)),
    parties: contract.parties,
    product_groups: contract.productGroups.map((group) => renderGroup(group, shown)),
  };
}

/**
 * Oneflow's webhook attributes. The sign key is a secret the client already knows; Oneflow's data model does
 * not list it among the returned attributes, so it is not echoed.
 */
export function renderWebhook(webhook: WebhookState): Record<string, unknown> {
  return {
    webhook_id: webhook.id,
    callback_url: webhook.callbackUrl,
    filters: webhook.filters,
    template_group_id: webhook.templateGroupId,
    integration_instance: null,
    legacy_webhook: false,
  };
}

/** A workspace as `GET /workspaces` lists it; `_permissions` are the caller's. */
export function renderWorkspace(workspace: WorkspaceState, canCreate: boolean): Record<string, unknown> {
  return {
    id: workspace.id,
    name: workspace.name,
    description: workspace.description,
    company_name: workspace.companyName,
    country_code: workspace.countryCode,
    registration_number: workspace.registrationNumber,
    date_format: workspace.dateFormat,
    created_time: workspace.createdTime,
    updated_time: workspace.updatedTime,
    _permissions: { 'contract:create': canCreate },
  };
}

/** The template type inside a template (without its data fields, as the connector's `Template` lists it). */
function templateTypeSummary(type: TemplateTypeState): Record<string, unknown> {
  return {
    id: type.id,
    name: type.name,
    description: type.description,
    extension_type: type.extensionType,
    created_time: type.createdTime,
    updated_time: type.updatedTime,
  };
}

/** `GET /template_types/{id}`: the type with its data fields (`source` user or system). */
export function renderTemplateType(type: TemplateTypeState): Record<string, unknown> {
  return {
    ...templateTypeSummary(type),
    active: type.active,
    data_fields: type.dataFields.map((field) => ({
      id: field.id,
      custom_id: field.customId,
      name: field.name,
      description: field.description,
      placeholder: field.placeholder,
      source: field.source,
      value: field.value,
      active: field.active,
    })),
  };
}

/**
 * A template: `available_options.can_receive_products` says whether it has a product table; `template_type` is
 * null for a template of no type; `workspaces` are those it belongs to.
 */
export function renderTemplate(
  template: TemplateState,
  type: TemplateTypeState | null,
  workspaces: WorkspaceState[],
): Record<string, unknown> {
  return {
    id: template.id,
    name: template.name,
    created_time: template.createdTime,
    updated_time: template.updatedTime,
    available_options: { can_receive_products: template.canReceiveProducts },
    template_type: type === null ? null : templateTypeSummary(type),
    workspaces: workspaces
      .filter(({ id }) => template.workspaceIds.includes(id))
      .map(({ id, name }) => ({ id, name })),
  };
}
