import type { Transfer } from '../../domain/transfers.js';
import { transferValues } from './rows.js';
import type { Queryable } from './transaction.js';

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

// One round trip for a whole batch: every transfer row and every new balance,
// set-based. The balances are the final ones computed in JS under the row locks.
const WRITE_SQL = `
  WITH inserted AS (
    INSERT INTO transfers (${TRANSFER_INSERT_COLUMNS}) SELECT * FROM unnest(${unnestArgs})
  )
  UPDATE accounts SET balance = u.balance
  FROM unnest($${idsParam}::bigint[], $${idsParam + 1}::bigint[]) AS u(id, balance)
  WHERE accounts.id = u.id`;

/** Appends `transfers` and sets each account of `balances` to its new balance, in one statement. */
export async function writeLedger(
  client: Queryable,
  transfers: readonly Transfer[],
  balances: ReadonlyMap<number, bigint>,
): Promise<void> {
  if (transfers.length === 0) return;
  const columns: (string | null)[][] = TRANSFER_ARRAY_TYPES.map(() => []);
  for (const transfer of transfers) {
    transferValues(transfer).forEach((value, index) => columns[index]!.push(value));
  }
  const ids = [...balances.keys()].map(String);
  const amounts = [...balances.values()].map(String);
  const result = await client.query(WRITE_SQL, [...columns, ids, amounts]);
  if (result.rowCount !== balances.size) {
    throw new Error(`balance update touched ${String(result.rowCount)} of ${balances.size} accounts`);
  }
}
