import type { FastifyRequest } from 'fastify';
import type { Account, MainCaller } from '../domain/accounts.js';
import type { ErrorCode } from '../domain/errors.js';
import { checkMainCaller } from '../domain/ledger-rules.js';
import type { Store } from '../domain/store.js';
import type { Fields } from './body.js';
import { queryFields, readApiKey, readField, usableApiKey, usableToken, type Field } from './fields.js';
import { keyHashOf } from './key-hash.js';

/** A /v1 request naming one subaccount of the caller: its key (text) and the token it named. */
export interface SubaccountTarget {
  readonly apiKey: string;
  readonly keyHash: string;
  /** `''` when the token cannot be one (wrong type, too long): it matches nothing (7). */
  readonly token: string;
}

/**
 * Codes 1, 3, then 10 for a key that cannot be one. The token is
 * `tokenSubaccount` or, as the Mailpartner family also names it, `token`,
 * from the body or the query string (the body's first).
 */
export function readSubaccountTarget(request: FastifyRequest, body: Fields): SubaccountTarget | ErrorCode {
  const apiKey = readApiKey(request, body);
  if (apiKey.kind === 'absent') return 1;
  const token = readTokenField(body, queryFields(request));
  if (token.kind === 'absent') return 3;
  const secret = usableApiKey(apiKey);
  if (secret === null) return 10;
  return { apiKey: secret, keyHash: keyHashOf(request, secret), token: usableToken(token) };
}

function readTokenField(body: Fields, query: Fields): Field {
  for (const fields of [body, query]) {
    for (const name of ['tokenSubaccount', 'token']) {
      const field = readField(fields, name);
      if (field.kind !== 'absent') return field;
    }
  }
  return { kind: 'absent' };
}

/**
 * Codes 10, 4, 7: the caller's open subaccount the target names. Another
 * owner's subaccount, or a closed one, is 7 like a token that does not exist.
 */
export async function findCallersSubaccount(
  store: Store,
  target: SubaccountTarget,
): Promise<{ readonly main: MainCaller; readonly subaccount: Account } | ErrorCode> {
  const main = checkMainCaller(await store.authenticate(target.keyHash));
  if (typeof main === 'number') return main;
  const subaccount = target.token === '' ? null : await store.findSubaccountByToken(target.token);
  if (subaccount === null || subaccount.parentId !== main.accountId || subaccount.closedAt !== null) return 7;
  return { main, subaccount };
}
