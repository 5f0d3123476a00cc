import type Database from 'better-sqlite3';
import {
  ClaimBook,
  type SyncClaimTable,
  type IdempotencyClaim,
  type IdempotencyRecord,
} from '../../domain/idempotency.js';

interface ClaimRow {
  fingerprint: string;
  status: bigint;
  body: string;
  outcome: string | null;
  created_at: bigint;
}

/**
 * Idempotency records on SQLite. Every writer holds the database's one write
 * lock (BEGIN IMMEDIATE) from its first read, so reading a key and writing
 * its record in one transaction cannot race another process.
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
        body: record.body,
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
    body: row.body,
    outcome: row.outcome,
    createdAt: new Date(Number(row.created_at)),
  };
}
