import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { fieldPath, OneflowError } from './errors';
import {
  CONTRACT_STATES,
  GroupConfigurationSchema,
  oneflowTime,
  type ContractState,
  type TemplateState,
  type WebhookState,
} from './model';
import { ProductTableEdit } from './productTable';
import { ProductInputSchema } from './products';
import { WebhookFilterSchema, WebhookInputSchema } from './schemas';

/** The seed of the simulator's state: simulators/fixtures/oneflow.json by default (format in the docs). */

const Id = z.number().int().positive();

const TemplateFixtureSchema = z.object({
  id: Id,
  name: z.string().min(1),
  workspace_ids: z.array(Id).min(1),
  template_group_id: Id.nullable().default(null),
  available_options: z.object({ can_receive_products: z.boolean() }),
  data_fields: z
    .array(z.object({ custom_id: z.string().min(1), name: z.string(), value: z.string().default('') }))
    .default([]),
  product_groups: z
    .array(
      z.object({
        id: Id,
        configuration: GroupConfigurationSchema.default(GroupConfigurationSchema.parse({})),
        products: z.array(ProductInputSchema).default([]),
      }),
    )
    .default([]),
});

const ContractFixtureSchema = z.object({
  id: Id,
  workspace_id: Id,
  template_id: Id,
  name: z.string().min(1),
  state: z.enum(CONTRACT_STATES).default('draft'),
  created_time: z.string().optional(),
  published_time: z.string().nullable().default(null),
  data_fields: z.array(z.object({ custom_id: z.string().min(1), value: z.string() })).default([]),
  parties: z.array(z.record(z.string(), z.unknown())).default([]),
  product_groups: z
    .array(
      z.object({
        id: Id,
        created_from: Id.nullable().default(null),
        /** Defaults to the template group's configuration (the one named by created_from). */
        configuration: GroupConfigurationSchema.optional(),
        products: z.array(ProductInputSchema.extend({ id: Id })).default([]),
      }),
    )
    .default([]),
});

export const OneflowFixtureSchema = z.object({
  api_tokens: z.array(z.object({ token: z.string().length(40), name: z.string().optional() })).min(1),
  users: z.array(z.object({ id: Id, email: z.email(), name: z.string() })).default([]),
  workspaces: z.array(z.object({ id: Id, name: z.string(), currency: z.string().length(3) })).min(1),
  templates: z.array(TemplateFixtureSchema).default([]),
  contracts: z.array(ContractFixtureSchema).default([]),
  webhooks: z
    .array(
      WebhookInputSchema.extend({
        id: Id,
        filters: z.array(WebhookFilterSchema).nullable().default(null),
      }),
    )
    .default([]),
});
export type OneflowFixture = z.output<typeof OneflowFixtureSchema>;

export interface OneflowData {
  tokens: Set<string>;
  users: { id: number; email: string; name: string }[];
  workspaces: Map<number, { id: number; name: string; currency: string }>;
  templates: Map<number, TemplateState>;
  contracts: Map<number, ContractState>;
  webhooks: Map<number, WebhookState>;
  nextIds: { contract: number; group: number; product: number; dataField: number; webhook: number };
}

export function readDefaultFixture(): unknown {
  return JSON.parse(readFileSync(join(__dirname, '../../fixtures/oneflow.json'), 'utf8'));
}

class FixtureError extends Error {
  constructor(problems: string[]) {
    super(`invalid Oneflow fixture: ${problems.join('; ')}`);
    this.name = 'FixtureError';
  }
}

/** Validates a fixture; the error names every bad field by its path (`contracts[0].product_groups[0]…`). */
export function parseFixture(raw: unknown): OneflowFixture {
  const parsed = OneflowFixtureSchema.safeParse(raw);
  if (!parsed.success) {
    throw new FixtureError(
      parsed.error.issues.map((issue) => `${fieldPath('', issue.path)}: ${issue.message}`),
    );
  }
  return parsed.data;
}

const maxId = (ids: number[], floor: number): number => Math.max(floor, ...ids) + 1;

