import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { Event } from './results.js';

/**
 * For a receiver of Tirelire's webhooks: checks a delivery's Standard
 * Webhooks signature (`webhook-signature` over `webhook-id.webhook-timestamp.body`,
 * HMAC-SHA256 keyed with the secret after `whsec_`) and its timestamp (at
 * most 5 minutes off, against replays), with the `standardwebhooks` package
 * itself: pure JavaScript (base64 and SHA-256 of its own), so it runs in
 * Node, Deno, workers and browsers alike. Pass the body exactly as received,
 * before any JSON parsing; during the 24 h after a rotation a delivery
 * carries two signatures and either secret verifies it.
 */

/** Headers as node:http gives them, as a fetch Request's Headers, or a plain record. */
export type WebhookHeaders =
  { get(name: string): string | null } | Readonly<Record<string, string | readonly string[] | undefined>>;

export type VerifiedWebhook =
  | { readonly ok: true; readonly event: Event; readonly webhookId: string }
  | { readonly ok: false; readonly reason: string };

const NAMES = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

export function verifyWebhook(
  body: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string,
): VerifiedWebhook {
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
  const wanted: Record<string, string> = {};
  for (const name of NAMES) {
    const value = headerOf(headers, name);
    if (value === undefined) return { ok: false, reason: `missing header ${name}` };
    wanted[name] = value;
  }
  try {
    const event = new Webhook(secret).verify(text, wanted) as Event;
    return { ok: true, event, webhookId: wanted['webhook-id']! };
  } catch (error) {
    if (error instanceof WebhookVerificationError) return { ok: false, reason: error.message };
    throw error;
  }
}

function headerOf(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value.join(' ') : (value as string | undefined);
}
