import { Redis } from 'ioredis';
import { MemoryCounter } from './throttle.js';
import type { WindowCount, WindowCounter } from './throttle.js';

/** A Redis command slower than this counts as Redis being down: limits never hold a request long. */
const COMMAND_TIMEOUT_MS = 250;
const RECONNECT_DELAY_MS = 1000;

export type RedisHealthListener = (event: 'down' | 'up', error?: unknown) => void;

/**
 * Counters shared by every process through Redis (REDIS_URL): INCR on a key
 * per window, which expires after the window. When Redis cannot be reached the
 * counter falls back to this process's own memory — the limits then hold per
 * process instead of across processes (fail open to a weaker limit, never
 * closed): a rate limiter is a guard against abuse, not a ledger invariant, and
 * refusing every payment because a cache is down would be the bigger harm.
 * Redis holds only digests and addresses, never an API key.
 */
export class RedisCounter implements WindowCounter {
  private readonly fallback = new MemoryCounter();
  private healthy = true;
  /** Told when Redis goes away and comes back; the app points it at its log. */
  healthListener: RedisHealthListener = () => undefined;

  constructor(private readonly redis: Redis) {}

  async hit(key: string, windowMs: number): Promise<WindowCount> {
    const now = Date.now();
    const windowIndex = Math.floor(now / windowMs);
    const resetMs = (windowIndex + 1) * windowMs - now;
    const redisKey = `tirelire:throttle:${windowMs}:${windowIndex}:${key}`;
    try {
      const results = await this.redis
        .multi()
        .incr(redisKey)
        .pexpire(redisKey, windowMs + 1000)
        .exec();
      const [incrError, count] = results?.[0] ?? [new Error('no reply to INCR'), null];
      if (incrError !== null || typeof count !== 'number')
        throw incrError ?? new Error('INCR gave no number');
      this.markHealthy(true);
      return { count, resetMs };
    } catch (error) {
      this.markHealthy(false, error);
      return this.fallback.hitNow(key, windowMs);
    }
  }

  private markHealthy(healthy: boolean, error?: unknown): void {
    if (healthy === this.healthy) return;
    this.healthy = healthy;
    this.healthListener(healthy ? 'up' : 'down', error);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
    await this.fallback.close();
  }
}

/**
 * A client that never queues: while disconnected a command fails at once (and
 * the counter falls back) instead of waiting for a reconnection.
 */
export function openRedisCounter(url: string): RedisCounter {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: 2000,
    retryStrategy: () => RECONNECT_DELAY_MS,
  });
  // Connection errors are reported through the counter's fallbacks; without a
  // listener ioredis would print each one.
  redis.on('error', () => undefined);
  return new RedisCounter(redis);
}
