import type { z } from 'zod';
import { ActivityPageAnswerSchema, ActivityQuerySchema } from './activity';
import { CompareAnswerSchema } from './compare';
import {
  ContractAnswerSchema,
  ContractQuerySchema,
  CreateContractAnswerSchema,
  CreateContractBodySchema,
  CreateContractPreviewAnswerSchema,
  CreateContractQuerySchema,
  PlanQuerySchema,
  ResolveConflictsAnswerSchema,
  ResolveConflictsBodySchema,
  SyncResultAnswerSchema,
  UnlinkAnswerSchema,
} from './contracts';
import { ErrorAnswerSchema } from './errors';
import { HealthAnswerSchema } from './health';
import {
  LINKS_CSV_COLUMNS,
  LinkAnswerSchema,
  LinkParamsSchema,
  LinkPatchBodySchema,
  LinksFilterSchema,
  LinksPageAnswerSchema,
  LinksQuerySchema,
} from './links';
import { FieldsAnswerSchema, MainEntitiesAnswerSchema, ProductSourcesAnswerSchema } from './metadata';
import { ContractParamsSchema, EntityParamsSchema, EntityQuerySchema } from './params';
import { SettingsAnswerSchema, SettingsPutBodySchema } from './settings';
import { SettingsImpactAnswerSchema, SettingsImpactBodySchema } from './settingsImpact';
import { TemplatesAnswerSchema } from './templates';
import { WebhookAnswerSchema, WebhookNotificationSchema } from './webhooks';

/** What one status of a route answers: JSON of a schema, a CSV file with these columns, or nothing. */
export type RouteAnswer = { json: z.ZodType } | { csv: readonly string[] } | { empty: true };

/** One route of the API as its clients see it: where it is, what it takes, and what it answers. */
export interface RouteContract {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Under `/api`, with `{name}` for each address parameter. */
  route: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Success answers by status; every other status answers `ErrorAnswerSchema`. */
  answers: Readonly<Record<number, RouteAnswer>>;
}

const json = (schema: z.ZodType): RouteAnswer => ({ json: schema });

/** Every route of the API, by the name of the Function that serves it. */
export const API_ROUTES = {
  health: { method: 'GET', route: 'health', answers: { 200: json(HealthAnswerSchema) } },
  settingsGet: {
    method: 'GET',
    route: 'settings/{entity}',
    params: EntityParamsSchema,
    answers: { 200: json(SettingsAnswerSchema) },
  },
  settingsPut: {
    method: 'PUT',
    route: 'settings/{entity}',
    params: EntityParamsSchema,
    body: SettingsPutBodySchema,
    answers: { 200: json(SettingsAnswerSchema) },
  },
  settingsReset: {
    method: 'POST',
    route: 'settings/{entity}/reset',
    params: EntityParamsSchema,
    answers: { 200: json(SettingsAnswerSchema) },
  },
  settingsImpact: {
    method: 'POST',
    route: 'settings/{entity}/impact',
    params: EntityParamsSchema,
    body: SettingsImpactBodySchema,
    answers: { 200: json(SettingsImpactAnswerSchema) },
  },
  metadataMainEntities: {
    method: 'GET',
    route: 'metadata/main-entities',
    answers: { 200: json(MainEntitiesAnswerSchema) },
  },
  metadataProductSources: {
    method: 'GET',
    route: 'metadata/product-sources',
    query: EntityQuerySchema,
    answers: { 200: json(ProductSourcesAnswerSchema) },
  },
  metadataFields: {
    method: 'GET',
    route: 'metadata/fields',
    query: EntityQuerySchema,
    answers: { 200: json(FieldsAnswerSchema) },
  },
  templatesList: { method: 'GET', route: 'templates', answers: { 200: json(TemplatesAnswerSchema) } },
  contractsCreate: {
    method: 'POST',
    route: 'contracts',
    query: CreateContractQuerySchema,
    body: CreateContractBodySchema,
    // 200 is also the answer of `dryRun=true` (the preview); the create re-run on an unfinished contract answers
    // 200 with a contract, which the preview's schema accepts too.
    answers: {
      201: json(CreateContractAnswerSchema),
      200: json(CreateContractPreviewAnswerSchema.or(CreateContractAnswerSchema)),
    },
  },
  contractsGet: {
    method: 'GET',
    route: 'contracts',
    query: ContractQuerySchema,
    answers: { 200: json(ContractAnswerSchema) },
  },
  contractPlan: {
    method: 'GET',
    route: 'contracts/{id}/plan',
    params: ContractParamsSchema,
    query: PlanQuerySchema,
    answers: { 200: json(SyncResultAnswerSchema) },
  },
  contractCompare: {
    method: 'GET',
    route: 'contracts/{id}/compare',
    params: ContractParamsSchema,
    answers: { 200: json(CompareAnswerSchema) },
  },
  contractPush: {
    method: 'POST',
    route: 'contracts/{id}/push',
    params: ContractParamsSchema,
    answers: { 200: json(SyncResultAnswerSchema) },
  },
  contractFetch: {
    method: 'POST',
    route: 'contracts/{id}/fetch',
    params: ContractParamsSchema,
    answers: { 200: json(SyncResultAnswerSchema) },
  },
  contractUnlink: {
    method: 'POST',
    route: 'contracts/{id}/unlink',
    params: ContractParamsSchema,
    answers: { 200: json(UnlinkAnswerSchema) },
  },
  conflictsResolve: {
    method: 'POST',
    route: 'contracts/{id}/conflicts/resolve',
    params: ContractParamsSchema,
    body: ResolveConflictsBodySchema,
    answers: { 200: json(ResolveConflictsAnswerSchema) },
  },
  linksExport: {
    method: 'GET',
    route: 'links/export.csv',
    query: LinksFilterSchema,
    answers: { 200: { csv: LINKS_CSV_COLUMNS } },
  },
  linksList: {
    method: 'GET',
    route: 'links',
    query: LinksQuerySchema,
    answers: { 200: json(LinksPageAnswerSchema) },
  },
  linkUpdate: {
    method: 'PATCH',
    route: 'links/{contractId}/{lineId}',
    params: LinkParamsSchema,
    body: LinkPatchBodySchema,
    answers: { 200: json(LinkAnswerSchema) },
  },
  linkDelete: {
    method: 'DELETE',
    route: 'links/{contractId}/{lineId}',
    params: LinkParamsSchema,
    answers: { 204: { empty: true } },
  },
  activityList: {
    method: 'GET',
    route: 'activity',
    query: ActivityQuerySchema,
    answers: { 200: json(ActivityPageAnswerSchema) },
  },
  webhookReceive: {
    method: 'POST',
    route: 'webhooks/oneflow/{orgKey}',
    body: WebhookNotificationSchema,
    answers: { 200: json(WebhookAnswerSchema) },
  },
} as const satisfies Record<string, RouteContract>;

export type ApiRouteName = keyof typeof API_ROUTES;

/** The schema of a route's answer with this status: its success answer, or the error shape for any other. */
export function answerOf(route: RouteContract, status: number): RouteAnswer {
  return route.answers[status] ?? { json: ErrorAnswerSchema };
}
