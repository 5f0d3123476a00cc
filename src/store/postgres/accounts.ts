import type {
  CloseSubaccountCommand,
  CloseSubaccountOutcome,
  CreateMainAccountCommand,
  CreateMainAccountOutcome,
  CreateSubaccountCommand,
  CreateSubaccountOutcome,
  MainAccountBy,
} from '../../domain/accounts.js';
import type { LedgerDraft } from '../../domain/ledger-draft.js';
import type { ErrorCode } from '../../domain/errors.js';
import { decideCloseSubaccount } from '../../domain/hold-rules.js';
import {
  actingMain,
  decideCreateSubaccount,
  decideRules,
  openMainAccount,
  openSubaccount,
} from '../../domain/ledger-rules.js';
import type { AccountRules, RulesPatch } from '../../domain/rules.js';
import {
  tellAccountAction,
  type ActionAudit,
  type OperatorActionKind,
} from '../../domain/operator-actions.js';
import { lockAccounts } from './ledger-read.js';
import { newDraft, writeLedger } from './ledger-write.js';
import {
  ACCOUNT_COLUMNS,
  STATE_COLUMNS,
  type AccountRow,
  type StateRow,
  toAccount,
  toId,
  toState,
} from './rows.js';
import type { Queryable } from './transaction.js';

/**
 * Creates a subaccount under the main account `command` names (by key or by
 * id), with its opening add in the same transaction. Locking the main row
 * first serializes creations under one main account, so the e-mail check
 * cannot race; and the new row has a larger id than its parent, which keeps
 * the id lock order.
 */
export async function createSubaccountInTransaction(
  client: Queryable,
  command: CreateSubaccountCommand,
): Promise<CreateSubaccountOutcome> {
  const draft = newDraft();
  await lockMainAccount(client, draft, command, command.createdAt);
  const main = actingMain(draft, command);
  const taken =
    typeof main !== 'number' &&
    (
      await client.query(
        `SELECT 1 FROM accounts WHERE kind = 'sub' AND parent_id = $1 AND email = $2 AND closed_at IS NULL`,
        [main.id, command.email],
      )
    ).rowCount !== 0;
  const decision = decideCreateSubaccount(draft, command, taken);
  if (!decision.ok) return decision;
  const inserted = await insertSubaccount(client, command, decision.main.id);
  draft.read(toState({ ...inserted, key_hash: null }));
  const account = toAccount(inserted);
  const transferId = openSubaccount(draft, decision, account.id, command);
  await writeLedger(client, draft.changes());
  return {
    ok: true,
    account: { ...account, balanceMicros: draft.balanceOf(account.id) },
    parentEmail: decision.main.email,
    transferId,
  };
}

async function insertSubaccount(
  client: Queryable,
  command: CreateSubaccountCommand,
  parentId: number,
): Promise<AccountRow> {
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
  return inserted.rows[0]!;
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
  const draft = newDraft();
  await lockFunding(client, draft);
  const inserted = await client.query<AccountRow>(
    `INSERT INTO accounts (kind, email, key_hash, created_at) VALUES ('main', $1, $2, $3)
     ON CONFLICT (email) WHERE kind = 'main' DO NOTHING RETURNING ${ACCOUNT_COLUMNS}`,
    [command.email, command.keyHash, command.createdAt],
  );
  if (inserted.rows[0] === undefined) return { ok: false, code: 23 };
  const account = toAccount(inserted.rows[0]);
  draft.read(toState({ ...inserted.rows[0], key_hash: command.keyHash }));
  openMainAccount(draft, command, account.id);
  await writeLedger(client, draft.changes());
  return { ok: true, account: { ...account, balanceMicros: draft.balanceOf(account.id) } };
}

async function lockFunding(client: Queryable, draft: LedgerDraft): Promise<void> {
  const found = await client.query<StateRow>(
    `SELECT ${STATE_COLUMNS} FROM accounts WHERE kind = 'funding' FOR UPDATE`,
  );
  if (found.rows[0] === undefined) throw new Error('the funding account is missing: was migrate() run?');
  draft.read(toState(found.rows[0]));
}

