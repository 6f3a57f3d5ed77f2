import type { z } from 'zod';
import {
  applyValue,
  checkBodyNamesField,
  fieldInPath,
  fieldsOfList,
  newContractDataField,
  type DataFieldUpdate,
} from './dataFields';
import { conflict, contractSignedError, fieldPath, forbidden, notFound, Problems } from './errors';
import { buildData, parseFixture, type OneflowData, type OneflowFixture } from './fixture';
import {
  oneflowTime,
  type Clock,
  type ContractState,
  type DataFieldState,
  type GroupState,
  type ProductState,
  type TemplateState,
  type TemplateTypeState,
  type UserState,
  type WebhookState,
  type WorkspaceState,
} from './model';
import { ProductTableEdit, type TableChange } from './productTable';
import { KIND_READINGS, type Readings } from './readings';
import type { ContractCreate, WebhookInputSchema } from './schemas';

export type WebhookInput = z.output<typeof WebhookInputSchema>;
export type OneflowRuntimeState = Pick<OneflowData, 'contracts' | 'webhooks' | 'nextIds'>;

export interface ProductEditResult {
  contract: ContractState;
  change: TableChange;
}

export interface DataFieldEditResult {
  contract: ContractState;
  /** The fields named, in the order named. */
  fields: DataFieldState[];
  /** Whether any value changed (nothing moves and nothing fires otherwise). */
  changed: boolean;
}

/** A workspace the caller may create contracts in, with its templates, for the contract-create helper. */
export interface CreatableWorkspace {
  workspace: WorkspaceState;
  templates: TemplateState[];
}

/** The simulator's state and the operations the routes and the page share, so both obey the same rules. */
export class OneflowStore {
  private data: OneflowData;
  private readonly seed: OneflowFixture;
  /** How product writes take the facts Oneflow's sources leave open (see readings.ts). */
  readings: Readings = KIND_READINGS;

  constructor(
    fixture: unknown,
    private readonly clock: Clock,
  ) {
    this.seed = parseFixture(fixture);
    this.data = buildData(this.seed, clock());
  }

  /** Back to the fixture the simulator started with. */
  reset(): void {
    this.data = buildData(this.seed, this.clock());
  }

  /** Replaces the state; throws naming the bad field, leaving the current state untouched. */
  load(fixture: unknown): void {
    this.data = buildData(parseFixture(fixture), this.clock());
  }

  /** What changes as the simulator runs; the rest (tokens, users, workspaces, templates) is the seed's. */
  runtimeState(): OneflowRuntimeState {
    const { contracts, webhooks, nextIds } = this.data;
    return { contracts, webhooks, nextIds };
  }

  /** The seed with a runtime state kept from an earlier run (the local stack's restarts). */
  restoreRuntimeState(state: OneflowRuntimeState): void {
    this.data = { ...buildData(this.seed, this.clock()), ...state };
  }

  isKnownToken(token: string): boolean {
    return this.data.tokens.has(token);
  }

  isKnownUser(email: string): boolean {
    return this.user(email) !== undefined;
  }

  private user(email: string): UserState | undefined {
    const wanted = email.trim().toLowerCase();
    return this.data.users.find((user) => user.email.toLowerCase() === wanted);
  }

  /**
   * Whether the caller may create contracts in a workspace. Without `x-oneflow-user-email` a call runs as the
   * account's anonymous admin, who may create anywhere.
   */
  canCreateIn(email: string | undefined, workspaceId: number): boolean {
    if (email === undefined) return true;
    const allowed = this.user(email)?.contractCreateWorkspaceIds;
    return allowed === null || (allowed?.includes(workspaceId) ?? false);
  }

  // Workspaces, templates and template types (the seed's: the API cannot change them)

  workspaces(): WorkspaceState[] {
    return [...this.data.workspaces.values()];
  }

  workspace(id: number): WorkspaceState {
    const workspace = this.data.workspaces.get(id);
    if (!workspace) throw notFound();
    return workspace;
  }

  template(id: number): TemplateState {
    const template = this.data.templates.get(id);
    if (!template) throw notFound();
    return template;
  }

  templateTypes(): TemplateTypeState[] {
    return [...this.data.templateTypes.values()];
  }

  templateType(id: number): TemplateTypeState {
    const type = this.data.templateTypes.get(id);
    if (!type) throw notFound();
    return type;
  }

  /** A template's type, or null when it has none (a type the seed names always exists). */
  typeOf(template: TemplateState): TemplateTypeState | null {
    return template.templateTypeId === null
      ? null
      : (this.data.templateTypes.get(template.templateTypeId) ?? null);
  }

