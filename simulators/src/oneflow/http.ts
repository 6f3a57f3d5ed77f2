import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { badRequest, fieldPath, notFound, type ParameterProblems } from './errors';
import { PaginationSchema } from './schemas';

/** Request parsing shared by the routes: every failure becomes Oneflow's error body. */

/** Parses a body; a bad one is Oneflow's 400 with every problem under its field path. */
export function parseBody<Schema extends z.ZodType>(schema: Schema, body: unknown): z.output<Schema> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const problems: ParameterProblems = {};
  for (const issue of parsed.error.issues) {
    (problems[fieldPath('', issue.path) || 'non_field_errors'] ??= []).push(issue.message);
  }
  throw badRequest(problems);
}

/** The caller's `x-oneflow-user-email` (checked to name a known user before any route runs); none: the admin. */
export function callerEmail(request: FastifyRequest): string | undefined {
  const email = request.headers['x-oneflow-user-email'];
  return typeof email === 'string' ? email : undefined;
}

/** A path id; anything but digits names no entity (404, inferred). */
export function idParam(value: string): number {
  if (!/^\d{1,15}$/.test(value)) throw notFound();
  return Number(value);
}

interface Link {
  href: string;
}

export interface Page<T> {
  _links: { next: Link | null; previous: Link | null; self: Link };
  /** The total number of items, not the number on this page. */
  count: number;
  data: T[];
}

/** Oneflow's list answer: `{_links: {next, previous, self}, count, data}`; an absent link is null (inferred). */
export function paginate<T>(request: FastifyRequest, items: readonly T[]): Page<T> {
  const { limit, offset } = parseBody(PaginationSchema, request.query);
  const [path = '', query = ''] = request.url.split('?');
  // The links keep the request's other parameters (its filters), so following `next` pages the same list.
  const kept = new URLSearchParams(query);
  kept.delete('limit');
  kept.delete('offset');
  const others = kept.toString();
  const base = `${request.protocol}://${request.host}${path}?${others === '' ? '' : `${others}&`}`;
  const link = (at: number): Link => ({ href: `${base}limit=${limit}&offset=${at}` });
  return {
    _links: {
      next: offset + limit < items.length ? link(offset + limit) : null,
      previous: offset > 0 ? link(Math.max(0, offset - limit)) : null,
      self: link(offset),
    },
    count: items.length,
    data: items.slice(offset, offset + limit),
  };
}
