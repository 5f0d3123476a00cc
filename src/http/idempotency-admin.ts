import type { FastifyRequest } from 'fastify';
import type { Account } from '../domain/accounts.js';
import { errorAnswer } from '../domain/answers/error-answer.js';
import type { IdempotencyGuard } from '../domain/idempotency.js';
import type { CreateMainAccountOutcome } from '../domain/accounts.js';
import type { Store } from '../domain/store.js';
import type { MainAccountBalances, OperatorTransferOutcome } from '../domain/transfers.js';
import type { CreatedIds } from '../app/operator.js';
import { bearerToken } from './admin/auth.js';
import { accountView, transferView } from './admin/views.js';
import type { Fields } from './body.js';
import { buildClaim, guardOf, renderJson, scopeOf } from './idempotency.js';
import type { Written } from './json.js';
import { preferredLanguage } from './language.js';

/**
 * Idempotency keys on the operator API's money moves (create with an
 * opening balance, top-up, charge). Keys are scoped to the operator token;
 * the operator's name (`X-Operator`) is part of the request, since it is
 * written on the transfer. The answer is rendered inside the transaction, so
 * its `account` is the account as the transfer left it, with the subaccount
 * count read just before.
 */
export function operatorClaim(request: FastifyRequest, body: Fields, operatorName: string, key: string) {
  const token = bearerToken(request.headers.authorization) ?? '';
  const meaning = { ...body, 'x-operator': operatorName };
  return buildClaim(request, meaning, scopeOf(token, 'operator'), key, new Date());
}

export function createAccountGuard(
  request: FastifyRequest,
  body: Fields,
  operatorName: string,
  key: string,
): (made: CreatedIds) => IdempotencyGuard<CreateMainAccountOutcome> {
  const claim = operatorClaim(request, body, operatorName, key);
  const language = preferredLanguage(request.headers['accept-language']);
  return (made) =>
    guardOf<CreateMainAccountOutcome>(
      claim,
      (outcome) =>
        outcome.ok
          ? renderJson(200, {
              success: true,
              code: 200,
              account: accountView(outcome.account, 0),
              ...made,
            } satisfies Written<'adminCreateAccount'>)
          : errorAnswer(outcome.code, language),
      made.apiKey,
    );
}

/** Reads the main account the answer shows; null when there is none (the service then answers 30). */
export async function moveGuard(
  store: Store,
  request: FastifyRequest,
  body: Fields,
  operatorName: string,
  key: string,
  mainAccountId: number,
): Promise<IdempotencyGuard<OperatorTransferOutcome> | undefined> {
  const main = await store.getAccount(mainAccountId);
  if (main === null || main.kind !== 'main') return undefined;
  const subaccountCount = await store.countSubaccounts(mainAccountId);
  const claim = operatorClaim(request, body, operatorName, key);
  const language = preferredLanguage(request.headers['accept-language']);
  return guardOf<OperatorTransferOutcome>(claim, (outcome) =>
    outcome.ok
      ? renderJson(200, {
          success: true,
          code: 200,
          transfer: transferView(outcome.transfer),
          account: accountView(withBalances(main, outcome.mainAccount), subaccountCount),
        } satisfies Written<'adminTopUp' | 'adminCharge'>)
      : errorAnswer(outcome.code, language),
  );
}

/** An account as a change left it: its balances from the store's outcome, the rest as read before. */
export function withBalances(account: Account, balances: MainAccountBalances): Account {
  return { ...account, balanceMicros: balances.balanceMicros, heldMicros: balances.heldMicros };
}
