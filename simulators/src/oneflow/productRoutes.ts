import type { FastifyInstance } from 'fastify';
import { announceTableChange, answerShows, type SimulatorContext } from './context';
import { badRequest } from './errors';
import { idParam, paginate, parseBody } from './http';
import type { ContractState } from './model';
import { ProductInputSchema } from './products';
import { renderGroup, renderProduct } from './render';
import { GroupReplacementSchema, GroupsReplacementSchema } from './schemas';

interface ContractParams {
  Params: { id: string };
}
interface GroupParams {
  Params: { id: string; groupId: string };
}
interface ProductParams {
  Params: { id: string; productId: string };
}
interface GroupProductParams {
  Params: { id: string; groupId: string; productId: string };
}

/** Product tables: registered under /v1. Every write goes through OneflowStore.editProducts. */
export function registerProductRoutes(api: FastifyInstance, context: SimulatorContext): void {
  const { store } = context;

  const productAnswer = (contract: ContractState, productId: number): unknown => {
    const { group, product } = store.product(contract, productId);
    return renderProduct(product, group.configuration, answerShows(context));
  };

  api.get<ContractParams>('/contracts/:id/products', async (request) => {
    const contract = store.contract(idParam(request.params.id));
    const products = contract.productGroups.flatMap((group) =>
      group.products.map((product) => renderProduct(product, group.configuration, answerShows(context))),
    );
    return paginate(request, products);
  });

  api.get<ProductParams>('/contracts/:id/products/:productId', async (request) => {
    const contract = store.contract(idParam(request.params.id));
    return productAnswer(contract, idParam(request.params.productId));
  });

  api.get<ContractParams>('/contracts/:id/product_groups', async (request) => {
    const contract = store.contract(idParam(request.params.id));
    return paginate(
      request,
      contract.productGroups.map((group) => renderGroup(group, answerShows(context))),
    );
  });

  api.get<GroupParams>('/contracts/:id/product_groups/:groupId', async (request) => {
    const contract = store.contract(idParam(request.params.id));
    return renderGroup(store.group(contract, idParam(request.params.groupId)), answerShows(context));
  });

  api.post<GroupParams>('/contracts/:id/product_groups/:groupId/products', async (request) => {
    const contractId = idParam(request.params.id);
    const groupId = idParam(request.params.groupId);
    store.group(store.contract(contractId), groupId);
    const input = parseBody(ProductInputSchema, request.body);
    const { contract, change } = store.editProducts(contractId, (edit) => {
      edit.createProduct(groupId, { ...input, id: undefined });
    });
    announceTableChange(context, contract, change);
    return productAnswer(contract, change.createdIds[0] ?? -1);
  });

  const updateProduct = (contractId: number, productId: number, body: unknown, groupId?: number): unknown => {
    store.product(store.contract(contractId), productId, groupId);
    const input = parseBody(ProductInputSchema, body);
    const { contract, change } = store.editProducts(contractId, (edit) => {
      edit.updateProduct(productId, input);
    });
    announceTableChange(context, contract, change);
    return productAnswer(contract, productId);
  };

  api.put<ProductParams>('/contracts/:id/products/:productId', async (request) =>
    updateProduct(idParam(request.params.id), idParam(request.params.productId), request.body),
  );

  api.put<GroupProductParams>(
    '/contracts/:id/product_groups/:groupId/products/:productId',
    async (request) => {
      const { id, groupId, productId } = request.params;
      return updateProduct(idParam(id), idParam(productId), request.body, idParam(groupId));
    },
  );

  api.delete<ProductParams>('/contracts/:id/products/:productId', async (request, reply) => {
    const contractId = idParam(request.params.id);
    const productId = idParam(request.params.productId);
    store.product(store.contract(contractId), productId);
    const { contract, change } = store.editProducts(contractId, (edit) => {
      edit.deleteProduct(productId);
    });
    announceTableChange(context, contract, change);
    return reply.code(200).send();
  });

  api.put<GroupParams>('/contracts/:id/product_groups/:groupId', async (request) => {
    const contractId = idParam(request.params.id);
    const groupId = idParam(request.params.groupId);
    store.group(store.contract(contractId), groupId);
    const replacement = parseBody(GroupReplacementSchema, request.body);
    const { contract, change } = store.editProducts(contractId, (edit) => {
      edit.replaceGroup(groupId, replacement);
    });
    announceTableChange(context, contract, change);
    return renderGroup(store.group(contract, groupId), answerShows(context));
  });

  api.put<ContractParams>('/contracts/:id/product_groups', async (request) => {
    const contractId = idParam(request.params.id);
    const current = store.contract(contractId);
    const { product_groups: groups } = parseBody(GroupsReplacementSchema, request.body);
    const unknown = groups.findIndex((group) => !current.productGroups.some(({ id }) => id === group.id));
    if (unknown >= 0)
      throw badRequest({ [`product_groups[${unknown}].id`]: ['No product group with this id.'] });
    const { contract, change } = store.editProducts(contractId, (edit) => {
      groups.forEach((group, index) => {
        edit.replaceGroup(group.id, group, `product_groups[${index}]`);
      });
    });
    announceTableChange(context, contract, change);
    return paginate(
      request,
      contract.productGroups.map((group) => renderGroup(group, answerShows(context))),
    );
  });
}
