import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Caller } from '../domain/accounts.js';
import type { ErrorCode } from '../domain/errors.js';
import { checkMainCaller } from '../domain/ledger-rules.js';
import { formatMicros } from '../domain/money.js';
import type { TransferFilter } from '../domain/pages.js';
import type { Store } from '../domain/store.js';
import type { Transfer } from '../domain/transfers.js';
import { keyHashOf } from './key-hash.js';
import { readAll, readCursor, readDate, readLimit, readToken, type Read } from './admin/params.js';
import { CSV_STREAM_PAGE_SIZE, csvStream, csvTable, sendCsv, wantsCsv } from './csv.js';
import { sendError } from './errors.js';
import { apiKeyOrCode, queryFields, readField } from './fields.js';
import { money } from './json.js';

export const TRANSFERS_PATH = '/v1/subaccount/credit/transfers';
export const DEFAULT_HISTORY_LIMIT = 50;
export const MAX_HISTORY_LIMIT = 1000;
/** A CSV answer with `limit` is one bounded page; `X-Next-Cursor` names the next. Without, it streams everything. */
export const MAX_HISTORY_CSV_LIMIT = 10_000;
const TRANSFER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The caller's transfer history (contract section 4): every transfer that
 * touched its main account or one of its subaccounts — its own add/remove
 * (`direction` add/remove) and the operator's top-ups and charges (topup/charge)
 * — newest first, in cursor pages. Another owner's subaccount token is 7 and
 * another owner's transfer 27, exactly as if they did not exist.
 */
export function registerTransferHistoryRoutes(app: FastifyInstance, store: Store): void {
  app.get(TRANSFERS_PATH, (request, reply) => listHistory(store, request, reply));
  app.get(`${TRANSFERS_PATH}/:id`, (request, reply) => getOne(store, request, reply));
}

async function authenticate(store: Store, request: FastifyRequest): Promise<Caller | ErrorCode> {
  const apiKey = apiKeyOrCode(request, {});
  if (typeof apiKey !== 'string') return apiKey;
  const caller = await store.authenticate(keyHashOf(request, apiKey));
  return checkMainCaller(caller) ?? (caller as Caller);
}

async function listHistory(store: Store, request: FastifyRequest, reply: FastifyReply) {
  const caller = await authenticate(store, request);
  if (typeof caller === 'number') return sendError(request, reply, caller);
  const csv = wantsCsv(request.headers.accept);
  const filter = await readFilter(store, request, caller.accountId, csv);
  if (!filter.ok) return sendError(request, reply, filter.code);
  const page = await store.listTransfers(filter.value);
  if (!csv) {
    const data = page.items.map(historyItem);
    return reply.send({ success: true, code: 200, data, nextCursor: page.nextCursor });
  }
  // Without `limit`, the CSV is the whole filtered history, streamed page by page.
  if (readField(queryFields(request), 'limit').kind === 'absent') {
    const next = (cursor: string) => store.listTransfers({ ...filter.value, cursor });
    return sendCsv(reply, csvStream(CSV_COLUMNS, page, next, csvRow));
  }
  if (page.nextCursor !== null) reply.header('x-next-cursor', page.nextCursor);
  return sendCsv(reply, csvTable(CSV_COLUMNS, page.items.map(csvRow)));
}

async function getOne(store: Store, request: FastifyRequest, reply: FastifyReply) {
  const caller = await authenticate(store, request);
  if (typeof caller === 'number') return sendError(request, reply, caller);
  const id = (request.params as { id?: unknown }).id;
  const transfer = typeof id === 'string' && TRANSFER_ID.test(id) ? await store.getTransfer(id) : null;
  if (transfer === null || transfer.mainAccountId !== caller.accountId) return sendError(request, reply, 27);
  return reply.send({ success: true, code: 200, transfer: historyItem(transfer) });
}

async function readFilter(
  store: Store,
  request: FastifyRequest,
  mainAccountId: number,
  csv: boolean,
): Promise<Read<TransferFilter>> {
  const query = queryFields(request);
  const read = readAll(
    readToken(query, 'tokenSubaccount'),
    readDate(query, 'since'),
    readDate(query, 'until'),
    csv
      ? readLimit(query, CSV_STREAM_PAGE_SIZE, MAX_HISTORY_CSV_LIMIT)
      : readLimit(query, DEFAULT_HISTORY_LIMIT, MAX_HISTORY_LIMIT),
    readCursor(query),
  );
  if (!read.ok) return read;
  const [token, since, until, limit, cursor] = read.value;
  if (token === undefined) return { ok: true, value: { mainAccountId, since, until, limit, cursor } };
  const sub = await store.findSubaccountByToken(token);
  if (sub === null || sub.parentId !== mainAccountId) return { ok: false, code: 7 };
  // A subaccount's parent never changes, so its own index alone answers the page.
  return { ok: true, value: { subaccountId: sub.id, since, until, limit, cursor } };
}

/** The balance a transfer left on `accountId`, or null when that account was not one of its sides. */
function balanceAfter(transfer: Transfer, accountId: number | null): bigint | null {
  if (accountId === null) return null;
  if (transfer.debitAccountId === accountId) return transfer.debitBalanceAfterMicros;
  if (transfer.creditAccountId === accountId) return transfer.creditBalanceAfterMicros;
  return null;
}

interface HistoryFields {
  readonly id: string;
  readonly direction: Transfer['kind'];
  readonly tokenSubaccount: string | null;
  readonly amount: bigint;
  /** The main account's balance after; null for a charge of a subaccount, which left it as it was. */
  readonly credit: bigint | null;
  readonly subaccountCredit: bigint | null;
  readonly createdAt: string;
  readonly idempotencyKey: string | null;
}

function historyFields(transfer: Transfer): HistoryFields {
  return {
    id: transfer.id,
    direction: transfer.kind,
    tokenSubaccount: transfer.subaccountToken,
    amount: transfer.amountMicros,
    credit: balanceAfter(transfer, transfer.mainAccountId),
    subaccountCredit: balanceAfter(transfer, transfer.subaccountId),
    createdAt: transfer.createdAt.toISOString(),
    idempotencyKey: transfer.idempotencyKey,
  };
}

/** Amounts as exact JSON numbers, as the add answer writes them. */
export function historyItem(transfer: Transfer) {
  const fields = historyFields(transfer);
  const exact = (micros: bigint | null) => (micros === null ? null : money(micros));
  return {
    ...fields,
    amount: money(fields.amount),
    credit: exact(fields.credit),
    subaccountCredit: exact(fields.subaccountCredit),
  };
}

const CSV_COLUMNS = [
  'id',
  'direction',
  'tokenSubaccount',
  'amount',
  'credit',
  'subaccountCredit',
  'createdAt',
  'idempotencyKey',
] as const;

function csvRow(transfer: Transfer): Record<(typeof CSV_COLUMNS)[number], string | null> {
  const fields = historyFields(transfer);
  const text = (micros: bigint | null) => (micros === null ? null : formatMicros(micros));
  return {
    ...fields,
    amount: formatMicros(fields.amount),
    credit: text(fields.credit),
    subaccountCredit: text(fields.subaccountCredit),
  };
}
