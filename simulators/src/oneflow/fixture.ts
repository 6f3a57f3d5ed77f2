import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { newContractDataField } from './dataFields';
import { fieldPath, OneflowError } from './errors';
import {
  CONTRACT_STATES,
  DATA_FIELD_SOURCES,
  DATA_FIELD_VALUE_MAX,
  GroupConfigurationSchema,
  oneflowTime,
  type ContractState,
  type TemplateState,
  type TemplateTypeState,
  type UserState,
  type WebhookState,
  type WorkspaceState,
} from './model';
import { ProductTableEdit } from './productTable';
import { ProductInputSchema } from './products';
import { WebhookFilterSchema, WebhookInputSchema } from './schemas';

/** The seed of the simulator's state: simulators/fixtures/oneflow.json by default (format in the docs). */

const Id = z.number().int().positive();
/** Seed times look like Oneflow's (`2025-01-15T09:30:00+0000`). */
const Time = z
  .string()
  .regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$/, 'Expected a time like 2025-01-15T09:30:00+0000');
const SEED_TIME = '2024-01-01T00:00:00+0000';

/** A key that moved: refused with the new place named, never silently dropped. */
const movedTo = (where: string) => z.never({ error: `moved: use ${where}` }).optional();

const WorkspaceFixtureSchema = z.object({
  id: Id,
  name: z.string(),
  currency: z.string().length(3),
  description: z.string().default(''),
  company_name: z.string().default(''),
  country_code: z.string().default(''),
  registration_number: z.string().default(''),
  date_format: z.string().default('YYYY-MM-DD'),
  created_time: Time.default(SEED_TIME),
  updated_time: Time.default(SEED_TIME),
});

const UserFixtureSchema = z.object({
  id: Id,
  email: z.email(),
  name: z.string(),
  /** Where the user may create contracts; left out: every workspace. */
  contract_create_workspace_ids: z.array(Id).optional(),
});

const TemplateTypeFixtureSchema = z.object({
  id: Id,
  name: z.string().min(1),
  description: z.string().default(''),
  extension_type: z.string().min(1).nullable().default(null),
  active: z.boolean().default(true),
  created_time: Time.default(SEED_TIME),
  updated_time: Time.default(SEED_TIME),
  data_fields: z
    .array(
      z.object({
        id: Id,
        custom_id: z.string().min(1),
        name: z.string(),
        description: z.string().default(''),
        placeholder: z.string().default(''),
        source: z.enum(DATA_FIELD_SOURCES).default('user'),
        value: z.string().max(DATA_FIELD_VALUE_MAX).default(''),
        active: z.boolean().default(true),
      }),
    )
    .default([]),
});

