import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { WebhookSecrets } from '../../domain/webhooks.js';

/**
 * Standard Webhooks signatures, made with the `standardwebhooks` package so
 * that receivers verifying with the same library (or any other that follows
 * the specification) agree byte for byte.
 */

/** Bytes of a new secret: 32, inside the contract's 24–64. */
const SECRET_BYTES = 32;

/** `whsec_` + standard base64 of random bytes: the form the specification and its libraries read. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(SECRET_BYTES).toString('base64')}`;
}

/** An endpoint id: opaque and not guessable, like a subaccount token. */
export function newWebhookId(): string {
  return `we_${randomBytes(16).toString('hex')}`;
}

export interface SignedHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

/**
 * The three headers of one delivery attempt. During the grace period after a
 * rotation (`previousUntil` still ahead) a second signature made with the old
 * secret follows the first, space-separated, as the specification allows, so
 * a receiver still holding the old secret keeps verifying.
 */
export function signDelivery(
  secrets: WebhookSecrets,
  eventId: string,
  body: string,
  now: Date,
): SignedHeaders {
  const signatures = [new Webhook(secrets.secret).sign(eventId, now, body)];
  const previous = secrets.previousSecret;
  if (previous !== null && secrets.previousUntil !== null && now < secrets.previousUntil) {
    signatures.push(new Webhook(previous).sign(eventId, now, body));
  }
  return {
    'webhook-id': eventId,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}
