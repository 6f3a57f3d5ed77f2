import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { z } from 'zod';
import { oneflowTime, type Clock, type WebhookState } from './model';

/**
 * Webhook delivery as Oneflow documents it: a POST of `{contract:{id}, callback_id, events, signature}` to each
 * registered callback, signature = hex SHA-1 of (callback_id + sign_key); only HTTP 200 counts as delivered;
 * otherwise retried after 1, 5, 10, 30, 60, 300, 600, 1800 and 3600 s (10 attempts in all) with the same
 * callback_id. Oneflow warns that notifications can arrive more than once and out of order; the delivery
 * options make that happen on demand.
 */

export const RETRY_DELAYS_SECONDS = [1, 5, 10, 30, 60, 300, 600, 1800, 3600] as const;
/** How long one attempt may take before it counts as failed (inferred; Oneflow documents none). */
const ATTEMPT_TIMEOUT_MS = 10_000;

export const DeliveryOptionsSchema = z.object({
  /** Send every notification twice (same callback_id), as Oneflow may. */
  duplicates: z.boolean().default(false),
  /** Hold notifications and send them newest first once the window closes (or on flush). */
  reorder: z.boolean().default(false),
  reorderWindowMs: z.number().int().min(0).max(600_000).default(200),
  /** Add the `product:create|update|delete` events next to `contract:content_update` (inferred event types). */
  productEvents: z.boolean().default(true),
});
export type DeliveryOptions = z.infer<typeof DeliveryOptionsSchema>;

interface WebhookEvent {
  created_time: string;
  id: number;
  type: string;
}

export interface NotificationPayload {
  contract: { id: number };
  callback_id: string;
  events: WebhookEvent[];
  signature: string;
}

interface DeliveryAttempt {
  attempt: number;
  at: string;
  /** The receiver's HTTP status; null when no answer came (refused, reset, timed out). */
  status: number | null;
  error?: string;
  /** The wait before the next attempt, when this one failed and another is due. */
  retryInMs: number | null;
}

export interface DeliveryRecord {
  id: number;
  webhookId: number;
  callbackUrl: string;
  callbackId: string;
  contractId: number;
  events: WebhookEvent[];
  payload: NotificationPayload;
  state: 'held' | 'pending' | 'delivered' | 'failed';
  attempts: DeliveryAttempt[];
  /** Milliseconds until the next attempt, when one is scheduled. */
  nextAttemptInMs: number | null;
}

/** What changed, for whom: the dispatcher picks the webhooks whose filters let the events through. */
export interface ContractChangeNotice {
  contractId: number;
  workspaceId: number;
  templateGroupId: number | null;
  eventTypes: string[];
}

export function signature(callbackId: string, signKey: string | null): string {
  return createHash('sha1')
    .update(callbackId + (signKey ?? ''))
    .digest('hex');
}

/** A filter lets an event through when every one of its rules does; a webhook, when any of its filters does. */
function passes(webhook: WebhookState, notice: ContractChangeNotice, eventType: string): boolean {
  if (webhook.templateGroupId !== null && webhook.templateGroupId !== notice.templateGroupId) return false;
  if (webhook.filters === null || webhook.filters.length === 0) return true;
  return webhook.filters.some((filter) =>
    filter.filter_rules.every((rule) => {
      const values = rule.values.map(String);
      return rule.type === 'EVENT_TYPE'
        ? values.includes(eventType)
        : values.includes(String(notice.workspaceId));
    }),
  );
}

