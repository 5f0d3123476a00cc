import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../../domain/store.js';
import type { TransferFilter } from '../../domain/pages.js';
import { findMainAccountByRef } from '../../service/operator.js';
import { sendError } from '../errors.js';
import { queryFields } from '../fields.js';
import { transfersCsv, wantsCsv } from './csv.js';
import {
  readCursor,
  readDate,
  readId,
  readKind,
  readLimit,
  readAll,
  readToken,
  type Read,
} from './params.js';
import { transferView } from './views.js';

export const DEFAULT_TRANSFERS_LIMIT = 50;
export const MAX_TRANSFERS_LIMIT = 1000;
/** A CSV export is one bounded answer; the next rows follow its `X-Next-Cursor`. */
export const DEFAULT_CSV_LIMIT = 10_000;
export const MAX_CSV_LIMIT = 10_000;

export function registerTransferRoutes(admin: FastifyInstance, store: Store): void {
  admin.get('/transfers', (request, reply) => listTransfers(store, request, reply));
}

/**
 * Every transfer of the platform, newest first, narrowed by whichever filters
 * are given (all of them at once). An unknown main account is 30 and a token
 * that is no subaccount (of that main account, when one is given) is 7, rather
 * than an empty page that would look like "no activity".
 */
async function listTransfers(store: Store, request: FastifyRequest, reply: FastifyReply) {
  const csv = wantsCsv(request.headers.accept);
  const filter = await readFilter(store, request, csv);
  if (!filter.ok) return sendError(request, reply, filter.code);
  const page = await store.listTransfers(filter.value);
  const data = page.items.map(transferView);
  if (!csv) return reply.send({ success: true, code: 200, data, nextCursor: page.nextCursor });
  if (page.nextCursor !== null) reply.header('x-next-cursor', page.nextCursor);
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', 'attachment; filename="transfers.csv"')
    .send(transfersCsv(data));
}

async function readFilter(
  store: Store,
  request: FastifyRequest,
  csv: boolean,
): Promise<Read<TransferFilter>> {
  const query = queryFields(request);
  const accountIdText = query['accountId'];
  const accountId = accountIdText === undefined || accountIdText === '' ? undefined : readId(accountIdText);
  if (accountId !== undefined && !accountId.ok) return accountId;
  const limit = csv
    ? readLimit(query, DEFAULT_CSV_LIMIT, MAX_CSV_LIMIT)
    : readLimit(query, DEFAULT_TRANSFERS_LIMIT, MAX_TRANSFERS_LIMIT);
  const read = readAll(
    readToken(query, 'tokenSubaccount'),
    readKind(query),
    readDate(query, 'since'),
    readDate(query, 'until'),
    limit,
    readCursor(query),
  );
  if (!read.ok) return read;
  const [token, kind, since, until, limitValue, cursor] = read.value;
  const mainAccountId = accountId?.value;
  if (mainAccountId !== undefined) {
    const main = await findMainAccountByRef(store, { accountId: mainAccountId });
    if (!main.ok) return main;
  }
  let subaccountId: number | undefined;
  if (token !== undefined) {
    const sub = await store.findSubaccountByToken(token);
    if (sub === null || (mainAccountId !== undefined && sub.parentId !== mainAccountId))
      return { ok: false, code: 7 };
    subaccountId = sub.id;
  }
  return {
    ok: true,
    value: {
      mainAccountId,
      subaccountId,
      kind,
      since,
      until,
      limit: limitValue,
      cursor,
    },
  };
}
