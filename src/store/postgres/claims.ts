import { textOf } from '../../domain/answers/utf8.js';
import {
  ClaimBook,
  claimId,
  expiryCutoff,
  type ClaimTable,
  type IdempotencyClaim,
  type IdempotencyRecord,
} from '../../domain/idempotency.js';
import { sendStatement, type Queryable, type Statement } from './transaction.js';

/**
 * Idempotency records on PostgreSQL. `reserve` inserts a row per new key
 * (or takes over an expired one) before any account is locked: a second
 * transaction with the same key, in any process, waits on the unique index
 * until the first commits, then finds its complete record and replays it (or
 * inserts afresh if the first rolled back). Keys are taken in sorted order
 * and always before account rows, so two transactions never wait in a cycle.
 */
const RESERVE_SQL = `
  INSERT INTO idempotency_keys (scope, key, fingerprint, created_at)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) AS c(scope, key, fp, at)
  ORDER BY scope, key
  ON CONFLICT (scope, key) DO UPDATE
    SET fingerprint = EXCLUDED.fingerprint, created_at = EXCLUDED.created_at,
      status = NULL, body = NULL, outcome = NULL
    WHERE idempotency_keys.created_at <= $5
  RETURNING scope, key`;

const FOUND_SQL = `
  SELECT k.scope, k.key, fingerprint, status, body, outcome, created_at FROM idempotency_keys k
  JOIN unnest($1::text[], $2::text[]) AS c(scope, key) ON k.scope = c.scope AND k.key = c.key`;

const COMPLETE_SQL = `
  UPDATE idempotency_keys k SET status = c.status, body = c.body, outcome = c.outcome
  FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[]) AS c(scope, key, status, body, outcome)
  WHERE k.scope = c.scope AND k.key = c.key`;

const RELEASE_SQL = `
  DELETE FROM idempotency_keys k USING unnest($1::text[], $2::text[]) AS c(scope, key)
  WHERE k.scope = c.scope AND k.key = c.key`;

interface FoundRow {
  scope: string;
  key: string;
  fingerprint: string;
  status: number;
  body: string;
  outcome: string | null;
  created_at: Date;
}

export interface OpenClaims {
  readonly book: ClaimBook;
  /** Keys this transaction inserted: each is completed or deleted before commit. */
  readonly reserved: readonly IdempotencyClaim[];
}

export async function openClaims(
  client: Queryable,
  claims: readonly (IdempotencyClaim | undefined)[],
): Promise<OpenClaims> {
  const unique = new Map<string, IdempotencyClaim>();
  for (const claim of claims)
    if (claim !== undefined && !unique.has(claimId(claim))) unique.set(claimId(claim), claim);
  if (unique.size === 0) return { book: new ClaimBook([]), reserved: [] };
  const all = [...unique.values()];
  const now = all[0]!.createdAt;
  const inserted = await client.query<{ scope: string; key: string }>(RESERVE_SQL, [
    all.map((claim) => claim.scope),
    all.map((claim) => claim.key),
    all.map((claim) => claim.fingerprint),
    all.map((claim) => claim.createdAt),
    expiryCutoff(now),
  ]);
  const reservedIds = new Set(
    inserted.rows.map((row) => claimId({ ...row, fingerprint: '', createdAt: now })),
  );
  const reserved = all.filter((claim) => reservedIds.has(claimId(claim)));
  const others = all.filter((claim) => !reservedIds.has(claimId(claim)));
  if (others.length === 0) return { book: new ClaimBook([]), reserved };
  const found = await client.query<FoundRow>(FOUND_SQL, [
    others.map((claim) => claim.scope),
    others.map((claim) => claim.key),
  ]);
  const byId = new Map(found.rows.map((row) => [claimId({ ...row, fingerprint: '', createdAt: now }), row]));
  const records: [IdempotencyClaim, IdempotencyRecord][] = [];
  for (const claim of others) {
    const row = byId.get(claimId(claim));
    if (row !== undefined) records.push([claim, toRecord(row)]);
  }
  return { book: new ClaimBook(records), reserved };
}

/** Completes the rows the book settled and deletes reserved rows left without a record. */
export async function closeClaims(client: Queryable, open: OpenClaims): Promise<void> {
  for (const statement of closeClaimsStatements(open)) await sendStatement(client, statement);
}

/** The statements of `closeClaims`, to run in order. */
export function closeClaimsStatements(open: OpenClaims): Statement[] {
  const statements: Statement[] = [];
  const written = [...open.book.written.values()];
  if (written.length > 0) {
    statements.push({
      name: 'claims_complete',
      text: COMPLETE_SQL,
      values: [
        written.map(({ claim }) => claim.scope),
        written.map(({ claim }) => claim.key),
        written.map(({ record }) => record.status),
        // The column is text: a batch's answer, made as bytes, is kept as its text.
        written.map(({ record }) => textOf(record.body)),
        written.map(({ record }) => record.outcome),
      ],
    });
  }
  const unused = open.reserved.filter((claim) => !open.book.written.has(claimId(claim)));
  if (unused.length > 0) {
    statements.push({
      name: 'claims_release',
      text: RELEASE_SQL,
      values: [unused.map((claim) => claim.scope), unused.map((claim) => claim.key)],
    });
  }
  return statements;
}

function toRecord(row: FoundRow): IdempotencyRecord {
  return {
    fingerprint: row.fingerprint,
    status: row.status,
    body: row.body,
    outcome: row.outcome,
    createdAt: row.created_at,
  };
}

/**
 * The idempotency table of one transaction, for the domain's `guarded`: the
 * key is taken before any account row, as every transaction takes them.
 */
export function claimTable(client: Queryable): ClaimTable<OpenClaims> {
  return {
    open: (claims) => openClaims(client, claims),
    close: (opened) => closeClaims(client, opened),
  };
}
