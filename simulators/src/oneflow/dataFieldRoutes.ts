import type { FastifyInstance } from 'fastify';
import { announce, type SimulatorContext } from './context';
import { DataFieldsUpdateSchema, DataFieldUpdateSchema, renderDataField } from './dataFields';
import { idParam, parseBody } from './http';
import type { DataFieldEditResult } from './store';

interface ContractParams {
  Params: { id: string };
}
interface FieldParams {
  Params: { id: string; field: string };
}

/** Contract data field updates: registered under /v1. A changed value fires `data_field:update`. */
export function registerDataFieldRoutes(api: FastifyInstance, context: SimulatorContext): void {
  const { store } = context;

  const announced = (result: DataFieldEditResult): DataFieldEditResult => {
    if (result.changed) announce(context, result.contract, ['data_field:update']);
    return result;
  };

  api.put<FieldParams>('/contracts/:id/data_fields/:field', async (request) => {
    const contractId = idParam(request.params.id);
    store.contract(contractId);
    const update = parseBody(DataFieldUpdateSchema, request.body);
    const { contract, fields } = announced(store.updateDataField(contractId, request.params.field, update));
    const [field] = fields;
    return field ? renderDataField(field, contract) : undefined;
  });

  api.put<ContractParams>('/contracts/:id/data_fields', async (request) => {
    const contractId = idParam(request.params.id);
    store.contract(contractId);
    const { data_fields: updates } = parseBody(DataFieldsUpdateSchema, request.body);
    const { contract } = announced(store.updateDataFields(contractId, updates));
    // The contract's whole list, as the bulk product-group write answers with every group (inferred).
    return { data_fields: contract.dataFields.map((field) => renderDataField(field, contract)) };
  });
}
