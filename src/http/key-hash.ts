import type { FastifyRequest } from 'fastify';
import { hashApiKey } from '../app/keys.js';

const hashes = new WeakMap<FastifyRequest, { readonly apiKey: string; readonly keyHash: string }>();

/**
 * The stored hash of the request's API key, computed once per request: the
 * rate limiter and the route handler both need it, and SHA-256 on every
 * transfer is worth doing only once. Nothing outlives the request.
 */
export function keyHashOf(request: FastifyRequest, apiKey: string): string {
  const known = hashes.get(request);
  if (known !== undefined && known.apiKey === apiKey) return known.keyHash;
  const keyHash = hashApiKey(apiKey);
  hashes.set(request, { apiKey, keyHash });
  return keyHash;
}
