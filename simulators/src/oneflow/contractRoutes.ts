import type { FastifyInstance } from 'fastify';
import { announce, answerShows, type SimulatorContext } from './context';
import { parseContractListQuery, selectContracts } from './contractList';
import { callerEmail, idParam, paginate, parseBody } from './http';
import { renderContract } from './render';
import { ContractCreateSchema, PublishSchema } from './schemas';

interface ContractParams {
  Params: { id: string };
}

/** Registered under /v1. */
export function registerContractRoutes(api: FastifyInstance, context: SimulatorContext): void {
  const { store } = context;

  api.get('/ping', async () => ({}));

  api.post('/contracts/create', async (request) => {
    const contract = store.createContract(
      parseBody(ContractCreateSchema, request.body),
      callerEmail(request),
    );
    return renderContract(contract, answerShows(context));
  });

  // The list item's shape is not documented: under the unkind reading it has no product tables.
  api.get('/contracts', async (request) => {
    const selected = selectContracts(store.contracts(), parseContractListQuery(request.query));
    const page = paginate(request, selected);
    const withGroups = store.readings.contractListItem === 'full';
    return {
      ...page,
      data: page.data.map((contract) => {
        const { product_groups: groups, ...rest } = renderContract(contract, answerShows(context));
        return withGroups ? { ...rest, product_groups: groups } : rest;
      }),
    };
  });

  api.get<ContractParams>('/contracts/:id', async (request) =>
    renderContract(store.contract(idParam(request.params.id)), answerShows(context)),
  );

  // Oneflow answers 200 with an empty body, also when the contract does not exist.
  api.delete<ContractParams>('/contracts/:id', async (request, reply) => {
    const deleted = store.deleteContract(idParam(request.params.id));
    if (deleted) announce(context, deleted, ['contract:delete']);
    return reply.code(200).send();
  });

  api.post<ContractParams>('/contracts/:id/publish', async (request) => {
    const id = idParam(request.params.id);
    parseBody(PublishSchema, request.body);
    const contract = store.publish(id);
    announce(context, contract, ['contract:publish']);
    return renderContract(contract, answerShows(context));
  });
}
