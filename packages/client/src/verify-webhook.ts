import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Event } from './results.js';

/**
 * For a receiver of Tirelire's webhooks: checks a delivery's Standard
 * Webhooks signature and its timestamp, as the specification says
 * (https://www.standardwebhooks.com): `webhook-signature` holds
 * space-separated `v1,<base64>` entries, each an HMAC-SHA256 of
 * `webhook-id.webhook-timestamp.body` keyed with the base64 bytes after
 * `whsec_`; the timestamp may be at most 5 minutes off either way (against
 * replays). During the 24 h after a rotation a delivery carries two
 * signatures and either secret verifies it. Pass the body exactly as
 * received, before any JSON parsing.
 *
 * Written on node:crypto (Node.js, Deno, Bun, workers with Node
 * compatibility) rather than on the `standardwebhooks` package, so that
 * the client has no dependency; test/sdk/verify-webhook.test.ts holds it
 * to that package's signatures. It is an entry of its own
 * (`tirelire-client/webhooks`): the client itself stays free of node: modules
 * for browsers.
 */

/** Headers as node:http gives them, as a fetch Request's Headers, or a plain record. */
export type WebhookHeaders =
  { get(name: string): string | null } | Readonly<Record<string, string | readonly string[] | undefined>>;

export type VerifiedWebhook =
  | { readonly ok: true; readonly event: Event; readonly webhookId: string }
  | { readonly ok: false; readonly reason: string };

const NAMES = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;
const TOLERANCE_SECONDS = 5 * 60;
const SECRET_PREFIX = 'whsec_';

export function verifyWebhook(
  body: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string,
): VerifiedWebhook {
  const key = secretBytes(secret);
  const found: string[] = [];
  for (const name of NAMES) {
    const value = headerOf(headers, name);
    if (value === undefined) return { ok: false, reason: `missing header ${name}` };
    found.push(value);
  }
  const [id, timestamp, signatures] = found as [string, string, string];
  const late = timestampProblem(timestamp);
  if (late !== null) return { ok: false, reason: late };
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(bytes).digest();
  if (!signatures.split(' ').some((entry) => matches(entry, expected))) {
    return { ok: false, reason: 'no matching signature' };
  }
  try {
    const event = JSON.parse(new TextDecoder().decode(bytes)) as Event;
    return { ok: true, event, webhookId: id };
  } catch {
    return { ok: false, reason: 'signed body is not JSON' };
  }
}

function secretBytes(secret: string): Buffer {
  const text = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(text, 'base64');
  if (key.length === 0) throw new Error('verifyWebhook: the secret is empty (expected whsec_ and base64)');
  return key;
}

function timestampProblem(header: string): string | null {
  if (!/^\d{1,15}$/.test(header)) return 'invalid webhook-timestamp';
  const offset = Math.floor(Date.now() / 1000) - Number(header);
  if (offset > TOLERANCE_SECONDS) return 'timestamp too old';
  if (offset < -TOLERANCE_SECONDS) return 'timestamp too new';
  return null;
}

/** One `v1,<base64>` entry against the expected MAC, in constant time; other versions never match. */
function matches(entry: string, expected: Buffer): boolean {
  const [version, signature] = entry.split(',');
  if (version !== 'v1' || signature === undefined) return false;
  const given = Buffer.from(signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
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
