import { HealthAnswerSchema, SyncResultAnswerSchema } from '@oneflow-sync/shared';
import { answer, ok } from './api';

const health = { status: 'ok' as const, time: '2026-12-01T09:00:00.000Z', tenants: 2 };

describe('answers are typed by their schema in the API contract', () => {
  it('ok sends the value as the 200 JSON body, with headers when given', () => {
    expect(ok(HealthAnswerSchema, health)).toEqual({ status: 200, json: health });
    expect(ok(HealthAnswerSchema, health, { ETag: 'W/"1"' })).toEqual({
      status: 200,
      json: health,
      headers: { ETag: 'W/"1"' },
    });
    expect(answer(201, HealthAnswerSchema, health)).toEqual({ status: 201, json: health });
  });

  it('a handler building another shape does not compile (checked by tsc, which runs over tests)', () => {
    // @ts-expect-error a health answer without its time
    const missing = ok(HealthAnswerSchema, { status: 'ok', tenants: 2 });
    // @ts-expect-error a field the health answer does not have
    const extra = ok(HealthAnswerSchema, { ...health, version: '1.0' });
    // @ts-expect-error a sync result is not a health answer
    const wrong = ok(SyncResultAnswerSchema, health);
    // The helpers do not run the schema per request: what compiles is sent as built.
    expect([missing.status, extra.status, wrong.status]).toEqual([200, 200, 200]);
  });
});
