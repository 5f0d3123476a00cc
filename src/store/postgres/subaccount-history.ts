import type pg from 'pg';
import { HISTORY_MARK_EVERY, readHistoryPageAsync, type ChainLink } from '../../domain/history-chain.js';
import type { TransferFilter, TransferPage } from '../../domain/pages.js';
import { TRANSFER_COLUMNS, toTransfer, type Int8, type TransferRow } from './rows.js';
import { runQuery } from './transaction.js';

type ChainRow = TransferRow & { seq: Int8; previous_seq: Int8 | null };

/** One page of a subaccount's transfers, newest first, read along its history chain (migration 10). */
export function subaccountHistory(
  pool: pg.Pool,
  filter: TransferFilter & { readonly subaccountId: number },
): Promise<TransferPage> {
  const links = async (text: string, values: unknown[]) =>
    (await runQuery<ChainRow>(pool, text, values)).rows.map(toLink);
  return readHistoryPageAsync(
    {
      start: (sub, cursor, count) => links(START, [sub, cursor?.toString() ?? null, count]),
      walk: (from, count) => links(WALK, [from.toString(), count]),
    },
    filter,
  );
}

function toLink(row: ChainRow): ChainLink {
  return {
    seq: BigInt(row.seq),
    previousSeq: row.previous_seq === null ? null : BigInt(row.previous_seq),
    transfer: toTransfer(row),
  };
}

/** The seq of subaccount $1's first indexed transfer above position $2 (partial index transfers_sub_marks). */
export const MARK_ABOVE = `SELECT min(seq) FROM transfers
  WHERE subaccount_id = $1 AND seq > $2 AND history_ordinal % ${HISTORY_MARK_EVERY} = 0`;

const HEAD = 'SELECT last_seq FROM accounts WHERE id = $1';

const CHAIN_COLUMNS = `seq, previous_seq, ${TRANSFER_COLUMNS}`;

/**
 * Up to a number of rows ($n) of a chain from the transfer the anchor's
 * condition names down, newest first, in one statement: each step of the
 * recursion reads the next row whole by its seq, one lookup per transfer
 * (docs/benchmarks.md: reading the seqs first and the rows after took twice
 * as long cold). Both steps carry the table's own columns; the page's are
 * picked at the end.
 */
function chainFrom(anchor: string, count: string): string {
  return `WITH RECURSIVE chain AS (
    SELECT 1 AS n, t.* FROM transfers t WHERE ${anchor}
    UNION ALL
    SELECT chain.n + 1, t.* FROM chain JOIN transfers t ON t.seq = chain.previous_seq
    WHERE chain.n < ${count})
  SELECT ${CHAIN_COLUMNS} FROM chain ORDER BY n`;
}

/** From transfer $1 down, $2 rows. */
const WALK = chainFrom('seq = $1', '$2');

/**
 * From where a page of subaccount $1 starts (HistoryChain.start), given the
 * cursor's position $2 or null, $3 rows: a page is one round trip.
 */
const START = chainFrom(
  `seq = (SELECT CASE WHEN $2::bigint IS NULL THEN (${HEAD})
      WHEN c.subaccount_id = $1 THEN c.previous_seq
      ELSE coalesce((${MARK_ABOVE}), (${HEAD})) END
    FROM (SELECT 1) AS one LEFT JOIN transfers c ON c.seq = $2)`,
  '$3',
);
