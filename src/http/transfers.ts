import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LosslessNumber } from 'lossless-json';
import type { MainCaller } from '../domain/accounts.js';
import type { ErrorCode } from '../domain/errors.js';
import { checkMainCaller } from '../domain/ledger-rules.js';
import { formatMicros } from '../domain/money.js';
import type { TransferFilter } from '../domain/pages.js';
import type { Store } from '../domain/store.js';
import { publicTransfer } from '../domain/answers/transfer-view.js';
import { TRANSFER_ID_SHAPE, type Transfer } from '../domain/transfers.js';
import type { Shape, historyTransferSchema } from 'tirelire-client/shapes';
import { keyHashOf } from './key-hash.js';
import { readAll, readCursor, readDate, readToken, readTransferLimit, type Read } from './admin/params.js';
import { csvStream, csvTable, sendCsv, wantsCsv } from './csv.js';
import { sendError } from './errors.js';
import { apiKeyOrCode, queryFields, readField } from './fields.js';
import { money, type Written } from './json.js';

const TRANSFERS_PATH = '/v1/subaccount/credit/transfers';

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

async function authenticate(store: Store, request: FastifyRequest): Promise<MainCaller | ErrorCode> {
  const apiKey = apiKeyOrCode(request, {});
  if (typeof apiKey !== 'string') return apiKey;
  return checkMainCaller(await store.authenticate(keyHashOf(request, apiKey)));
}

async function listHistory(store: Store, request: FastifyRequest, reply: FastifyReply) {
  const caller = await authenticate(store, request);
  if (typeof caller === 'number') return sendError(request, reply, caller);
  const csv = wantsCsv(request.headers.accept);
  const filter = await readFilter(store, request, caller.accountId, csv);
  if (!filter.ok) return sendError(request, reply, filter);
  const page = await store.listTransfers(filter.value);
  if (!csv) {
    const data = page.items.map(historyItem);
    return reply.send({
      success: true,
      code: 200,
      data,
      nextCursor: page.nextCursor,
    } satisfies Written<'listTransfers'>);
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
  const transfer = typeof id === 'string' && TRANSFER_ID_SHAPE.test(id) ? await store.getTransfer(id) : null;
  if (transfer === null || transfer.mainAccountId !== caller.accountId) return sendError(request, reply, 27);
  return reply.send({
    success: true,
    code: 200,
    transfer: historyItem(transfer),
  } satisfies Written<'getTransfer'>);
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
    readTransferLimit(query, csv),
    readCursor(query),
  );
  if (!read.ok) return read;
  const [token, since, until, limit, cursor] = read.value;
  if (token === undefined) return { ok: true, value: { mainAccountId, since, until, limit, cursor } };
  const sub = await store.findSubaccountByToken(token);
  if (sub === null || sub.parentId !== mainAccountId || sub.closedAt !== null) return { ok: false, code: 7 };
  // A subaccount's parent never changes, so its own index alone answers the page.
  return { ok: true, value: { subaccountId: sub.id, since, until, limit, cursor } };
}

/** Amounts as exact JSON numbers, as the add answer writes them. */
function historyItem(transfer: Transfer): Shape<typeof historyTransferSchema, LosslessNumber> {
  const fields = publicTransfer(transfer);
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
  const fields = publicTransfer(transfer);
  const text = (micros: bigint | null) => (micros === null ? null : formatMicros(micros));
  return {
    ...fields,
    amount: formatMicros(fields.amount),
    credit: text(fields.credit),
    subaccountCredit: text(fields.subaccountCredit),
  };
}
