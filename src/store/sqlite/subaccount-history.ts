import type Database from 'better-sqlite3';
import { HISTORY_MARK_EVERY, readHistoryPage, type ChainLink } from '../../domain/history-chain.js';
import type { TransferFilter, TransferPage } from '../../domain/pages.js';
import { TOKEN_JOIN, TRANSFER_COLUMNS, toTransfer, type TransferRow } from './rows.js';

type ChainRow = TransferRow & { seq: bigint; previous_seq: bigint | null };

/** One page of a subaccount's transfers, newest first, read along its history chain (migration 7). */
export function subaccountHistory(
  statement: (sql: string) => Database.Statement,
  filter: TransferFilter & { readonly subaccountId: number },
): TransferPage {
  const walk = (from: bigint | null, count: number) =>
    from === null ? [] : (statement(WALK).all({ from, count: BigInt(count) }) as ChainRow[]).map(toLink);
  const one = (sql: string, params: Record<string, unknown>) =>
    (statement(sql).pluck().get(params) as bigint | null | undefined) ?? null;
  return readHistoryPage(
    {
      // Statements of a few microseconds each on the event loop: cheaper than one that decides in SQL.
      start: (sub, cursor, count) => {
        const head = () => one(HEAD, { sub: BigInt(sub) });
        if (cursor === null) return walk(head(), count);
        const at = statement(AT).get({ cursor }) as
          { subaccount_id: bigint | null; previous_seq: bigint | null } | undefined;
        if (at !== undefined && at.subaccount_id === BigInt(sub)) return walk(at.previous_seq, count);
        return walk(one(MARK_ABOVE, { sub: BigInt(sub), cursor }) ?? head(), count);
      },
      walk,
    },
    filter,
  );
}

const AT = 'SELECT subaccount_id, previous_seq FROM transfers WHERE seq = @cursor';

function toLink(row: ChainRow): ChainLink {
  return { seq: row.seq, previousSeq: row.previous_seq, transfer: toTransfer(row) };
}

/** The seq of a subaccount's first indexed transfer above a position (partial index transfers_sub_marks). */
export const MARK_ABOVE = `SELECT MIN(seq) FROM transfers
  WHERE subaccount_id = @sub AND seq > @cursor AND history_ordinal % ${HISTORY_MARK_EVERY} = 0`;

const HEAD = 'SELECT last_seq FROM accounts WHERE id = @sub';

/**
 * Up to @count rows of a chain from transfer @from down, newest first, in
 * one statement: the recursion follows the links, and the sort is of those
 * rows only.
 */
const WALK = `WITH RECURSIVE chain(seq, n) AS (
    SELECT @from, 1
    UNION ALL
    SELECT t.previous_seq, chain.n + 1 FROM chain JOIN transfers t ON t.seq = chain.seq
    WHERE t.previous_seq IS NOT NULL AND chain.n < @count)
  SELECT ${TRANSFER_COLUMNS} FROM chain JOIN transfers t ON t.seq = chain.seq ${TOKEN_JOIN}
  ORDER BY chain.n`;
