import type { Readable } from 'node:stream';
import type { Transfer } from '../../domain/transfers.js';
import { csvStream, csvTable, type CsvPage } from '../csv.js';
import type * as wire from 'tirelire-client';
import { transferView } from './views.js';

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
] as const satisfies readonly (keyof wire.Transfer)[];

export function transfersCsv(transfers: readonly wire.Transfer[]): string {
  return csvTable(COLUMNS, transfers);
}

/** The whole history after `first`, fetched by `next` as the client reads. */
export function transfersCsvStream(
  first: CsvPage<Transfer>,
  next: (cursor: string) => Promise<CsvPage<Transfer>>,
): Readable {
  return csvStream(COLUMNS, first, next, transferView);
}
