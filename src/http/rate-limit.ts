import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { RedisCounter, openRedisCounter } from '../service/throttle-redis.js';
import { MemoryCounter } from '../service/throttle.js';
import type { WindowCount, WindowCounter } from '../service/throttle.js';
import { bodyFields } from './body.js';
import { sendError } from './errors.js';
import { keyHashOf } from './key-hash.js';
import { readApiKey, usableApiKey } from './fields.js';
import { pathOf } from './logging.js';

/**
 * The abuse limits (README, "Abuse limits"). Both answer 429 (code 429) with
 * `Retry-After` in seconds. A limit of 0 turns it off.
 */
export interface AbuseLimits {
  /** Requests per API key — or per client address for a request without a usable key — per window. */
  readonly perKeyMax: number;
  readonly perKeyWindowMs: number;
  /** 401 answers (codes 10 and 29) per client address per window before the address is refused. */
  readonly authFailureMax: number;
  readonly authFailureWindowMs: number;
  /** In memory per process, or shared through Redis. */
  readonly counter: WindowCounter;
}

/** Probes and scrapes are never limited: an orchestrator must see a busy server as alive. */
const UNLIMITED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
/** Past this many blocked addresses, the ones whose block has ended are forgotten. */
const MAX_BLOCKED_ADDRESSES = 100_000;

export function registerAbuseLimits(app: FastifyInstance, limits: AbuseLimits): void {
  const { counter } = limits;
  if (counter instanceof RedisCounter) {
    counter.healthListener = (event, error) =>
      event === 'down'
        ? app.log.warn({ err: error }, 'redis unreachable: abuse limits now count per process')
        : app.log.info('redis reachable again: abuse limits shared across processes');
  }
  if (limits.authFailureMax > 0) registerAuthFailureThrottle(app, limits);
  if (limits.perKeyMax > 0) {
    // A callback hook: with the in-process counter the check is synchronous, no promise per request.
    app.addHook('preHandler', (request, reply, done) => {
      if (isUnlimited(request)) return done();
      const local = counter instanceof MemoryCounter;
      const key = `key:${rateKeyOf(request, !local)}`;
      if (local) {
        return admitPerKey(counter.hitNow(key, limits.perKeyWindowMs), limits, request, reply, done);
      }
      counter.hit(key, limits.perKeyWindowMs).then(
        (hit) => admitPerKey(hit, limits, request, reply, done),
        (error: unknown) => done(error as Error),
      );
    });
  }
}

/**
 * Wrong keys are counted per address when their 401 goes out; once an
 * address has too many in a window, its requests get 429 until the window
 * ends. The check on the way in is a lookup in this process's memory, so a
 * valid request pays no round trip. With Redis the count is shared: another
 * process blocks the address at the address's next wrong key there.
 */
function registerAuthFailureThrottle(app: FastifyInstance, limits: AbuseLimits): void {
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
    tooMany(request, reply, remainingMs);
  });
  app.addHook('onSend', (request, reply, _payload, done) => {
    if (reply.statusCode !== 401) return done();
    limits.counter.hit(`auth:${request.ip}`, limits.authFailureWindowMs).then(
      ({ count, resetMs }) => {
        if (count >= limits.authFailureMax) {
          if (blockedUntil.size >= MAX_BLOCKED_ADDRESSES) forgetEnded(blockedUntil);
          blockedUntil.set(request.ip, Date.now() + resetMs);
        }
        done();
      },
      (error: unknown) => done(error as Error),
    );
  });
}

function admitPerKey(
  hit: WindowCount,
  limits: AbuseLimits,
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  if (hit.count <= limits.perKeyMax) return done();
  request.log.info({ code: 429, limit: 'per-key' }, 'request refused');
  tooMany(request, reply, hit.resetMs);
}

function forgetEnded(blockedUntil: Map<string, number>): void {
  const now = Date.now();
  for (const [address, until] of blockedUntil) if (until <= now) blockedUntil.delete(address);
  if (blockedUntil.size >= MAX_BLOCKED_ADDRESSES) blockedUntil.clear();
}

function isUnlimited(request: FastifyRequest): boolean {
  return UNLIMITED_PATHS.has(pathOf(request.url) ?? '');
}

function tooMany(request: FastifyRequest, reply: FastifyReply, resetMs: number): FastifyReply {
  reply.header('retry-after', String(Math.max(1, Math.ceil(resetMs / 1000))));
  return sendError(request, reply, 429);
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

export const DEFAULT_ABUSE_LIMITS = {
  /** High enough for the benchmark's 64 connections on one key; operators serving many tenants lower it. */
  perKeyMax: 10_000,
  perKeyWindowMs: 1000,
  authFailureMax: 50,
  authFailureWindowMs: 60_000,
} as const;

/** RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS, AUTH_FAILURE_MAX, AUTH_FAILURE_WINDOW_MS: non-negative integers. */
export function abuseLimitsFromEnv(
  env: Record<string, string | undefined>,
  counter: WindowCounter,
): AbuseLimits {
  return {
    perKeyMax: readCount(env, 'RATE_LIMIT_MAX', DEFAULT_ABUSE_LIMITS.perKeyMax),
    perKeyWindowMs: readWindow(env, 'RATE_LIMIT_WINDOW_MS', DEFAULT_ABUSE_LIMITS.perKeyWindowMs),
    authFailureMax: readCount(env, 'AUTH_FAILURE_MAX', DEFAULT_ABUSE_LIMITS.authFailureMax),
    authFailureWindowMs: readWindow(env, 'AUTH_FAILURE_WINDOW_MS', DEFAULT_ABUSE_LIMITS.authFailureWindowMs),
    counter,
  };
}

function readCount(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d{1,9}$/.test(text)) throw new Error(`${name} must be a whole number ≥ 0, got "${text}"`);
  return Number(text);
}

function readWindow(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const value = readCount(env, name, fallback);
  if (value === 0) throw new Error(`${name} must be at least 1 ms`);
  return value;
}

/** The limits main.ts starts with: shared through Redis when REDIS_URL is set, else in this process. */
export function openAbuseLimits(env: Record<string, string | undefined>): AbuseLimits {
  const redisUrl = env['REDIS_URL'];
  const counter =
    redisUrl === undefined || redisUrl === '' ? new MemoryCounter() : openRedisCounter(redisUrl);
  return abuseLimitsFromEnv(env, counter);
}

/** REQUEST_TIMEOUT_MS: how long a client may take to send one request; 30 s by default. */
export function requestTimeoutFromEnv(env: Record<string, string | undefined>): number {
  return readCount(env, 'REQUEST_TIMEOUT_MS', DEFAULT_REQUEST_TIMEOUT_MS);
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
