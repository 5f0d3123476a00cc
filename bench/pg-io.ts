import { setTimeout as delay } from 'node:timers/promises';
import { POOL_APPLICATION_NAME } from '../src/store/postgres/pool.js';
import { withPgClient } from './handwritten-schema.js';

/**
 * PostgreSQL's cumulative I/O counters that tell what a run cost beyond its
 * CPU: blocks of one schema's tables and indexes read from outside shared
 * buffers (`pg_statio_all_tables`), and the cluster's WAL (`pg_stat_wal`,
 * PostgreSQL 14 and later) with its full-page images, the first change to a
 * page after a checkpoint. Read before a server starts and after it stops,
 * so a run's difference is all of its own.
 */
export interface PgIo {
  readonly blocksRead: number;
  readonly walBytes: number;
  readonly fullPageImages: number;
}

/** How long a reading waits for the stopped server's connections to end. */
const SETTLE_MS = 5_000;

/** The counters, or undefined before PostgreSQL 14 (no `pg_stat_wal`): the run's line then leaves them out. */
export function readPgIo(url: string, schema: string): Promise<PgIo | undefined> {
  return withPgClient(url, async (client) => {
    const version = await client.query<{ n: number }>(
      `SELECT current_setting('server_version_num')::int AS n`,
    );
    if (version.rows[0]!.n < 140_000) return undefined;
    // A backend reports what it counted as it exits: the reading waits (up to
    // SETTLE_MS) until no store connection is left in the database.
    const until = Date.now() + SETTLE_MS;
    while (Date.now() < until) {
      const left = await client.query<{ count: number }>(
        `SELECT count(*)::int AS count FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = $1`,
        [POOL_APPLICATION_NAME],
      );
      if (left.rows[0]!.count === 0) break;
      await delay(50);
    }
    const found = await client.query<{ blocks: string; wal_bytes: string; wal_fpi: string }>(
      `SELECT (SELECT COALESCE(SUM(heap_blks_read + COALESCE(idx_blks_read, 0) + COALESCE(toast_blks_read, 0)
                 + COALESCE(tidx_blks_read, 0)), 0) FROM pg_statio_all_tables WHERE schemaname = $1)::text AS blocks,
              wal_bytes::text, wal_fpi::text
       FROM pg_stat_wal`,
      [schema],
    );
    const row = found.rows[0]!;
    return {
      blocksRead: Number(row.blocks),
      walBytes: Number(row.wal_bytes),
      fullPageImages: Number(row.wal_fpi),
    };
  });
}

/** What a run cost per transfer, between two readings. */
export function pgIoPerTransfer(before: PgIo, after: PgIo, transfers: number): PgIo {
  const per = (key: keyof PgIo) => (after[key] - before[key]) / Math.max(1, transfers);
  return { blocksRead: per('blocksRead'), walBytes: per('walBytes'), fullPageImages: per('fullPageImages') };
}

export function describePgIo(io: PgIo): string {
  return (
    `per transfer ${io.blocksRead.toFixed(2)} blocks read, ${(io.walBytes / 1024).toFixed(1)} kB of WAL ` +
    `(${io.fullPageImages.toFixed(2)} full pages)`
  );
}
