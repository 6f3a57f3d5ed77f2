import type { ConnectorConformance } from './conformance/connectorConformance';
import type { ContractState } from './model';
import type { TableChange } from './productTable';
import type { RateLimiter } from './rateLimit';
import type { Shown } from './render';
import type { OneflowStore } from './store';
import type { WebhookDispatcher } from './webhooks';

/** What the routes, the page and the controls share. */
export interface SimulatorContext {
  store: OneflowStore;
  dispatcher: WebhookDispatcher;
  limiter: RateLimiter;
  conformance: ConnectorConformance;
}

/** What the API's answers show of the stored state, by the readings in force. */
export function answerShows(context: SimulatorContext): Shown {
  const { readings } = context.store;
  return { customId: readings.customIdInAnswers, groupConfiguration: readings.groupConfigurationInAnswers };
}

/** Fires the webhooks for events on a contract. */
export function announce(context: SimulatorContext, contract: ContractState, eventTypes: string[]): void {
  context.dispatcher.notify(
    {
      contractId: contract.id,
      workspaceId: contract.workspaceId,
      templateGroupId: contract.templateGroupId,
      eventTypes,
    },
    context.store.webhooks(),
  );
}

/**
 * A product change is `contract:content_update` (documented), plus one `product:<verb>` per product touched
 * (inferred from third-party code; can be switched off in the delivery options). Nothing fires for a write
 * that changed nothing.
 */
export function announceTableChange(
  context: SimulatorContext,
  contract: ContractState,
  change: TableChange,
): void {
  if (!change.changed) return;
  announce(context, contract, [
    'contract:content_update',
    ...change.productEvents.map((kind) => `product:${kind}`),
  ]);
}
