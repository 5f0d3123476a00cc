import type { ErrorCode } from './errors.js';
import type { EventType, LedgerEvent } from './events.js';
import type { IdempotencyGuard, IdempotentAnswer } from './idempotency.js';

/**
 * Webhook endpoints and their deliveries (contract section 7). A main account
 * registers endpoints for its own tree; the operator's endpoints receive every
 * tree. Delivery is at least once: the worker claims due deliveries, posts,
 * and records each attempt; the decisions of when to retry and when to give
 * up are the pure functions below.
 */

export type WebhookStatus = 'enabled' | 'disabled';

export interface WebhookEndpoint {
  /** `we_…`: opaque, not guessable. */
  readonly id: string;
  /** The main account whose tree it receives; null for the operator's (every tree). */
  readonly ownerAccountId: number | null;
  readonly url: string;
  /** Only events of these types; null for every type. */
  readonly types: readonly EventType[] | null;
  readonly status: WebhookStatus;
  readonly createdAt: Date;
  /** Since when every attempt has failed; null while it answers. */
  readonly failingSince: Date | null;
}

/** The signing secrets of an endpoint (never logged, shown once). */
export interface WebhookSecrets {
  /** `whsec_` + base64 of random bytes: signs every delivery. */
  readonly secret: string;
  /** The secret before the last rotation: it signs too, as a second signature, until `previousUntil`. */
  readonly previousSecret: string | null;
  readonly previousUntil: Date | null;
}

export const MAX_WEBHOOKS_PER_ACCOUNT = 10;
/** After a rotation, deliveries also carry a signature with the old secret this long. */
export const PREVIOUS_SECRET_GRACE_MS = 24 * 60 * 60 * 1000;
/** An endpoint failing every attempt this long is disabled. */
export const DISABLE_AFTER_MS = 5 * 24 * 60 * 60 * 1000;
/** The waits before the 7 retries: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [
  5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
];
/** Each wait may be up to this much shorter or longer. */
export const RETRY_JITTER = 0.2;

export interface CreateWebhookCommand {
  readonly id: string;
  readonly ownerAccountId: number | null;
  readonly url: string;
  readonly types: readonly EventType[] | null;
  readonly secret: string;
  readonly createdAt: Date;
  readonly idempotency?: IdempotencyGuard<CreateWebhookOutcome>;
}

export type CreateWebhookOutcome =
  | { readonly ok: true; readonly endpoint: WebhookEndpoint; readonly answer?: IdempotentAnswer }
  | { readonly ok: false; readonly code: ErrorCode; readonly answer?: IdempotentAnswer };

/** One event to one endpoint, as the worker claimed it (leased: no other process tries it meanwhile). */
export interface ClaimedDelivery {
  readonly id: number;
  readonly endpoint: WebhookEndpoint & WebhookSecrets;
  readonly event: LedgerEvent;
  /** Attempts made before this one. */
  readonly attempts: number;
}

/** One line of an endpoint's deliveries log, newest first. */
export interface DeliveryAttempt {
  readonly eventId: string;
  /** 1 for the first attempt of the delivery. */
  readonly attempt: number;
  /** The HTTP status the endpoint answered; null when it did not (timeout, refused, bad address). */
  readonly status: number | null;
  readonly error: string | null;
  readonly durationMs: number;
  readonly at: Date;
}

export interface DeliveryAttemptPage {
  readonly items: readonly DeliveryAttempt[];
  readonly nextCursor: string | null;
}

/** What the worker records of one attempt, and what follows from it. */
export interface AttemptRecord {
  readonly deliveryId: number;
  readonly endpointId: string;
  readonly attempt: DeliveryAttempt;
  /** The next attempt's time; null when there is none (it succeeded, or failed for good). */
  readonly retryAt: Date | null;
  readonly succeeded: boolean;
}

/** Does the endpoint receive this event? Its tree (or every tree for the operator's) and its types. */
export function endpointWants(endpoint: WebhookEndpoint, event: LedgerEvent): boolean {
  if (endpoint.status !== 'enabled') return false;
  if (endpoint.ownerAccountId !== null && endpoint.ownerAccountId !== event.accountId) return false;
  return endpoint.types === null || endpoint.types.includes(event.type);
}

/** Any 2xx is success; anything else (3xx included: redirects are not followed) is a failed attempt. */
export function isDelivered(status: number | null): boolean {
  return status !== null && status >= 200 && status < 300;
}

/**
 * After a failed attempt: when to try again, or null once every retry of
 * `schedule` is spent. `attempts` counts the attempts made, this one
 * included; `random` in [0, 1) picks the jitter (±20%).
 */
export function retryAt(
  schedule: readonly number[],
  attempts: number,
  now: Date,
  random: number,
): Date | null {
  const waitMs = schedule[attempts - 1];
  if (waitMs === undefined) return null;
  const jittered = waitMs * (1 - RETRY_JITTER + 2 * RETRY_JITTER * random);
  return new Date(now.getTime() + Math.round(jittered));
}

/** An endpoint whose every attempt failed since `failingSince` is disabled once that is 5 days old. */
export function shouldDisable(failingSince: Date | null, now: Date): boolean {
  return failingSince !== null && now.getTime() - failingSince.getTime() >= DISABLE_AFTER_MS;
}

/**
 * `WEBHOOK_RETRY_SCHEDULE`: comma-separated milliseconds (`200,400,800`: one
 * attempt and three retries); null when it is not that.
 */
export function parseRetrySchedule(text: string): number[] | null {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.length === 0 || parts.length > 20) return null;
  if (!parts.every((part) => /^\d{1,10}$/.test(part))) return null;
  return parts.map(Number);
}
