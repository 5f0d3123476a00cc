/**
 * Fixed-window counters for the abuse limits (per-key rate limit, wrong-key
 * throttling). A window is `windowMs` long and starts at a multiple of it, so
 * every process sharing a counter (Redis) agrees on where windows begin
 * without talking to each other.
 */
export interface WindowCount {
  /** Hits on this key in the current window, this one included. */
  readonly count: number;
  /** Milliseconds until the current window ends. */
  readonly resetMs: number;
}

export interface WindowCounter {
  /** Counts one hit on `key` in the current window of `windowMs`. */
  hit(key: string, windowMs: number): Promise<WindowCount>;
  close(): Promise<void>;
}

/** Past this many live keys the counter forgets ended windows; it never holds more than twice as many. */
const MAX_MEMORY_KEYS = 100_000;

/** The counter of one process: what is used without REDIS_URL, and while Redis cannot be reached. */
export class MemoryCounter implements WindowCounter {
  private readonly windows = new Map<string, { windowIndex: number; count: number; endsAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async hit(key: string, windowMs: number): Promise<WindowCount> {
    return this.hitNow(key, windowMs);
  }

  hitNow(key: string, windowMs: number): WindowCount {
    const now = this.now();
    const windowIndex = Math.floor(now / windowMs);
    const resetMs = (windowIndex + 1) * windowMs - now;
    const entry = this.windows.get(key);
    if (entry !== undefined && entry.windowIndex === windowIndex) {
      entry.count += 1;
      return { count: entry.count, resetMs };
    }
    if (entry === undefined && this.windows.size >= MAX_MEMORY_KEYS) this.forgetEnded(now);
    this.windows.set(key, { windowIndex, count: 1, endsAt: now + resetMs });
    return { count: 1, resetMs };
  }

  /**
   * Keys are hashes and addresses chosen by clients, so the map must not grow
   * without bound: ended windows go first, and if every key is live (a flood
   * of distinct keys) the map starts over, which errs towards letting requests in.
   */
  private forgetEnded(now: number): void {
    for (const [key, entry] of this.windows) if (entry.endsAt <= now) this.windows.delete(key);
    if (this.windows.size >= MAX_MEMORY_KEYS) this.windows.clear();
  }

  get size(): number {
    return this.windows.size;
  }

  async close(): Promise<void> {
    this.windows.clear();
  }
}