  /**
   * What `GET /helpers/contract_create_data/` lists: every workspace the caller may create contracts in that
   * has at least one template passing `include`, with those templates (by id).
   */
  creatableWorkspaces(
    email: string | undefined,
    include: (template: TemplateState) => boolean,
  ): CreatableWorkspace[] {
    return this.workspaces()
      .filter((workspace) => this.canCreateIn(email, workspace.id))
      .map((workspace) => ({
        workspace,
        templates: [...this.data.templates.values()]
          .filter((template) => template.workspaceIds.includes(workspace.id) && include(template))
          .sort((a, b) => a.id - b.id),
      }))
      .filter(({ templates }) => templates.length > 0);
  }

  private now(): string {
    return oneflowTime(this.clock());
  }

  // Contracts

  contracts(): ContractState[] {
    return [...this.data.contracts.values()];
  }

  contract(id: number): ContractState {
    const contract = this.data.contracts.get(id);
    if (!contract) throw notFound();
    return contract;
  }

  /** `email`: the caller (`x-oneflow-user-email`), who needs permission to create in the workspace (403). */
  createContract(body: ContractCreate, email?: string): ContractState {
    const workspace = this.data.workspaces.get(body.workspace_id);
    const template = this.data.templates.get(body.template_id);
    if (!workspace || !template?.workspaceIds.includes(workspace.id)) throw notFound();
    if (!this.canCreateIn(email, workspace.id)) {
      throw forbidden('The user does not have permission to create contracts in this workspace.');
    }
    const problems = new Problems();
    const dataFields = this.contractDataFields(template, body, problems);
    const wantsProducts = (body.product_groups ?? []).some((group) => group.products.length > 0);
    if (wantsProducts && (!template.canReceiveProducts || template.productGroups.length === 0)) {
      problems.add('product_groups', 'The template has no product table (can_receive_products is false).');
    }
    problems.throwIfAny();
    const now = this.now();
    const contract: ContractState = {
      id: 0,
      workspaceId: workspace.id,
      templateId: template.id,
      templateGroupId: template.templateTypeId,
      name: body.name ?? template.name,
      state: 'draft',
      stateUpdatedTime: now,
      createdTime: now,
      updatedTime: now,
      publishedTime: null,
      currency: workspace.currency,
      dataFields,
      parties: body.parties ?? [],
      productGroups: template.productGroups.map((group): GroupState => ({
        id: this.data.nextIds.group++,
        createdFrom: group.id,
        createdTime: now,
        updatedTime: now,
        configuration: group.configuration,
        products: [],
      })),
    };
    this.fillFromTemplate(contract, template, body);
    contract.id = this.data.nextIds.contract++;
    contract.updatedTime = now;
    this.data.contracts.set(contract.id, contract);
    return contract;
  }

  /** The template type's active data fields, with the values the request gives by custom_id. */
  private contractDataFields(
    template: TemplateState,
    body: ContractCreate,
    problems: Problems,
  ): ContractState['dataFields'] {
    const fields = (this.typeOf(template)?.dataFields ?? []).filter((field) => field.active);
    const values = new Map<string, string>();
    (body.data_fields ?? []).forEach(({ custom_id, value }, index) => {
      if (!fields.some((field) => field.customId === custom_id)) {
        problems.add(
          fieldPath('data_fields', [index, 'custom_id']),
          "The template's type has no data field with this custom_id.",
        );
      }
      // A field named without a value keeps the type's value (value is optional in the connector's definition).
      if (value !== undefined) values.set(custom_id, value ?? '');
    });
    return fields.map((field) => newContractDataField(field, values.get(field.customId), this.data.nextIds));
  }

  /** The template's products, then the request's, each group matched by template group id or by position. */
  private fillFromTemplate(contract: ContractState, template: TemplateState, body: ContractCreate): void {
    const edit = new ProductTableEdit(contract, () => this.data.nextIds.product++, this.readings);
    template.productGroups.forEach((templateGroup, index) => {
      const group = contract.productGroups[index];
      if (!group) return;
      templateGroup.products.forEach((product) => {
        edit.createProduct(group.id, product, `template.product_groups[${index}]`);
      });
    });
    (body.product_groups ?? []).forEach((requested, index) => {
      const position =
        requested.id === undefined
          ? index
          : contract.productGroups.findIndex((group) => group.createdFrom === requested.id);
      const group = contract.productGroups[position];
      if (!group) {
        edit.problems.add(`product_groups[${index}].id`, 'The template has no such product group.');
        return;
      }
      requested.products.forEach((product, productIndex) => {
        edit.createProduct(group.id, product, `product_groups[${index}].products[${productIndex}]`);
      });
    });
    edit.commit(contract.createdTime);
  }