export class WebhookDispatcher {
  private options: DeliveryOptions = DeliveryOptionsSchema.parse({});
  private readonly records: DeliveryRecord[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private held: DeliveryRecord[] = [];
  private holdTimer: NodeJS.Timeout | null = null;
  private aborter = new AbortController();
  private nextDeliveryId = 1;
  private nextEventId = 1;
  private closed = false;
  /** Sees every notification as it is built (the conformance check). */
  observe: ((payload: NotificationPayload, callbackUrl: string) => void) | null = null;

  constructor(
    /** Multiplies every retry delay: 0.001 turns an hour into 3.6 s in tests. */
    private readonly timeFactor: number,
    private readonly clock: Clock,
  ) {}

  get deliveryOptions(): DeliveryOptions {
    return this.options;
  }

  set deliveryOptions(options: DeliveryOptions) {
    this.options = options;
  }

  get deliveries(): readonly DeliveryRecord[] {
    return this.records;
  }

  notify(notice: ContractChangeNotice, webhooks: readonly WebhookState[]): void {
    if (this.closed) return;
    const createdTime = oneflowTime(this.clock());
    const events = notice.eventTypes
      .filter((type) => this.options.productEvents || !type.startsWith('product:'))
      .map((type): WebhookEvent => ({ created_time: createdTime, id: this.nextEventId++, type }));
    for (const webhook of webhooks) {
      const wanted = events.filter((event) => passes(webhook, notice, event.type));
      if (wanted.length === 0) continue;
      const callbackId = randomBytes(20).toString('hex');
      const payload: NotificationPayload = {
        contract: { id: notice.contractId },
        callback_id: callbackId,
        events: wanted,
        signature: signature(callbackId, webhook.signKey),
      };
      this.observe?.(payload, webhook.callbackUrl);
      const copies = this.options.duplicates ? 2 : 1;
      for (let copy = 0; copy < copies; copy += 1) this.enqueue(webhook, notice.contractId, payload);
    }
  }

  /** Sends held notifications now, newest first. */
  flush(): number {
    if (this.holdTimer) this.clearTimer(this.holdTimer);
    this.holdTimer = null;
    const release = this.held.reverse();
    this.held = [];
    for (const record of release) {
      record.state = 'pending';
      this.schedule(record, 0);
    }
    return release.length;
  }

  clearLog(): void {
    this.records.length = 0;
  }

  /** Stops every timer and in-flight attempt and forgets all deliveries. */
  reset(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.holdTimer = null;
    this.held = [];
    this.aborter.abort();
    this.aborter = new AbortController();
    this.records.length = 0;
    this.options = DeliveryOptionsSchema.parse({});
  }

  close(): void {
    this.closed = true;
    this.reset();
  }

  private enqueue(webhook: WebhookState, contractId: number, payload: NotificationPayload): void {
    const record: DeliveryRecord = {
      id: this.nextDeliveryId++,
      webhookId: webhook.id,
      callbackUrl: webhook.callbackUrl,
      callbackId: payload.callback_id,
      contractId,
      events: payload.events,
      payload,
      state: this.options.reorder ? 'held' : 'pending',
      attempts: [],
      nextAttemptInMs: null,
    };
    this.records.push(record);
    if (!this.options.reorder) {
      this.schedule(record, 0);
      return;
    }
    this.held.push(record);
    this.holdTimer ??= this.setTimer(() => {
      this.holdTimer = null;
      this.flush();
    }, this.options.reorderWindowMs);
  }

  private schedule(record: DeliveryRecord, delayMs: number): void {
    record.nextAttemptInMs = delayMs;
    this.setTimer(() => {
      record.nextAttemptInMs = null;
      void this.attempt(record);
    }, delayMs);
  }

  private async attempt(record: DeliveryRecord): Promise<void> {
    const attempt: DeliveryAttempt = {
      attempt: record.attempts.length + 1,
      at: this.clock().toISOString(),
      status: null,
      retryInMs: null,
    };
    record.attempts.push(attempt);
    const signal = this.aborter.signal;
    try {
      attempt.status = await postJson(record.callbackUrl, JSON.stringify(record.payload), signal);
    } catch (error) {
      attempt.error = error instanceof Error ? error.message : String(error);
    }
    if (signal.aborted) return;
    if (attempt.status === 200) {
      record.state = 'delivered';
      return;
    }
    const delaySeconds = RETRY_DELAYS_SECONDS[record.attempts.length - 1];
    if (delaySeconds === undefined) {
      record.state = 'failed';
      return;
    }
    attempt.retryInMs = delaySeconds * 1000 * this.timeFactor;
    this.schedule(record, attempt.retryInMs);
  }

  private setTimer(callback: () => void, delayMs: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      callback();
    }, delayMs);
    this.timers.add(timer);
    return timer;
  }

  private clearTimer(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.timers.delete(timer);
  }
}

/** One POST with no connection pooling, so nothing stays open once the simulator closes. */
function postJson(url: string, body: string, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(
      target,
      {
        method: 'POST',
        agent: false,
        signal,
        timeout: ATTEMPT_TIMEOUT_MS,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Oneflow-Webhooks (simulator)',
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => {
          resolve(response.statusCode ?? 0);
        });
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    request.end(body);
  });
}
