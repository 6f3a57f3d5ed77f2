import activityList from './functions/activityList';
import cleanupTimer from './functions/cleanupTimer';
import conflictsResolve from './functions/conflictsResolve';
import contractCompare from './functions/contractCompare';
import contractFetch from './functions/contractFetch';
import contractPlan from './functions/contractPlan';
import contractPush from './functions/contractPush';
import contractsCreate from './functions/contractsCreate';
import contractsGet from './functions/contractsGet';
import contractUnlink from './functions/contractUnlink';
import health from './functions/health';
import linkDelete from './functions/linkDelete';
import linksExport from './functions/linksExport';
import linksList from './functions/linksList';
import linkUpdate from './functions/linkUpdate';
import metadataFields from './functions/metadataFields';
import metadataMainEntities from './functions/metadataMainEntities';
import metadataProductSources from './functions/metadataProductSources';
import processContractChanged from './functions/processContractChanged';
import reconcileTimer from './functions/reconcileTimer';
import settingsGet from './functions/settingsGet';
import settingsImpact from './functions/settingsImpact';
import settingsPut from './functions/settingsPut';
import settingsReset from './functions/settingsReset';
import templatesList from './functions/templatesList';
import webhookReceive from './functions/webhookReceive';
import type { RouteDefinition } from './http/route';
import type { Logger, Services } from './services';

export interface QueueFunction {
  name: string;
  /** `message` is the decoded JSON; `dequeueCount` counts this delivery (1 on the first). */
  handle(services: Services, message: unknown, dequeueCount: number, log: Logger): Promise<void>;
}

export interface TimerFunction {
  name: string;
  /** NCRONTAB with seconds, as Azure Functions timers take it. */
  schedule: string;
  handle(services: Services, log: Logger): Promise<void>;
}

/**
 * The one route table: the Functions registration (index.ts) and the local runner (host/) mount exactly these.
 * Order matters only for the runner's matching: literal routes before templated ones of the same shape.
 */
export const ROUTES: readonly RouteDefinition[] = [
  health,
  settingsGet,
  settingsPut,
  settingsReset,
  settingsImpact,
  metadataMainEntities,
  metadataProductSources,
  metadataFields,
  templatesList,
  contractsCreate,
  contractsGet,
  contractPlan,
  contractCompare,
  contractPush,
  contractFetch,
  contractUnlink,
  conflictsResolve,
  linksExport,
  linksList,
  linkUpdate,
  linkDelete,
  activityList,
  webhookReceive,
];

export const QUEUE_FUNCTIONS: readonly QueueFunction[] = [processContractChanged];
export const TIMER_FUNCTIONS: readonly TimerFunction[] = [reconcileTimer, cleanupTimer];
