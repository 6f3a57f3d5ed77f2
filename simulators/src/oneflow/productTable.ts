import { MAX_PRODUCTS_PER_CONTRACT } from '@oneflow-sync/shared';
import { fieldPath, Problems } from './errors';
import type { ContractState, GroupConfiguration, GroupState, ProductContent, ProductState } from './model';
import {
  blankProduct,
  checkProduct,
  customIdField,
  draftProduct,
  roundToGroup,
  type ProductInput,
} from './products';
import { asRichText, KIND_READINGS, type Readings } from './readings';
import { contentKey } from './render';

/** A bulk replace of one group: `configuration` replaces the group's; `products` is the complete new list. */
export interface GroupReplacement {
  configuration?: GroupConfiguration | undefined;
  products?: ProductInput[] | undefined;
}

type ProductEventKind = 'create' | 'update' | 'delete';

export interface TableChange {
  /** False when the write left everything as it was (`PUT {}`): no times move and no webhook fires. */
  changed: boolean;
  productEvents: ProductEventKind[];
  /** Ids of the products the write created, in request order. */
  createdIds: number[];
}

interface ProposedProduct {
  id: number;
  content: ProductContent;
  previous: ProductState | undefined;
  /** Where problems with this product are reported (`''`, `products[3]`). */
  path: string;
  customIdField: string;
  /** Written by this request: only touched products are blamed for table-wide rules. */
  touched: boolean;
}

interface ProposedGroup {
  original: GroupState;
  configuration: GroupConfiguration;
  products: ProposedProduct[];
  touched: boolean;
}

const untouched = (product: ProductState): ProposedProduct => ({
  id: product.id,
  content: product,
  previous: product,
  path: '',
  customIdField: '_private_ownerside.custom_id',
  touched: false,
});

/**
 * One write to a contract's product table. Changes are drafted on copies, the whole table is checked against
 * Oneflow's rules (per product, per group, per contract), and only then committed: a refused request changes
 * nothing, as with Oneflow.
 */
export class ProductTableEdit {
  readonly problems = new Problems();
  private readonly groups: ProposedGroup[];

  constructor(
    private readonly contract: ContractState,
    private readonly allocateProductId: () => number,
    private readonly readings: Readings = KIND_READINGS,
  ) {
    this.groups = contract.productGroups.map((group) => ({
      original: group,
      configuration: group.configuration,
      products: group.products.map(untouched),
      touched: false,
    }));
  }

  hasGroup(groupId: number): boolean {
    return this.groups.some((group) => group.original.id === groupId);
  }

  /** The id of the group holding `productId`, if any. */
  groupOf(productId: number): number | undefined {
    return this.groups.find((group) => group.products.some((product) => product.id === productId))?.original
      .id;
  }

  createProduct(groupId: number, input: ProductInput, path = '', fixedId?: number): void {
    const group = this.group(groupId);
    const content = this.draft(undefined, input, group.configuration, path);
    group.products.push({
      id: fixedId ?? this.allocateProductId(),
      content,
      previous: undefined,
      path,
      customIdField: customIdField(input),
      touched: true,
    });
    group.touched = true;
  }

  updateProduct(productId: number, input: ProductInput, path = ''): void {
    const group = this.group(this.groupOf(productId) ?? -1);
    const index = group.products.findIndex((product) => product.id === productId);
    const current = group.products[index];
    if (!current) return;
    const content = this.draft(current.content, input, group.configuration, path);
    group.products[index] = { ...current, content, path, customIdField: customIdField(input), touched: true };
    group.touched = true;
  }

  deleteProduct(productId: number): void {
    const group = this.group(this.groupOf(productId) ?? -1);
    group.products = group.products.filter((product) => product.id !== productId);
    group.touched = true;
  }

  /** Products with an id are updated, products without one created, products left out deleted. */
  replaceGroup(groupId: number, replacement: GroupReplacement, prefix = ''): void {
    const group = this.group(groupId);
    group.touched = true;
    if (replacement.configuration !== undefined) {
      const configuration = replacement.configuration;
      group.configuration = configuration;
      // Products kept as they were are re-stored at the new precision.
      group.products = group.products.map((product) => ({
        ...product,
        content: roundToGroup(product.content, configuration),
      }));
    }
    if (replacement.products === undefined) return;
    const current = new Map(group.products.map((product) => [product.id, product]));
    const seen = new Set<number>();
    group.products = [];
    replacement.products.forEach((input, index) => {
      const path = fieldPath(prefix, ['products', index]);
      const { id } = input;
      if (id === undefined) {
        this.createProduct(groupId, input, path);
        return;
      }
      const existing = current.get(id);
      if (!existing || seen.has(id)) {
        const reason = existing
          ? 'This product appears twice in the list.'
          : 'No product with this id in the group.';
        this.problems.add(fieldPath(path, ['id']), reason);
        return;
      }
      seen.add(id);
      const before =
        this.readings.bulkRowWithId === 'replace' ? blankProduct(existing.content) : existing.content;
      const content = this.draft(before, input, group.configuration, path);
      group.products.push({ ...existing, content, path, customIdField: customIdField(input), touched: true });
    });
  }

