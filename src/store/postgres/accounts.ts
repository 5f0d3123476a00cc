import type { Account, CreateMainAccountCommand, CreateSubaccountCommand } from '../../domain/accounts.js';
import { checkAmount, checkFunds, checkMainCaller } from '../../domain/ledger-rules.js';
import type { CreateMainAccountOutcome, CreateSubaccountOutcome } from '../../domain/store.js';
import { creditTransfer, type Transfer } from '../../domain/transfers.js';
import { guardedInTransaction } from './claims.js';
import { writeLedger } from './ledger-write.js';
import { ACCOUNT_COLUMNS, type AccountRow, toAccount, toCaller } from './rows.js';
import type { Queryable } from './transaction.js';

/**
 * Creates a subaccount under the main account owning `keyHash`, with its
 * opening add in the same transaction. Locking the main row first serializes
 * creations under one main account, so the e-mail check cannot race; and the
 * new row has a larger id than its parent, which keeps the id lock order.
 */
export async function createSubaccountInTransaction(
  client: Queryable,
  command: CreateSubaccountCommand,
): Promise<CreateSubaccountOutcome> {
  // The key before the main row, as every transaction takes them (claims.ts).
  return guardedInTransaction(client, command.idempotency, () => createSubaccountNow(client, command));
}

async function createSubaccountNow(
  client: Queryable,
  command: CreateSubaccountCommand,
): Promise<CreateSubaccountOutcome> {
  const found = await client.query<AccountRow>(
    `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE key_hash = $1 FOR UPDATE`,
    [command.keyHash],
  );
  const caller = found.rows[0] === undefined ? null : toCaller(found.rows[0]);
  const callerCode = checkMainCaller(caller);
  if (callerCode !== null) return { ok: false, code: callerCode };
  const opening = command.creditToAttribute;
  const amountCode = opening === null ? null : checkAmount(opening);
  if (amountCode !== null) return { ok: false, code: amountCode };
  const main = caller!;
  const taken = await client.query(
    `SELECT 1 FROM accounts WHERE kind = 'sub' AND parent_id = $1 AND email = $2`,
    [main.accountId, command.email],
  );
  if (taken.rowCount !== 0) return { ok: false, code: 23 };
  const openingMicros = opening?.kind === 'positive' ? opening.micros : 0n;
  const fundsCode = openingMicros > 0n ? checkFunds(main.balanceMicros, openingMicros) : null;
  if (fundsCode !== null) return { ok: false, code: fundsCode };
  const inserted = await insertSubaccount(client, command, main.accountId);
  if (openingMicros === 0n) return { ok: true, account: inserted, parentEmail: main.email, transferId: null };
  const mainAfter = main.balanceMicros - openingMicros;
  const transfer = creditTransfer({
    transferId: command.transferId,
    direction: 'add',
    mainAccountId: main.accountId,
    subaccountId: inserted.id,
    subaccountToken: inserted.token,
    amountMicros: openingMicros,
    mainBalanceMicros: mainAfter,
    subaccountBalanceMicros: openingMicros,
    idempotencyKey: command.idempotency?.claim.key ?? null,
    createdAt: command.createdAt,
  });
  const balances = new Map([
    [main.accountId, mainAfter],
    [inserted.id, openingMicros],
  ]);
  await writeLedger(client, [transfer], balances);
  const account = { ...inserted, balanceMicros: openingMicros };
  return { ok: true, account, parentEmail: main.email, transferId: transfer.id };
}

async function insertSubaccount(
  client: Queryable,
  command: CreateSubaccountCommand,
  parentId: number,
): Promise<Account> {
  const { profile } = command;
  const inserted = await client.query<AccountRow>(
    `INSERT INTO accounts (kind, parent_id, email, token, key_hash, type, title, firstname, lastname, is_buyer,
       created_at)
     VALUES ('sub', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${ACCOUNT_COLUMNS}`,
    [
      parentId,
      command.email,
      command.token,
      command.subaccountKeyHash,
      command.type,
      profile.title ?? null,
      profile.firstname ?? null,
      profile.lastname ?? null,
      profile.isBuyer ?? null,
      command.createdAt,
    ],
  );
  return toAccount(inserted.rows[0]!);
}

/**
 * Creates a main account and its opening top-up from the funding account.
 * The funding row is locked before the new row exists, keeping the id lock
 * order; a taken e-mail is code 23, found by the unique index itself so that
 * two processes creating the same e-mail at once cannot both succeed.
 */
export async function createMainAccountInTransaction(
  client: Queryable,
  command: CreateMainAccountCommand,
): Promise<CreateMainAccountOutcome> {
  if (command.openingMicros < 0n) throw new Error('opening balance must not be negative');
  const funding = await lockFunding(client);
  const inserted = await client.query<AccountRow>(
    `INSERT INTO accounts (kind, email, key_hash, created_at) VALUES ('main', $1, $2, $3)
     ON CONFLICT (email) WHERE kind = 'main' DO NOTHING RETURNING ${ACCOUNT_COLUMNS}`,
    [command.email, command.keyHash, command.createdAt],
  );
  if (inserted.rows[0] === undefined) return { ok: false, code: 23 };
  const account = toAccount(inserted.rows[0]);
  if (command.openingMicros === 0n) return { ok: true, account };
  const fundingAfter = funding.balanceMicros - command.openingMicros;
  const transfer: Transfer = {
    id: command.transferId,
    kind: 'topup',
    debitAccountId: funding.id,
    creditAccountId: account.id,
    amountMicros: command.openingMicros,
    debitBalanceAfterMicros: fundingAfter,
    creditBalanceAfterMicros: command.openingMicros,
    mainAccountId: account.id,
    subaccountId: null,
    subaccountToken: null,
    idempotencyKey: null,
    reason: command.reason,
    operator: command.operator,
    createdAt: command.createdAt,
  };
  const balances = new Map([
    [funding.id, fundingAfter],
    [account.id, command.openingMicros],
  ]);
  await writeLedger(client, [transfer], balances);
  return { ok: true, account: { ...account, balanceMicros: command.openingMicros } };
}

async function lockFunding(client: Queryable): Promise<Account> {
  const found = await client.query<AccountRow>(
    `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE kind = 'funding' FOR UPDATE`,
  );
  if (found.rows[0] === undefined) throw new Error('the funding account is missing: was migrate() run?');
  return toAccount(found.rows[0]);
}
