import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../../domain/store.js';
import type { TransferFilter } from '../../domain/pages.js';
import { findMainAccountByRef } from '../../app/operator.js';
import { sendError } from '../errors.js';
import { queryFields, readField } from '../fields.js';
import { sendCsv, wantsCsv } from '../csv.js';
import { transfersCsv, transfersCsvStream } from './csv.js';
import {
  readCursor,
  readDate,
  readId,
  readKind,
  readTransferLimit,
  readAll,
  readToken,
  type Read,
} from './params.js';
import { transferView } from './views.js';

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
  if (!filter.ok) return sendError(request, reply, filter);
  const page = await store.listTransfers(filter.value);
  if (!csv) {
    const data = page.items.map(transferView);
    return reply.send({ success: true, code: 200, data, nextCursor: page.nextCursor });
  }
  // Without `limit`, the CSV is the whole filtered history, streamed page by page.
  if (readField(queryFields(request), 'limit').kind === 'absent') {
    const next = (cursor: string) => store.listTransfers({ ...filter.value, cursor });
    return sendCsv(reply, transfersCsvStream(page, next));
  }
  if (page.nextCursor !== null) reply.header('x-next-cursor', page.nextCursor);
  return sendCsv(reply, transfersCsv(page.items.map(transferView)));
}

async function readFilter(
  store: Store,
  request: FastifyRequest,
  csv: boolean,
): Promise<Read<TransferFilter>> {
  const query = queryFields(request);
  const accountIdText = query['accountId'];
  const accountId =
    accountIdText === undefined || accountIdText === '' ? undefined : readId(accountIdText, 'accountId');
  if (accountId !== undefined && !accountId.ok) return accountId;
  const read = readAll(
    readToken(query, 'tokenSubaccount'),
    readKind(query),
    readDate(query, 'since'),
    readDate(query, 'until'),
    readTransferLimit(query, csv),
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