  /** Checks the whole table and applies it to the contract, or throws Oneflow's 400 naming every bad field. */
  commit(now: string): TableChange {
    this.checkTableRules();
    this.problems.throwIfAny();
    const change: TableChange = { changed: false, productEvents: [], createdIds: [] };
    const previousIds = new Set(
      this.contract.productGroups.flatMap((group) => group.products.map((p) => p.id)),
    );
    const keptIds = new Set<number>();
    this.contract.productGroups = this.groups.map((group) => this.commitGroup(group, now, change, keptIds));
    for (const id of previousIds) {
      if (!keptIds.has(id)) change.productEvents.push('delete');
    }
    change.changed ||= change.productEvents.length > 0;
    if (change.changed && this.readings.productEditMovesContractTime) this.contract.updatedTime = now;
    return change;
  }

  private commitGroup(
    group: ProposedGroup,
    now: string,
    change: TableChange,
    keptIds: Set<number>,
  ): GroupState {
    const { original, configuration } = group;
    const products = group.products.map((proposed): ProductState => {
      keptIds.add(proposed.id);
      const { previous } = proposed;
      if (!previous) {
        change.productEvents.push('create');
        change.createdIds.push(proposed.id);
        return { ...proposed.content, id: proposed.id, createdTime: now, updatedTime: now };
      }
      if (contentKey(previous, original.configuration) === contentKey(proposed.content, configuration)) {
        return previous;
      }
      change.productEvents.push('update');
      return { ...proposed.content, id: proposed.id, createdTime: previous.createdTime, updatedTime: now };
    });
    const sameProducts =
      products.length === original.products.length &&
      products.every((product, index) => product === original.products[index]);
    const sameConfiguration = JSON.stringify(configuration) === JSON.stringify(original.configuration);
    if (sameProducts && sameConfiguration) return original;
    change.changed = true;
    return { ...original, configuration, products, updatedTime: now };
  }

  private checkTableRules(): void {
    for (const group of this.groups) {
      if (group.touched) this.checkSingleChoice(group);
    }
    const all = this.groups.flatMap((group) => group.products);
    const added = all.some((product) => product.previous === undefined);
    if (added && all.length > MAX_PRODUCTS_PER_CONTRACT) {
      this.problems.add('products', `A contract can have at most ${MAX_PRODUCTS_PER_CONTRACT} products.`);
    }
    const customIdCounts = new Map<string, number>();
    for (const { content } of all) {
      if (content.customId !== null) {
        customIdCounts.set(content.customId, (customIdCounts.get(content.customId) ?? 0) + 1);
      }
    }
    for (const product of all) {
      const { customId } = product.content;
      if (product.touched && customId !== null && (customIdCounts.get(customId) ?? 0) > 1) {
        this.problems.add(
          fieldPath(product.path, product.customIdField.split('.')),
          'custom_id must be unique among the products of a contract.',
        );
      }
    }
  }

  /** "When a product group has two or more single_choice products, only one product's quantity amount can be 1." */
  private checkSingleChoice(group: ProposedGroup): void {
    const chosen = group.products.filter(
      ({ content }) => content.quantity.type === 'single_choice' && content.quantity.amount.eq(1),
    );
    if (chosen.length < 2) return;
    for (const product of chosen.filter(({ touched }) => touched)) {
      this.problems.add(
        fieldPath(product.path, ['quantity', 'amount']),
        'Only one single_choice product in a product group can have amount 1.',
      );
    }
  }

  private draft(
    existing: ProductContent | undefined,
    input: ProductInput,
    configuration: GroupConfiguration,
    path: string,
  ): ProductContent {
    const content = draftProduct(existing, input, configuration, this.problems, path, this.readings);
    checkProduct(content, this.problems, path);
    // The limits hold for what the client sent; the editor's markup is Oneflow's own.
    if (this.readings.description === 'rich_text' && typeof input.description === 'string') {
      return { ...content, description: asRichText(input.description) };
    }
    return content;
  }

  private group(groupId: number): ProposedGroup {
    const group = this.groups.find((candidate) => candidate.original.id === groupId);
    if (!group) throw new Error(`no product group ${groupId} in contract ${this.contract.id}`);
    return group;
  }
}