/**
 * One update of a customer account, its event and, when audited, its row in
 * the operator's audit trail, in the caller's transaction. The row is locked
 * first (with its parent's, for a subaccount, parent first): its tree's event
 * sequence moves. Nothing happens for an unknown account or the funding account.
 */
export async function updateAccountInTransaction(
  client: Queryable,
  accountId: number,
  change: { readonly status: string } | { readonly keyHash: string },
  action: OperatorActionKind,
  audit: ActionAudit | undefined,
): Promise<void> {
  const locked = await client.query<StateRow>(
    `SELECT ${STATE_COLUMNS} FROM accounts
     WHERE (id = $1 OR id = (SELECT parent_id FROM accounts WHERE id = $1)) AND kind <> 'funding'
     ORDER BY id FOR UPDATE`,
    [accountId],
  );
  if (!locked.rows.some((row) => toId(row.id) === accountId)) return;
  const draft = newDraft();
  for (const row of locked.rows) draft.read(toState(row));
  const [column, value] = 'status' in change ? ['status', change.status] : ['key_hash', change.keyHash];
  await client.query(`UPDATE accounts SET ${column} = $2 WHERE id = $1`, [accountId, value]);
  const at = audit?.createdAt ?? new Date();
  tellAccountAction(draft, accountId, action, at);
  await writeLedger(client, draft.changes());
  if (audit === undefined) return;
  await client.query(
    `INSERT INTO operator_actions (account_id, action, operator, reason, created_at) VALUES ($1, $2, $3, $4, $5)`,
    [accountId, action, audit.operator, audit.reason, at],
  );
}

/** By key or by id, the main account and the accounts of `tokens` are locked in one statement, in id order. */
function lockMainAccount(
  client: Queryable,
  draft: LedgerDraft,
  by: MainAccountBy,
  at: Date,
  tokens: readonly string[] = [],
): Promise<void> {
  const keyHashes = 'keyHash' in by ? [by.keyHash] : [];
  return lockAccounts(client, draft, keyHashes, tokens, at, 'mainAccountId' in by ? [by.mainAccountId] : []);
}

/** A subaccount's delete (its balance back to its main account, then closed), its rows locked. */
export async function closeSubaccountInTransaction(
  client: Queryable,
  command: CloseSubaccountCommand,
): Promise<CloseSubaccountOutcome> {
  const draft = newDraft();
  await lockMainAccount(client, draft, command.by, command.createdAt, [command.tokenSubaccount]);
  const outcome = decideCloseSubaccount(draft, command);
  await writeLedger(client, draft.changes());
  return outcome;
}

/** An account's rules after a patch, or the code refusing it (nothing changes); the row locked. */
export async function setRulesInTransaction(
  client: Queryable,
  accountId: number,
  patch: RulesPatch,
): Promise<AccountRules | ErrorCode> {
  const found = await client.query<StateRow>(
    `SELECT ${STATE_COLUMNS} FROM accounts WHERE id = $1 FOR UPDATE`,
    [accountId],
  );
  const rules = decideRules(found.rows[0] === undefined ? null : toState(found.rows[0]), patch);
  if (typeof rules === 'number') return rules;
  const topup = rules.autoTopup;
  const text = (micros: bigint | null | undefined) =>
    micros === null || micros === undefined ? null : micros.toString();
  await client.query(
    `UPDATE accounts SET low_balance = $2, autotopup_below = $3, autotopup_to = $4, autotopup_add = $5,
       cap_amount = $6, cap_period = $7 WHERE id = $1`,
    [
      accountId,
      text(rules.lowBalanceMicros),
      text(topup?.belowMicros),
      text(topup?.toMicros),
      text(topup?.addMicros),
      text(rules.spendingCap?.amountMicros),
      rules.spendingCap?.period ?? null,
    ],
  );
  return rules;
}
