import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { AbuseLimitSettings } from '../config.js';
import { ApiError } from './api-error.js';
import { bodyFields } from './body.js';
import { sendError } from './errors.js';
import { keyHashOf } from './key-hash.js';
import { readApiKey, usableApiKey } from './fields.js';
import { pathOf } from './logging.js';
import { MAX_MEMORY_KEYS, sharedCounts } from './rate-limit-redis.js';

/**
 * The abuse limits (docs/abuse-limits.md), on @fastify/rate-limit. Both answer
 * 429 (code 429) with `Retry-After` in seconds. A limit of 0 turns it off.
 */
export interface AbuseLimits extends AbuseLimitSettings {
  /** Counts shared by every process (main.ts opens it from REDIS_URL); absent: this process counts alone. */
  readonly redis?: Redis | undefined;
}

/** Probes and scrapes are never limited: an orchestrator must see a busy server as alive. */
const UNLIMITED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
/** Past this many blocked addresses, the ones whose block has ended are forgotten. */
const MAX_BLOCKED_ADDRESSES = 100_000;

/**
 * Registers the plugin before the routes it limits (it hooks each route as it
 * is added) and, once it is loaded, the wrong-key throttle on top of it.
 */
export function registerAbuseLimits(app: FastifyInstance, limits: AbuseLimits): void {
  if (limits.perKeyMax === 0 && limits.authFailureMax === 0) return;
  const shared = limits.redis !== undefined;
  void app.register(rateLimit, {
    global: limits.perKeyMax > 0,
    max: limits.perKeyMax,
    timeWindow: limits.perKeyWindowMs,
    // After the body is read: the key may travel in it.
    hook: 'preHandler',
    keyGenerator: (request) => `key:${rateKeyOf(request, shared)}`,
    allowList: isUnlimited,
    cache: MAX_MEMORY_KEYS,
    ...(limits.redis === undefined ? {} : { store: sharedCounts(limits.redis, logRedisHealth(app)) }),
    addHeadersOnExceeding: {
      'x-ratelimit-limit': false,
      'x-ratelimit-remaining': false,
      'x-ratelimit-reset': false,
    },
    addHeaders: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    // Thrown: the error handler answers it from the code table; the plugin has set Retry-After.
    errorResponseBuilder: () => new ApiError(429, { limit: 'per-key' }),
  });
  if (limits.authFailureMax > 0) app.after(() => registerAuthFailureThrottle(app, limits));
}

/**
 * The per-key limit for the 404 handler, which the plugin never sees (it
 * hooks routes as they are added); undefined when that limit is off. Call it
 * once the plugin is loaded (app.after).
 */
export function notFoundLimit(app: FastifyInstance, limits: AbuseLimits | undefined) {
  return limits === undefined || limits.perKeyMax === 0 ? undefined : app.rateLimit();
}

function logRedisHealth(app: FastifyInstance) {
  return (event: 'down' | 'up', error?: unknown) =>
    event === 'down'
      ? app.log.warn({ err: error }, 'redis unreachable: abuse limits now count per process')
      : app.log.info('redis reachable again: abuse limits shared across processes');
}

/**
 * Wrong keys are counted per address when their 401 goes out; once an
 * address has too many in a window, its requests get 429 until the window
 * ends. The check on the way in is a lookup in this process's memory, so a
 * valid request pays no round trip. With Redis the count is shared: another
 * process blocks the address at the address's next wrong key there.
 */
function registerAuthFailureThrottle(app: FastifyInstance, limits: AbuseLimits): void {
  const countWrongKey = app.createRateLimit({
    keyGenerator: (request) => `auth:${request.ip}`,
    max: limits.authFailureMax,
    timeWindow: limits.authFailureWindowMs,
  });
  const blockedUntil = new Map<string, number>();
  // Callback hooks: the common case (address not blocked, answer not 401) makes no promise.
  app.addHook('onRequest', (request, reply, done) => {
    const until = blockedUntil.size === 0 ? undefined : blockedUntil.get(request.ip);
    if (until === undefined || isUnlimited(request)) return done();
    const remainingMs = until - Date.now();
    if (remainingMs <= 0) {
      blockedUntil.delete(request.ip);
      return done();
    }
    request.log.info({ code: 429, limit: 'wrong-keys' }, 'request refused');
    reply.header('retry-after', String(Math.max(1, Math.ceil(remainingMs / 1000))));
    sendError(request, reply, 429);
  });
  app.addHook('onSend', (request, reply, _payload, done) => {
    if (reply.statusCode !== 401) return done();
    countWrongKey(request).then(
      (count) => {
        if (!count.isAllowed && count.remaining === 0) {
          if (blockedUntil.size >= MAX_BLOCKED_ADDRESSES) forgetEnded(blockedUntil);
          blockedUntil.set(request.ip, Date.now() + count.ttl);
        }
        done();
      },
      (error: unknown) => done(error as Error),
    );
  });
}

function forgetEnded(blockedUntil: Map<string, number>): void {
  const now = Date.now();
  for (const [address, until] of blockedUntil) if (until <= now) blockedUntil.delete(address);
  if (blockedUntil.size >= MAX_BLOCKED_ADDRESSES) blockedUntil.clear();
}

function isUnlimited(request: FastifyRequest): boolean {
  return UNLIMITED_PATHS.has(pathOf(request.url) ?? '');
}

/**
 * What the per-key count is keyed by: the stored key hash (computed once per
 * request, shared with the handler) in this process's memory; in Redis a
 * digest of it, so that the limiter's store holds nothing the ledger's tables
 * could be matched against. The client address when there is no usable key.
 */
export function rateKeyOf(request: FastifyRequest, shared: boolean): string {
  const apiKey = usableApiKey(readApiKey(request, bodyFields(request)));
  if (apiKey === null) return `addr:${request.ip}`;
  const keyHash = keyHashOf(request, apiKey);
  if (!shared) return `k:${keyHash}`;
  const digest = createHash('sha256').update('tirelire rate limit\0').update(keyHash, 'utf8');
  return `k:${digest.digest('base64url').slice(0, 24)}`;
}
