import { csvTable } from '../csv.js';
import type { TransferView } from './views.js';

// Shared with the public history (src/http/csv.ts); re-exported for existing importers.
export { csvField, wantsCsv } from '../csv.js';

/** The CSV columns: every field of the JSON Transfer, in the same order. */
const COLUMNS = [
  'id',
  'kind',
  'amount',
  'accountId',
  'tokenSubaccount',
  'debitAccountId',
  'creditAccountId',
  'mainBalanceAfter',
  'subaccountBalanceAfter',
  'reason',
  'operator',
  'idempotencyKey',
  'createdAt',
] as const satisfies readonly (keyof TransferView)[];

export function transfersCsv(transfers: readonly TransferView[]): string {
  return csvTable(COLUMNS, transfers);
}
