import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import LocalStore from '@fastify/rate-limit/store/LocalStore.js';
import RedisStore from '@fastify/rate-limit/store/RedisStore.js';
import { Redis } from 'ioredis';

/** A Redis command slower than this counts as Redis being down: limits never hold a request long. */
const COMMAND_TIMEOUT_MS = 250;
const RECONNECT_DELAY_MS = 1000;
/** Redis keys: `tirelire:throttle:<window ms>:<key>`, so a changed window starts fresh counts. */
const NAMESPACE = 'tirelire:throttle:';
/** Past this many keys the process's own counts forget the least recently used (toad-cache's LRU). */
export const MAX_MEMORY_KEYS = 100_000;

export type RedisHealthListener = (event: 'down' | 'up', error?: unknown) => void;

/**
 * A client that never queues: while disconnected a command fails at once (and
 * the counts fall back to the process) instead of waiting for a reconnection.
 */
export function openLimitsRedis(url: string): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: 2000,
    retryStrategy: () => RECONNECT_DELAY_MS,
  });
  // Connection errors are reported through the counts' fallback; without a
  // listener ioredis would print each one.
  redis.on('error', () => undefined);
  return redis;
}

/**
 * The rate limiter's counts in Redis, shared by every process, with the
 * library's own Redis script. What @fastify/rate-limit does not do is fall
 * back: its `skipOnError` lets every request through while Redis is down,
 * where docs/abuse-limits.md promises the per-process limit (fail open to a
 * weaker limit, never to none). So a count Redis fails is counted again in
 * this process's memory, and the listener hears when Redis goes away and
 * comes back.
 */
class SharedCounts implements FastifyRateLimitStore {
  private readonly shared: FastifyRateLimitStore;
  private readonly local = new LocalStore(false, false, MAX_MEMORY_KEYS);
  private healthy = true;

  constructor(
    redis: Redis,
    private readonly listener: RedisHealthListener,
  ) {
    this.shared = new RedisStore(false, false, redis, NAMESPACE);
  }

  incr(key: string, callback: IncrCallback, timeWindowMs: number, max: number): void {
    this.shared.incr(
      `${timeWindowMs}:${key}`,
      (error, result) => {
        this.mark(error === null, error);
        if (error === null) callback(null, result);
        else this.local.incr(key, callback, timeWindowMs, max);
      },
      timeWindowMs,
      max,
    );
  }

  /** Every limit keys its counts apart already (rate-limit.ts): one store serves them all. */
  child(): FastifyRateLimitStore {
    return this;
  }

  private mark(healthy: boolean, error: unknown): void {
    if (healthy === this.healthy) return;
    this.healthy = healthy;
    this.listener(healthy ? 'up' : 'down', error);
  }
}

type IncrCallback = Parameters<FastifyRateLimitStore['incr']>[1];

/** The store the plugin constructs (it takes a class): counts in `redis`, told to `listener`. */
export function sharedCounts(redis: Redis, listener: RedisHealthListener): FastifyRateLimitStoreCtor {
  return class extends SharedCounts {
    constructor() {
      super(redis, listener);
    }
  };
}
