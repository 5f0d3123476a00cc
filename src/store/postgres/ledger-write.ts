import type { Transfer } from '../../domain/transfers.js';
import { transferValues } from './rows.js';
import { sendStatement, type Queryable, type Statement } from './transaction.js';

const TRANSFER_ARRAY_TYPES = [
  'text',
  'text',
  'bigint',
  'bigint',
  'bigint',
  'bigint',
  'bigint',
  'bigint',
  'bigint',
  'text',
  'text',
  'text',
  'text',
  'timestamptz',
];

const TRANSFER_INSERT_COLUMNS = `id, kind, debit_account_id, credit_account_id, amount, debit_balance_after,
  credit_balance_after, main_account_id, subaccount_id, subaccount_token, idempotency_key, reason, operator,
  created_at`;

const unnestArgs = TRANSFER_ARRAY_TYPES.map((type, index) => `$${index + 1}::${type}[]`).join(', ');
const idsParam = TRANSFER_ARRAY_TYPES.length + 1;

// One statement for a whole batch: every transfer row and every new balance,
// set-based. The balances are the final ones computed in JS under the row locks.
// It fails (and so rolls the transaction back) unless it updated exactly the
// accounts given: the check runs in SQL because the statement may be sent
// together with COMMIT (inPipelinedTransaction), too late for a check in JS.
const WRITE_SQL = `
  WITH inserted AS (
    INSERT INTO transfers (${TRANSFER_INSERT_COLUMNS}) SELECT * FROM unnest(${unnestArgs})
  ), updated AS (
    UPDATE accounts SET balance = u.balance
    FROM unnest($${idsParam}::bigint[], $${idsParam + 1}::bigint[]) AS u(id, balance)
    WHERE accounts.id = u.id RETURNING 1
  )
  SELECT CASE WHEN count(*) = cardinality($${idsParam}::bigint[]) THEN count(*)
    ELSE CAST('balance update touched ' || count(*) || ' of ' || cardinality($${idsParam}::bigint[]) || ' accounts' AS bigint)
  END AS updated FROM updated`;

/** The statement appending `transfers` and setting each account of `balances` to its new balance; null when there is nothing to write. */
export function ledgerWriteStatement(
  transfers: readonly Transfer[],
  balances: ReadonlyMap<number, bigint>,
): Statement | null {
  if (transfers.length === 0) return null;
  const columns: (string | null)[][] = TRANSFER_ARRAY_TYPES.map(() => []);
  for (const transfer of transfers) {
    transferValues(transfer).forEach((value, index) => columns[index]!.push(value));
  }
  const ids = [...balances.keys()].map(String);
  const amounts = [...balances.values()].map(String);
  return { name: 'ledger_write', text: WRITE_SQL, values: [...columns, ids, amounts] };
}

/** Appends `transfers` and sets each account of `balances` to its new balance, in one statement. */
export async function writeLedger(
  client: Queryable,
  transfers: readonly Transfer[],
  balances: ReadonlyMap<number, bigint>,
): Promise<void> {
  const statement = ledgerWriteStatement(transfers, balances);
  if (statement !== null) await sendStatement(client, statement);
}
