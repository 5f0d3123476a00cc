import type Database from 'better-sqlite3';
import {
  cursorPosition,
  encodeCursor,
  pageOf,
  transfersExamined,
  type TransferFilter,
  type TransferPage,
} from '../../domain/pages.js';
import { HISTORY_MARK_EVERY } from './migrations.js';
import { TOKEN_JOIN, TRANSFER_COLUMNS, toTransfer, type TransferRow } from './rows.js';

type ChainRow = TransferRow & { seq: bigint; previous_seq: bigint | null };

/**
 * One page of a subaccount's transfers, newest first, read along its history
 * chain (migration 7): from the subaccount's last seq, or from the transfer
 * before the cursor's, each row naming the one before it; a position that is
 * not one of the history's transfers starts from the index of one transfer
 * in HISTORY_MARK_EVERY. Rows never change and a commit only adds rows above
 * the head read, so the walk sees one consistent history without a read
 * transaction. The other filters are checked on each row, as the former index
 * scan did, and then the walk stops after the transfers a page may examine
 * (transfersExamined): a page that found fewer than `limit` by then ends at
 * the last one walked, so the next walks on from there.
 */
export function subaccountHistory(
  statement: (sql: string) => Database.Statement,
  filter: TransferFilter & { readonly subaccountId: number },
): TransferPage {
  const walk = statement(WALK);
  const sub = BigInt(filter.subaccountId);
  const cursor = filter.cursor === undefined ? null : cursorPosition(filter.cursor);
  // No row (no such account) and no transfer yet are the same empty history.
  let next =
    (statement('SELECT last_seq FROM accounts WHERE id = ?').pluck().get(sub) as bigint | null | undefined) ??
    null;
  if (cursor !== null) {
    const [at] = walk.all(cursor, 1n) as ChainRow[];
    if (at !== undefined && at.subaccount_id === sub) {
      // A cursor of this history: the walk starts right below it.
      next = at.previous_seq;
    } else {
      // Any other position: from the first indexed transfer above it, fewer than
      // HISTORY_MARK_EVERY rows are walked before the cursor is passed.
      const mark = statement(MARK_ABOVE).pluck().get(sub, cursor) as bigint | null;
      if (mark !== null) next = mark;
    }
  }
  const matches = rowFilter(filter);
  const examine = transfersExamined(filter) ?? Infinity;
  const rows: ChainRow[] = [];
  let examined = 0;
  let lastExamined: bigint | null = null;
  while (next !== null && rows.length <= filter.limit && examined < examine) {
    // Up to the rows still wanted, in one statement; more when some may not match.
    const wanted = filter.limit + 1 - rows.length;
    const chunk = Math.min(
      Math.max(wanted, examine === Infinity ? WALK_CHUNK : FILTERED_WALK_CHUNK),
      examine - examined,
    );
    const links = walk.all(next, BigInt(chunk)) as ChainRow[];
    if (links.length === 0)
      throw new Error(`subaccount ${sub}'s history names a missing transfer (seq ${next})`);
    for (const row of links) {
      if (rows.length > filter.limit) break;
      // Rows walked from a mark down to the cursor are not the page's: they are not examined.
      if (cursor !== null && row.seq >= cursor) continue;
      examined += 1;
      lastExamined = row.seq;
      if (matches(row)) rows.push(row);
    }
    next = links.at(-1)!.previous_seq;
  }
  const page = pageOf(rows, filter.limit, (row) => row.seq);
  const cutAt = page.nextCursor === null && next !== null && examined >= examine ? lastExamined : null;
  return {
    items: page.rows.map(toTransfer),
    nextCursor: cutAt === null ? page.nextCursor : encodeCursor(cutAt),
  };
}

/** The seq of a subaccount's first indexed transfer above a position (partial index transfers_sub_marks). */
export const MARK_ABOVE = `SELECT MIN(seq) FROM transfers
  WHERE subaccount_id = ? AND seq > ? AND history_ordinal % ${HISTORY_MARK_EVERY} = 0`;

/** Rows walked per statement at least. */
const WALK_CHUNK = 16;
/** The same when rows are checked against filters, which may reject most of them. */
const FILTERED_WALK_CHUNK = 256;

/**
 * Up to a number of rows (the second parameter) of a chain from a transfer
 * (the first) down, newest first, in one statement: the recursion follows the
 * links, and the sort is of those rows only.
 */
const WALK = `WITH RECURSIVE chain(seq, n) AS (
    SELECT ?, 1
    UNION ALL
    SELECT t.previous_seq, chain.n + 1 FROM chain JOIN transfers t ON t.seq = chain.seq
    WHERE t.previous_seq IS NOT NULL AND chain.n < ?)
  SELECT ${TRANSFER_COLUMNS} FROM chain JOIN transfers t ON t.seq = chain.seq ${TOKEN_JOIN}
  ORDER BY chain.n`;

/** The filters other than the subaccount and the cursor, as a test of one row. */
function rowFilter(filter: TransferFilter): (row: ChainRow) => boolean {
  const main = filter.mainAccountId === undefined ? null : BigInt(filter.mainAccountId);
  const since = filter.since === undefined ? null : BigInt(filter.since.getTime());
  const until = filter.until === undefined ? null : BigInt(filter.until.getTime());
  return (row) =>
    (main === null || row.main_account_id === main) &&
    (filter.kind === undefined || row.kind === filter.kind) &&
    (since === null || row.created_at >= since) &&
    (until === null || row.created_at < until);
}
