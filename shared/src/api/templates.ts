import { z } from 'zod';

/** A template "Create contract" may start from. */
export const ContractTemplateSchema = z.strictObject({
  id: z.number().int(),
  /** Null when the template has no name in Oneflow. */
  name: z.string().nullable(),
  /** Null for a template of no type. */
  templateType: z.strictObject({ id: z.number().int(), name: z.string().nullable() }).nullable(),
  /** The organisation's configured template (`oneflow.templateId`): used when a request names none. */
  isDefault: z.boolean(),
});
export type ContractTemplate = z.infer<typeof ContractTemplateSchema>;

/** `GET /api/templates`: the workspace's templates that can receive products, in Oneflow's order. */
export const TemplatesAnswerSchema = z.strictObject({ templates: z.array(ContractTemplateSchema) });
export type TemplatesAnswer = z.infer<typeof TemplatesAnswerSchema>;
