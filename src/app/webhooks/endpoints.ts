import type { ErrorCode } from '../../domain/errors.js';
import type { EventType } from '../../domain/events.js';
import type { IdempotencyGuard } from '../../domain/idempotency.js';
import type { Store } from '../../domain/store.js';
import {
  PREVIOUS_SECRET_GRACE_MS,
  type CreateWebhookOutcome,
  type WebhookEndpoint,
} from '../../domain/webhooks.js';
import { generateWebhookSecret, newWebhookId } from './signing.js';
import { checkWebhookTarget } from './targets.js';

/**
 * The webhook endpoints' use cases, shared by /v1/webhooks (a main account's
 * own endpoints) and /admin/v1/webhooks (the operator's, and any account's).
 */

/** Who acts: a main account on its own tree, or the operator on every tree. */
export type WebhookActor = { readonly accountId: number } | 'operator';

export interface RegisterWebhookInput {
  readonly actor: WebhookActor;
  readonly url: string;
  readonly types: readonly EventType[] | null;
  readonly allowPrivate: boolean;
  /** With an Idempotency-Key: the guard, given the new endpoint's secret (shown once, recorded as null). */
  readonly guard?: ((secret: string) => IdempotencyGuard<CreateWebhookOutcome>) | undefined;
}

export type Registered =
  | { readonly ok: true; readonly outcome: CreateWebhookOutcome; readonly secret: string }
  | { readonly ok: false; readonly code: ErrorCode };

/** Code 38 for a refused URL, then the store's 39 (or an idempotent replay). */
export async function registerWebhook(store: Store, input: RegisterWebhookInput): Promise<Registered> {
  const target = await checkWebhookTarget(input.url, input.allowPrivate);
  if (!target.ok) return { ok: false, code: 38 };
  const secret = generateWebhookSecret();
  const command = {
    id: newWebhookId(),
    ownerAccountId: input.actor === 'operator' ? null : input.actor.accountId,
    url: target.url.href,
    types: input.types,
    secret,
    createdAt: new Date(),
  };
  const outcome = await store.createWebhook(
    input.guard === undefined ? command : { ...command, idempotency: input.guard(secret) },
  );
  return { ok: true, outcome, secret };
}

/**
 * The endpoint `id` as the actor may see it: its own (a main account), any
 * (the operator). Another owner's answers 37, exactly as a missing one.
 */
export async function findWebhook(
  store: Store,
  actor: WebhookActor,
  id: string,
): Promise<WebhookEndpoint | ErrorCode> {
  const endpoint = /^we_[0-9a-f]{32}$/.test(id) ? await store.getWebhook(id) : null;
  if (endpoint === null) return 37;
  if (actor !== 'operator' && endpoint.ownerAccountId !== actor.accountId) return 37;
  return endpoint;
}

/** A new secret; the old one signs beside it for PREVIOUS_SECRET_GRACE_MS. */
export async function rotateSecret(
  store: Store,
  endpoint: WebhookEndpoint,
  now = new Date(),
): Promise<{ endpoint: WebhookEndpoint; secret: string } | ErrorCode> {
  const secret = generateWebhookSecret();
  const previousUntil = new Date(now.getTime() + PREVIOUS_SECRET_GRACE_MS);
  const rotated = await store.rotateWebhookSecret(endpoint.id, secret, previousUntil);
  return rotated === null ? 37 : { endpoint: rotated, secret };
}

/**
 * Queues one event again for one endpoint, whatever its `types`. The event
 * must be of the endpoint's tree (any tree for the operator's endpoints):
 * an event id of another tree answers 22 like one that names no event, so
 * nothing is learnt of other trees. A disabled endpoint receives nothing,
 * so a resend to it is 22 too.
 */
export async function resendEvent(
  store: Store,
  endpoint: WebhookEndpoint,
  eventId: string,
  now = new Date(),
): Promise<true | ErrorCode> {
  if (endpoint.status !== 'enabled' || !/^evt_[\w-]{1,100}$/.test(eventId)) return 22;
  const event = await store.findEvent(eventId);
  if (event === null) return 22;
  if (endpoint.ownerAccountId !== null && event.accountId !== endpoint.ownerAccountId) return 22;
  await store.resendEvent(endpoint.id, event.id, now);
  return true;
}