/** The state a fixture describes; products pass the same rules as over the API. */
export function buildData(fixture: OneflowFixture, now: Date): OneflowData {
  const problems: string[] = [];
  const workspaces = new Map(fixture.workspaces.map((workspace) => [workspace.id, workspace]));
  const templates = new Map(fixture.templates.map((template) => [template.id, toTemplate(template)]));
  const contracts = new Map<number, ContractState>();
  const allGroups = fixture.contracts.flatMap((contract) => contract.product_groups);
  const allProducts = allGroups.flatMap((group) => group.products);
  const data: OneflowData = {
    tokens: new Set(fixture.api_tokens.map(({ token }) => token)),
    users: fixture.users,
    workspaces,
    templates,
    contracts,
    webhooks: new Map(fixture.webhooks.map((webhook) => [webhook.id, toWebhook(webhook)])),
    nextIds: {
      contract: maxId(
        fixture.contracts.map(({ id }) => id),
        1000,
      ),
      group: maxId(
        allGroups.map(({ id }) => id),
        20000,
      ),
      product: maxId(
        allProducts.map(({ id }) => id),
        300000,
      ),
      dataField: 1,
      webhook: maxId(
        fixture.webhooks.map(({ id }) => id),
        0,
      ),
    },
  };
  fixture.contracts.forEach((contract, index) => {
    const path = `contracts[${index}]`;
    try {
      contracts.set(contract.id, toContract(contract, data, oneflowTime(now), path));
    } catch (error) {
      problems.push(describe(error, path));
    }
  });
  checkUnique(fixture, problems);
  if (problems.length > 0) throw new FixtureError(problems);
  return data;
}

function describe(error: unknown, path: string): string {
  if (error instanceof OneflowError) {
    return Object.entries(error.parameterProblems)
      .map(([field, messages]) => `${field}: ${messages.join(' ')}`)
      .join('; ');
  }
  return `${path}: ${error instanceof Error ? error.message : String(error)}`;
}

function checkUnique(fixture: OneflowFixture, problems: string[]): void {
  const lists: [string, number[]][] = [
    ['contracts', fixture.contracts.map(({ id }) => id)],
    ['templates', fixture.templates.map(({ id }) => id)],
    ['webhooks', fixture.webhooks.map(({ id }) => id)],
    [
      'product ids',
      fixture.contracts.flatMap((c) => c.product_groups.flatMap((g) => g.products.map((p) => p.id))),
    ],
  ];
  for (const [name, ids] of lists) {
    const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
    if (duplicate !== undefined) problems.push(`${name}: id ${duplicate} is used twice`);
  }
}

type TemplateFixture = z.output<typeof TemplateFixtureSchema>;
type ContractFixture = z.output<typeof ContractFixtureSchema>;

function toTemplate(template: TemplateFixture): TemplateState {
  return {
    id: template.id,
    name: template.name,
    workspaceIds: template.workspace_ids,
    templateGroupId: template.template_group_id,
    canReceiveProducts: template.available_options.can_receive_products,
    dataFields: template.data_fields.map(({ custom_id, name, value }) => ({
      customId: custom_id,
      name,
      value,
    })),
    productGroups: template.product_groups.map(({ id, configuration, products }) => ({
      id,
      configuration,
      products,
    })),
  };
}

function toWebhook(webhook: OneflowFixture['webhooks'][number]): WebhookState {
  return {
    id: webhook.id,
    callbackUrl: webhook.callback_url,
    signKey: webhook.sign_key ?? null,
    filters: webhook.filters,
    templateGroupId: webhook.template_group_id ?? null,
  };
}

function toContract(fixture: ContractFixture, data: OneflowData, now: string, path: string): ContractState {
  const workspace = data.workspaces.get(fixture.workspace_id);
  if (!workspace) throw new Error(`workspace_id ${fixture.workspace_id} is not a fixture workspace`);
  const template = data.templates.get(fixture.template_id);
  if (!template) throw new Error(`template_id ${fixture.template_id} is not a fixture template`);
  const created = fixture.created_time ?? now;
  const contract: ContractState = {
    id: fixture.id,
    workspaceId: workspace.id,
    templateId: template.id,
    templateGroupId: template.templateGroupId,
    name: fixture.name,
    state: fixture.state,
    stateUpdatedTime: created,
    createdTime: created,
    updatedTime: created,
    publishedTime: fixture.published_time,
    currency: workspace.currency,
    dataFields: fixture.data_fields.map(({ custom_id, value }) => ({
      id: data.nextIds.dataField++,
      customId: custom_id,
      name: template.dataFields.find((field) => field.customId === custom_id)?.name ?? custom_id,
      value,
    })),
    parties: fixture.parties,
    productGroups: fixture.product_groups.map((group) => ({
      id: group.id,
      createdFrom: group.created_from,
      createdTime: created,
      updatedTime: created,
      configuration:
        group.configuration ??
        template.productGroups.find(({ id }) => id === group.created_from)?.configuration ??
        GroupConfigurationSchema.parse({}),
      products: [],
    })),
  };
  const edit = new ProductTableEdit(contract, () => data.nextIds.product++);
  fixture.product_groups.forEach((group, groupIndex) => {
    group.products.forEach((product, productIndex) => {
      const productPath = `${path}.product_groups[${groupIndex}].products[${productIndex}]`;
      edit.createProduct(group.id, product, productPath, product.id);
    });
  });
  edit.commit(created);
  contract.updatedTime = created;
  return contract;
}