  /** Removes a contract; Oneflow answers 200 whether or not it existed. */
  deleteContract(id: number): ContractState | undefined {
    const contract = this.data.contracts.get(id);
    this.data.contracts.delete(id);
    return contract;
  }

  publish(id: number): ContractState {
    const contract = this.contract(id);
    if (contract.state !== 'draft')
      throw conflict(`Only a draft contract can be published; this one is ${contract.state}.`);
    const now = this.now();
    Object.assign(contract, {
      state: 'pending',
      stateUpdatedTime: now,
      updatedTime: now,
      publishedTime: now,
    });
    return contract;
  }

  /** Stands in for every party signing (a control: the API has no such call). */
  sign(id: number): ContractState {
    const contract = this.contract(id);
    if (contract.state !== 'pending' && contract.state !== 'overdue') {
      throw conflict(`Only a published (pending) contract can be signed; this one is ${contract.state}.`);
    }
    const now = this.now();
    Object.assign(contract, { state: 'signed', stateUpdatedTime: now, updatedTime: now });
    return contract;
  }

  // Products

  /** Runs one write against a contract's product table; a signed contract refuses any. */
  editProducts(contractId: number, write: (edit: ProductTableEdit) => void): ProductEditResult {
    const contract = this.contract(contractId);
    if (contract.state === 'signed') throw contractSignedError();
    const edit = new ProductTableEdit(contract, () => this.data.nextIds.product++, this.readings);
    write(edit);
    return { contract, change: edit.commit(this.now()) };
  }

  group(contract: ContractState, groupId: number): GroupState {
    const group = contract.productGroups.find((candidate) => candidate.id === groupId);
    if (!group) throw notFound();
    return group;
  }

  product(
    contract: ContractState,
    productId: number,
    groupId?: number,
  ): { group: GroupState; product: ProductState } {
    for (const group of contract.productGroups) {
      if (groupId !== undefined && group.id !== groupId) continue;
      const product = group.products.find((candidate) => candidate.id === productId);
      if (product) return { group, product };
    }
    throw notFound();
  }

  // Data fields

  /** Updates one field named in the path (`12` or `c::custom_id`); a signed contract refuses (409). */
  updateDataField(contractId: number, reference: string, update: DataFieldUpdate): DataFieldEditResult {
    const contract = this.contract(contractId);
    const field = fieldInPath(contract, reference);
    checkBodyNamesField(field, update);
    return this.editDataFields(contract, [field], [update]);
  }

  /** Updates the fields a list names (each by id or custom_id); one bad item refuses the whole list. */
  updateDataFields(contractId: number, updates: DataFieldUpdate[]): DataFieldEditResult {
    const contract = this.contract(contractId);
    return this.editDataFields(contract, fieldsOfList(contract, updates), updates);
  }

  private editDataFields(
    contract: ContractState,
    fields: DataFieldState[],
    updates: DataFieldUpdate[],
  ): DataFieldEditResult {
    if (contract.state === 'signed') throw contractSignedError();
    const now = this.now();
    // Every update is applied before asking whether any changed (`some` alone would stop at the first).
    const changed = fields
      .map((field, index) => {
        const update = updates[index];
        return update !== undefined && applyValue(field, update, now);
      })
      .some(Boolean);
    if (changed) contract.updatedTime = now;
    return { contract, fields, changed };
  }

  // Webhooks

  webhooks(): WebhookState[] {
    return [...this.data.webhooks.values()];
  }

  webhook(id: number): WebhookState {
    const webhook = this.data.webhooks.get(id);
    if (!webhook) throw notFound();
    return webhook;
  }

  createWebhook(input: WebhookInput): WebhookState {
    const webhook = { id: this.data.nextIds.webhook++, ...toWebhookFields(input) };
    this.data.webhooks.set(webhook.id, webhook);
    return webhook;
  }

  updateWebhook(id: number, input: WebhookInput): WebhookState {
    const webhook = Object.assign(this.webhook(id), toWebhookFields(input));
    return webhook;
  }

  deleteWebhook(id: number): void {
    this.webhook(id);
    this.data.webhooks.delete(id);
  }
}

function toWebhookFields(input: WebhookInput): Omit<WebhookState, 'id'> {
  return {
    callbackUrl: input.callback_url,
    signKey: input.sign_key ?? null,
    filters: input.filters ?? null,
    templateGroupId: input.template_group_id ?? null,
  };
}
