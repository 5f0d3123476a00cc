import { startServer, type RunningServer } from './server.js';

/** Restarting a killed process is retried this many times before the run gives up. */
const START_ATTEMPTS = 3;

/**
 * The server processes of one run, all on one database. A slot is empty while
 * its process is dead; clients wait for any slot to fill rather than polling.
 */
export class Cluster {
  private readonly slots: (RunningServer | null)[];
  private waiters: (() => void)[] = [];
  kills = 0;
  /** Kills after which a fresh process started and took requests again. */
  killsSurvived = 0;
  readonly startFailures: string[] = [];
  /** Set when a killed process could not be brought back: the run cannot go on. */
  private broken: Error | null = null;

  private constructor(
    private readonly databaseUrl: string,
    servers: RunningServer[],
  ) {
    this.slots = servers;
  }

  /** All processes start together, as a rolling deploy or a cold start would. */
  static async start(databaseUrl: string, processes: number): Promise<Cluster> {
    const started = await Promise.allSettled(
      Array.from({ length: processes }, () => startServer(databaseUrl)),
    );
    const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failed = started.find((result) => result.status === 'rejected');
    if (failed !== undefined) {
      await Promise.all(servers.map((server) => server.kill()));
      throw failed.reason;
    }
    return new Cluster(databaseUrl, servers);
  }

  get size(): number {
    return this.slots.length;
  }

  /** The URL of a random live process, waiting for one to come back when all are down. */
  async pick(): Promise<string> {
    for (;;) {
      if (this.broken !== null) throw this.broken;
      const live = this.slots.filter((slot): slot is RunningServer => slot !== null);
      if (live.length > 0) return live[Math.floor(Math.random() * live.length)]!.url;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /**
   * SIGKILLs the given processes at once, then starts a replacement for each.
   * Resolves when every replacement listens (or could not be started).
   */
  async killAndRestart(indexes: readonly number[]): Promise<void> {
    await Promise.all(
      indexes.map(async (index) => {
        const victim = this.slots[index];
        if (victim === null || victim === undefined) return;
        this.slots[index] = null;
        await victim.kill();
        this.kills += 1;
      }),
    );
    await Promise.all(indexes.map((index) => this.restart(index)));
  }

  private async restart(index: number): Promise<void> {
    for (let attempt = 1; attempt <= START_ATTEMPTS; attempt += 1) {
      try {
        this.slots[index] = await startServer(this.databaseUrl);
        this.killsSurvived += 1;
        this.wakeWaiters();
        return;
      } catch (error) {
        this.startFailures.push(`restart of process ${index} failed: ${String(error)}`);
      }
    }
    this.broken = new Error(`process ${index} could not be restarted after a kill`);
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Clean shutdown of whatever is still running. */
  async stop(): Promise<void> {
    const live = this.slots.filter((slot): slot is RunningServer => slot !== null);
    this.slots.fill(null);
    await Promise.all(live.map((server) => server.stop()));
  }

  /** The last lines of every live process, for a report with violations. */
  tails(): string {
    return this.slots.map((slot, index) => `--- process ${index}\n${slot?.tail() ?? '(down)'}`).join('\n');
  }
}