const TemplateFixtureSchema = z.object({
  id: Id,
  name: z.string().min(1),
  workspace_ids: z.array(Id).min(1),
  template_type_id: Id.nullable().default(null),
  template_group_id: movedTo('template_type_id'),
  created_time: Time.default(SEED_TIME),
  updated_time: Time.default(SEED_TIME),
  available_options: z.object({ can_receive_products: z.boolean() }),
  data_fields: movedTo("template_types[].data_fields (a template has its type's data fields)"),
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
  /** Values for the template type's data fields; the others keep the type's value. */
  data_fields: z
    .array(z.object({ custom_id: z.string().min(1), value: z.string().max(DATA_FIELD_VALUE_MAX) }))
    .default([]),
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

const OneflowFixtureSchema = z.object({
  api_tokens: z.array(z.object({ token: z.string().length(40), name: z.string().optional() })).min(1),
  users: z.array(UserFixtureSchema).default([]),
  workspaces: z.array(WorkspaceFixtureSchema).min(1),
  template_types: z.array(TemplateTypeFixtureSchema).default([]),
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
  users: UserState[];
  workspaces: Map<number, WorkspaceState>;
  templateTypes: Map<number, TemplateTypeState>;
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
  const workspaces = new Map(fixture.workspaces.map((workspace) => [workspace.id, toWorkspace(workspace)]));
  const templateTypes = new Map(fixture.template_types.map((type) => [type.id, toTemplateType(type)]));
  const templates = new Map(fixture.templates.map((template) => [template.id, toTemplate(template)]));
  checkReferences(fixture, problems);
  const contracts = new Map<number, ContractState>();
  const allGroups = fixture.contracts.flatMap((contract) => contract.product_groups);
  const allProducts = allGroups.flatMap((group) => group.products);
  const data: OneflowData = {
    tokens: new Set(fixture.api_tokens.map(({ token }) => token)),
    users: fixture.users.map((user) => ({
      id: user.id,
      email: user.email,
      name: user.name,
      contractCreateWorkspaceIds: user.contract_create_workspace_ids ?? null,
    })),
    workspaces,
    templateTypes,
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
    ['workspaces', fixture.workspaces.map(({ id }) => id)],
    ['template_types', fixture.template_types.map(({ id }) => id)],
    ['users', fixture.users.map(({ id }) => id)],
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

/** Every id a fixture entry names must be one the fixture defines. */
function checkReferences(fixture: OneflowFixture, problems: string[]): void {
  const workspaceIds = new Set(fixture.workspaces.map(({ id }) => id));
  const typeIds = new Set(fixture.template_types.map(({ id }) => id));
  fixture.users.forEach((user, index) => {
    (user.contract_create_workspace_ids ?? []).forEach((id, at) => {
      if (!workspaceIds.has(id)) {
        problems.push(
          `users[${index}].contract_create_workspace_ids[${at}]: workspace ${id} is not a fixture workspace`,
        );
      }
    });
  });
  fixture.templates.forEach((template, index) => {
    template.workspace_ids.forEach((id, at) => {
      if (!workspaceIds.has(id)) {
        problems.push(`templates[${index}].workspace_ids[${at}]: workspace ${id} is not a fixture workspace`);
      }
    });
    if (template.template_type_id !== null && !typeIds.has(template.template_type_id)) {
      problems.push(
        `templates[${index}].template_type_id: template type ${template.template_type_id} is not a fixture template type`,
      );
    }
  });
  fixture.template_types.forEach((type, index) => {
    const customIds = type.data_fields.map(({ custom_id }) => custom_id);
    const twice = customIds.find((customId, at) => customIds.indexOf(customId) !== at);
    if (twice !== undefined) {
      problems.push(`template_types[${index}].data_fields: custom_id ${twice} is used twice`);
    }
  });
}

type WorkspaceFixture = z.output<typeof WorkspaceFixtureSchema>;
type TemplateTypeFixture = z.output<typeof TemplateTypeFixtureSchema>;

function toWorkspace(workspace: WorkspaceFixture): WorkspaceState {
  return {
    id: workspace.id,
    name: workspace.name,
    currency: workspace.currency,
    description: workspace.description,
    companyName: workspace.company_name,
    countryCode: workspace.country_code,
    registrationNumber: workspace.registration_number,
    dateFormat: workspace.date_format,
    createdTime: workspace.created_time,
    updatedTime: workspace.updated_time,
  };
}

function toTemplateType(type: TemplateTypeFixture): TemplateTypeState {
  return {
    id: type.id,
    name: type.name,
    description: type.description,
    extensionType: type.extension_type,
    active: type.active,
    createdTime: type.created_time,
    updatedTime: type.updated_time,
    dataFields: type.data_fields.map((field) => ({
      id: field.id,
      customId: field.custom_id,
      name: field.name,
      description: field.description,
      placeholder: field.placeholder,
      source: field.source,
      value: field.value,
      active: field.active,
    })),
  };
}

function toTemplate(template: TemplateFixture): TemplateState {
  return {
    id: template.id,
    name: template.name,
    workspaceIds: template.workspace_ids,
    templateTypeId: template.template_type_id,
    createdTime: template.created_time,
    updatedTime: template.updated_time,
    canReceiveProducts: template.available_options.can_receive_products,
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

/** The template type's active data fields, with the fixture's values; a custom_id the type lacks is an error. */
function seedDataFields(
  fixture: ContractFixture,
  data: OneflowData,
  template: TemplateState,
): ContractState['dataFields'] {
  const type = template.templateTypeId === null ? undefined : data.templateTypes.get(template.templateTypeId);
  const fields = (type?.dataFields ?? []).filter((field) => field.active);
  const values = new Map<string, string>();
  fixture.data_fields.forEach(({ custom_id, value }, index) => {
    if (!fields.some((field) => field.customId === custom_id)) {
      throw new Error(
        `data_fields[${index}].custom_id: ${custom_id} is not a data field of the template's type`,
      );
    }
    values.set(custom_id, value);
  });
  return fields.map((field) => newContractDataField(field, values.get(field.customId), data.nextIds));
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
    templateGroupId: template.templateTypeId,
    name: fixture.name,
    state: fixture.state,
    stateUpdatedTime: created,
    createdTime: created,
    updatedTime: created,
    publishedTime: fixture.published_time,
    currency: workspace.currency,
    dataFields: seedDataFields(fixture, data, template),
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
