import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type Database from 'better-sqlite3';
import {
  ClaimBook,
  type SyncClaimTable,
  type IdempotencyClaim,
  type IdempotencyRecord,
} from '../../domain/idempotency.js';

/** Fast and small enough: level 6 makes 3 % fewer bytes in twice the time. */
const DEFLATE = { level: 1 };

interface ClaimRow {
  fingerprint: string;
  status: bigint;
  /** Text, or a batch's answer deflated (a BLOB: see `SqliteClaims`). */
  body: string | Buffer;
  outcome: string | null;
  created_at: bigint;
}

/**
 * Idempotency records on SQLite. Every writer holds the database's one write
 * lock (BEGIN IMMEDIATE) from its first read, so reading a key and writing
 * its record in one transaction cannot race another process.
 *
 * An answer made as text is kept as TEXT. One made as bytes (a batch's) is
 * kept deflated, as a BLOB: the answer of 1000 results, about 140 kB, takes
 * some 18 kB, and its transaction writes 1.3 ms less for 0.35 ms of zlib
 * (level 1; docs/benchmarks.md, "Keyed batches"). PostgreSQL compresses a
 * large text value by itself (TOAST). Migration 10 marks the files that may
 * hold such records, so that a build from before them refuses the file
 * rather than send deflated bytes as a replay's answer.
 */
export class SqliteClaims implements SyncClaimTable<{ readonly book: ClaimBook }> {
  private readonly select: Database.Statement;
  private readonly upsert: Database.Statement;
  private readonly expire: Database.Statement;

  constructor(db: Database.Database) {
    this.select = db.prepare(
      'SELECT fingerprint, status, body, outcome, created_at FROM idempotency_keys WHERE scope = ? AND key = ?',
    );
    // An expired record is replaced by the new request's.
    this.upsert = db.prepare(
      `INSERT OR REPLACE INTO idempotency_keys (scope, key, fingerprint, status, body, outcome, created_at)
       VALUES (@scope, @key, @fingerprint, @status, @body, @outcome, @createdAt)`,
    );
    this.expire = db.prepare(
      `DELETE FROM idempotency_keys WHERE (scope, key) IN
         (SELECT scope, key FROM idempotency_keys WHERE created_at <= ? LIMIT ?)`,
    );
  }

  /** Inside a write transaction: the records of the given claims. */
  open(claims: readonly (IdempotencyClaim | undefined)[]): { readonly book: ClaimBook } {
    const found: [IdempotencyClaim, IdempotencyRecord][] = [];
    for (const claim of claims) {
      if (claim === undefined) continue;
      const row = this.select.get(claim.scope, claim.key) as ClaimRow | undefined;
      if (row !== undefined) found.push([claim, toRecord(row)]);
    }
    return { book: new ClaimBook(found) };
  }

  /** Inside the same transaction: writes what the book settled. */
  close({ book }: { readonly book: ClaimBook }): void {
    for (const { claim, record } of book.written.values()) {
      this.upsert.run({
        scope: claim.scope,
        key: claim.key,
        fingerprint: record.fingerprint,
        status: record.status,
        body: typeof record.body === 'string' ? record.body : deflateRawSync(record.body, DEFLATE),
        outcome: record.outcome,
        createdAt: record.createdAt.getTime(),
      });
    }
  }

  deleteExpired(cutoff: Date, limit: number): number {
    return this.expire.run(cutoff.getTime(), limit).changes;
  }
}

function toRecord(row: ClaimRow): IdempotencyRecord {
  return {
    fingerprint: row.fingerprint,
    status: Number(row.status),
    body: typeof row.body === 'string' ? row.body : inflateRawSync(row.body),
    outcome: row.outcome,
    createdAt: new Date(Number(row.created_at)),
  };
}
