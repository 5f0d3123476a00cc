import pg from 'pg';

/** What a statement on a connection found silent fails with (retry.ts reads it as unavailable, not stale). */
export const SILENT_MESSAGE = 'Connection terminated: PostgreSQL stopped answering on it';

export interface SilenceWatchOptions {
  /** The pool's own URL: the probe takes the same path to the database as the pool's connections. */
  readonly connectionString: string;
  /** How long a connection may stay checked out before it is checked (PG_SILENT_AFTER_MS). */
  readonly suspectAfterMs: number;
  /** How long the probe may take to connect and answer; past it the database counts as unreachable. */
  readonly probeTimeoutMs: number;
}

// The probe's own session id, as PostgreSQL and the connection see it (they differ behind a pooler),
// and which of the suspect sessions still exist.
const PROBE_SQL = `SELECT pg_backend_pid() AS self,
  ARRAY(SELECT pid FROM pg_stat_activity WHERE pid = ANY($1::int[])) AS alive`;

/**
 * Finds the pool's connections that went silent: a half-open TCP connection
 * after a failover answers nothing and resets nothing, so a statement on it
 * would wait for the whole client-side limit (statement timeout and some).
 * A statement may legitimately wait long (a row lock under contention, a
 * migration, verify), so silence alone proves nothing: once a connection has
 * been out for `suspectAfterMs`, one probe on a fresh connection asks the
 * database whether its session still exists. A session the database does not
 * know (a new primary, a restarted server), or a database the probe cannot
 * reach, means the connection is dead: its socket is destroyed, its statement
 * fails at once (503) and the pool's idle connections go too. Behind a pooler
 * (PgBouncer) session ids mean nothing, and only reachability is checked.
 */
export function watchSilence(pool: pg.Pool, options: SilenceWatchOptions): void {
  const outSince = new Map<pg.PoolClient, number>();
  pool.on('acquire', (client) => outSince.set(client, performance.now()));
  pool.on('release', (_error: Error | undefined, client: pg.PoolClient) => outSince.delete(client));
  pool.on('remove', (client) => outSince.delete(client));
  let probing = false;
  const timer = setInterval(
    () => {
      if (pool.ended) clearInterval(timer);
      if (probing || pool.ended) return;
      const now = performance.now();
      const suspects = [...outSince].filter(([, since]) => now - since >= options.suspectAfterMs);
      if (suspects.length === 0) return;
      probing = true;
      void probe(
        options,
        suspects.map(([client]) => processIdOf(client)),
      )
        .then((alive) => {
          for (const [client, since] of suspects) {
            // Released or taken again meanwhile: not the statement that was suspected.
            if (outSince.get(client) !== since) continue;
            // Alive (waiting on a lock, say): checked again only after as long again, so a busy
            // database sees one probe per period at most, not one per tick.
            if (alive(processIdOf(client))) outSince.set(client, performance.now());
            else {
              outSince.delete(client);
              client.connection.stream.destroy(new Error(SILENT_MESSAGE));
            }
          }
        })
        .finally(() => (probing = false));
    },
    Math.max(50, Math.min(250, options.suspectAfterMs / 4)),
  );
  timer.unref();
}

/** The session id PostgreSQL (or the pooler in front) gave the connection at start-up. */
function processIdOf(client: pg.PoolClient | pg.Client): number {
  return (client as unknown as { processID?: number }).processID ?? 0;
}

/** Which of `ids` are live sessions; every one is dead when the database cannot be reached. */
async function probe(options: SilenceWatchOptions, ids: readonly number[]): Promise<(id: number) => boolean> {
  const client = new pg.Client({
    connectionString: options.connectionString,
    connectionTimeoutMillis: options.probeTimeoutMs,
    query_timeout: options.probeTimeoutMs,
    application_name: 'tirelire-probe',
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const found = await client.query<{ self: number; alive: number[] }>(PROBE_SQL, [ids]);
    const { self, alive } = found.rows[0]!;
    if (self !== processIdOf(client)) return () => true;
    const live = new Set(alive);
    return (id) => live.has(id);
  } catch {
    return () => false;
  } finally {
    // Not end(): on a silent path it would wait for an answer that never comes.
    client.connection.stream.destroy();
  }
}
