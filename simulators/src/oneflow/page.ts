import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { announceTableChange, type SimulatorContext } from './context';
import { OneflowError } from './errors';
import { idParam, parseBody } from './http';
import type { ContractState, GroupState, ProductState } from './model';
import { ProductInputSchema } from './products';
import { contractValue, renderProduct, SHOW_ALL } from './render';

/**
 * A small stand-in for Oneflow's contract view: a person edits a contract's products as a counterparty would,
 * with plain HTML forms. Edits take the same path as the API (validation, signed-contract refusal, webhooks),
 * so the demo's two-way sync is driven by real signed webhooks.
 */

const FormSchema = z.record(z.string(), z.string());
type Form = z.infer<typeof FormSchema>;
const readForm = (body: unknown): Form => FormSchema.safeParse(body).data ?? {};

interface ContractParams {
  Params: { id: string };
}
interface ProductParams {
  Params: { id: string; productId: string };
}
interface GroupParams {
  Params: { id: string; groupId: string };
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Oneflow simulator</title>
<style>
body{font:14px system-ui,sans-serif;margin:2rem;color:#1b1b1b}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
input,select{font:inherit;width:8rem}input.wide{width:14rem}.problems{color:#a00}
</style></head><body>${body}</body></html>`;
}

function contractList(contracts: ContractState[]): string {
  const rows = contracts
    .map(
      (contract) =>
        `<tr><td>${contract.id}</td><td><a href="/contracts/${contract.id}">${escapeHtml(contract.name)}</a></td>` +
        `<td>${contract.state}</td><td>${contractValue(contract)} ${escapeHtml(contract.currency)}</td></tr>`,
    )
    .join('');
  return layout(
    'Contracts',
    `<h1>Contracts</h1><table><tr><th>id</th><th>name</th><th>state</th><th>value</th></tr>${rows}</table>`,
  );
}

const field = (name: string, value: string | number | null, wide = false): string =>
  `<input name="${name}" value="${escapeHtml(value === null ? '' : String(value))}"${wide ? ' class="wide"' : ''}>`;

function quantityTypeSelect(selected: string): string {
  const options = ['quantity', 'single_choice', 'multiple_choice']
    .map((type) => `<option${type === selected ? ' selected' : ''}>${type}</option>`)
    .join('');
  return `<select name="quantity_type">${options}</select>`;
}

function productRow(contract: ContractState, group: GroupState, product: ProductState): string {
  const json = renderProduct(product, group.configuration, SHOW_ALL);
  const form = `product-${product.id}`;
  const input = (name: string, value: string | number | null, wide = false): string =>
    field(name, value, wide).replace('<input ', `<input form="${form}" `);
  const locked = product.counterpartyLock ? ' (locked)' : '';
  return `<tr>
<td>${product.id}${locked}<form id="${form}" method="post" action="/contracts/${contract.id}/products/${product.id}"></form></td>
<td>${input('name', json.name, true)}</td><td>${input('description', json.description, true)}</td>
<td>${input('base_amount', json.price_1.base_amount.amount)}</td>
<td>${input('discount_amount', json.price_1.discount_amount.amount)}</td>
<td>${input('discount_percent', json.price_1.discount_percent)}</td>
<td>${json.price_1.amount.amount}</td>
<td>${quantityTypeSelect(json.quantity.type).replace('<select ', `<select form="${form}" `)}</td>
<td>${input('quantity_amount', json.quantity.amount)}</td>
<td><button form="${form}">Save</button>
<form method="post" action="/contracts/${contract.id}/products/${product.id}/delete"><button>Delete</button></form></td>
</tr>`;
}

function newProductRow(contract: ContractState, group: GroupState): string {
  return `<tr><td colspan="10"><form method="post" action="/contracts/${contract.id}/product_groups/${group.id}/products">
New product: ${field('name', '', true)} price ${field('base_amount', '0')} ${quantityTypeSelect('quantity')}
${field('quantity_amount', '1')} <button>Add</button></form></td></tr>`;
}

function contractPage(contract: ContractState, problems?: OneflowError): string {
  const header =
    '<tr><th>id</th><th>name</th><th>description</th><th>price</th><th>discount</th><th>discount %</th>' +
    '<th>unit price</th><th>quantity type</th><th>quantity</th><th></th></tr>';
  const groups = contract.productGroups
    .map((group) => {
      const rows = group.products.map((product) => productRow(contract, group, product)).join('');
      return `<h2>Product table ${group.id}</h2><table>${header}${rows}${newProductRow(contract, group)}</table>`;
    })
    .join('');
  const error = problems
    ? `<div class="problems"><p>${escapeHtml(problems.message)}</p><ul>${Object.entries(
        problems.parameterProblems,
      )
        .map(([name, messages]) => `<li>${escapeHtml(name)}: ${escapeHtml(messages.join(' '))}</li>`)
        .join('')}</ul></div>`
    : '';
  return layout(
    contract.name,
    `<p><a href="/">All contracts</a></p><h1>${escapeHtml(contract.name)}</h1>` +
      `<p>Contract ${contract.id} · ${contract.state} · value ${contractValue(contract)} ${escapeHtml(contract.currency)}` +
      ` · updated ${contract.updatedTime}</p>${error}${groups}`,
  );
}

const optional = (value: string | undefined): string | null | undefined =>
  value === undefined ? undefined : value.trim() === '' ? null : value.trim();

function asNumber(text: string | null | undefined): number | string | undefined {
  if (text === null || text === undefined) return undefined;
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) ? value : text;
}

/** The form's fields as the API's product body, so the API's validation judges them. */
function productBody(form: Form): unknown {
  return {
    name: form.name,
    description: optional(form.description),
    price_1: {
      base_amount: { amount: optional(form.base_amount) ?? '0' },
      discount_amount: { amount: optional(form.discount_amount) },
      discount_percent: optional(form.discount_percent),
    },
    // A form holds text; the API takes a quantity as a number (a field that is not one is judged by the API).
    quantity: { type: form.quantity_type, amount: asNumber(optional(form.quantity_amount)) },
  };
}

export function registerPage(page: FastifyInstance, context: SimulatorContext): void {
  const { store } = context;
  page.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );

  const html = (reply: FastifyReply, status: number, text: string): FastifyReply =>
    reply.code(status).type('text/html; charset=utf-8').send(text);

  /** Applies a form edit; on success back to the contract (303), on refusal the page with the problems. */
  const edit = (reply: FastifyReply, contractId: number, write: Parameters<typeof store.editProducts>[1]) => {
    try {
      const { contract, change } = store.editProducts(contractId, write);
      announceTableChange(context, contract, change);
      return reply.code(303).header('location', `/contracts/${contractId}`).send();
    } catch (error) {
      if (!(error instanceof OneflowError)) throw error;
      return html(reply, error.status, contractPage(store.contract(contractId), error));
    }
  };

  page.get('/', async (_request, reply) => html(reply, 200, contractList(store.contracts())));

  page.get<ContractParams>('/contracts/:id', async (request, reply) =>
    html(reply, 200, contractPage(store.contract(idParam(request.params.id)))),
  );

  page.post<ProductParams>('/contracts/:id/products/:productId', async (request, reply) => {
    const contractId = idParam(request.params.id);
    const productId = idParam(request.params.productId);
    const { product } = store.product(store.contract(contractId), productId);
    return edit(reply, contractId, (table) => {
      if (product.counterpartyLock) {
        throw new OneflowError(409, 'This product is locked for counterparties (counterparty_lock).');
      }
      table.updateProduct(productId, parseBody(ProductInputSchema, productBody(readForm(request.body))));
    });
  });

  page.post<GroupParams>('/contracts/:id/product_groups/:groupId/products', async (request, reply) => {
    const contractId = idParam(request.params.id);
    const groupId = idParam(request.params.groupId);
    store.group(store.contract(contractId), groupId);
    return edit(reply, contractId, (table) => {
      table.createProduct(groupId, parseBody(ProductInputSchema, productBody(readForm(request.body))));
    });
  });

  page.post<ProductParams>('/contracts/:id/products/:productId/delete', async (request, reply) => {
    const contractId = idParam(request.params.id);
    const productId = idParam(request.params.productId);
    store.product(store.contract(contractId), productId);
    return edit(reply, contractId, (table) => {
      table.deleteProduct(productId);
    });
  });
}
