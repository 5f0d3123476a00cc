import type { Caller } from '../../domain/accounts.js';
import { settleCredit, type SubaccountState } from '../../domain/ledger-rules.js';
import type { CreditCommand, CreditOutcome, Transfer } from '../../domain/transfers.js';
import { guardCredit } from '../../domain/idempotency.js';
import { closeClaimsStatements, openClaims } from './claims.js';
import { ledgerWriteStatement } from './ledger-write.js';
import { type AccountRow, type CallerRow, toCaller, toId } from './rows.js';
import type { PipelinedTransaction } from './transaction.js';

/**
 * The accounts a batch touches, read and locked in one statement. ORDER BY id
 * with FOR UPDATE locks rows in id order (the lock step runs after the sort),
 * and every store method locks in that order, so two transactions never wait
 * on each other in a cycle. Under READ COMMITTED a row changed meanwhile is
 * read again once its lock is granted, so the balances here are the latest.
 * Only the columns the decisions need: a batch reads a few dozen rows.
 */
const LOCK_SQL = `SELECT id, kind, parent_id, email, token, status, balance, key_hash FROM accounts
  WHERE key_hash = ANY($1::text[]) OR token = ANY($2::text[]) ORDER BY id FOR UPDATE`;

type LockedRow = CallerRow & Pick<AccountRow, 'parent_id' | 'token'> & { key_hash: string | null };

/** Running state of a batch: balances as the commands before this one left them. */
class BatchState {
  readonly balances = new Map<number, bigint>();
  private readonly byKey = new Map<string, LockedRow>();
  private readonly byToken = new Map<string, LockedRow>();

  constructor(rows: readonly LockedRow[]) {
    for (const row of rows) {
      this.balances.set(toId(row.id), BigInt(row.balance));
      if (row.key_hash !== null) this.byKey.set(row.key_hash, row);
      if (row.token !== null) this.byToken.set(row.token, row);
    }
  }

  caller(keyHash: string): Caller | null {
    const row = this.byKey.get(keyHash);
    if (row === undefined) return null;
    return { ...toCaller(row), balanceMicros: this.balances.get(toId(row.id))! };
  }

  subaccount(token: string): (SubaccountState & { token: string }) | null {
    const row = this.byToken.get(token);
    if (row === undefined) return null;
    const id = toId(row.id);
    const parentId = row.parent_id === null ? null : toId(row.parent_id);
    return { id, parentId, kind: row.kind, token, balanceMicros: this.balances.get(id)! };
  }
}

/**
 * Applies a batch of add/remove commands inside the caller's transaction:
 * one locking read (sent with BEGIN when no idempotency key comes first),
 * decisions in order in JS by the ledger rules, one write and the
 * idempotency records sent with COMMIT.
 */
export async function applyCreditsInTransaction(
  client: PipelinedTransaction,
  commands: readonly CreditCommand[],
): Promise<CreditOutcome[]> {
  const claims = await openClaims(
    client,
    commands.map((command) => command.idempotency?.claim),
  );
  const keys = [...new Set(commands.map((command) => command.keyHash))];
  const tokens = [...new Set(commands.map((command) => command.tokenSubaccount))];
  const locked = await client.query<LockedRow>({
    name: 'credits_lock',
    text: LOCK_SQL,
    values: [keys, tokens],
  });
  const state = new BatchState(locked.rows);
  const transfers: Transfer[] = [];
  const touched = new Map<number, bigint>();
  const outcomes = commands.map((command) => {
    const outcome = guardCredit(claims.book, command, () => applyOne(state, command));
    if (!outcome.ok || !('transfer' in outcome)) return outcome;
    transfers.push(outcome.transfer);
    touched.set(outcome.transfer.mainAccountId, outcome.mainBalanceMicros);
    touched.set(outcome.transfer.subaccountId!, outcome.subaccountBalanceMicros);
    return withoutTransfer(outcome);
  });
  const write = ledgerWriteStatement(transfers, touched);
  if (write !== null) client.beforeCommit(write);
  for (const statement of closeClaimsStatements(claims)) client.beforeCommit(statement);
  return outcomes;
}

type Applied =
  | Extract<CreditOutcome, { ok: false }>
  | (Extract<CreditOutcome, { ok: true }> & { readonly transfer: Transfer });

function applyOne(state: BatchState, command: CreditCommand): Applied {
  const settled = settleCredit(
    command,
    state.caller(command.keyHash),
    state.subaccount(command.tokenSubaccount),
  );
  if (settled.transfer === null) return settled.outcome;
  state.balances.set(settled.transfer.mainAccountId, settled.outcome.mainBalanceMicros);
  state.balances.set(settled.transfer.subaccountId!, settled.outcome.subaccountBalanceMicros);
  return { ...settled.outcome, transfer: settled.transfer };
}

function withoutTransfer(applied: Extract<Applied, { ok: true }>): CreditOutcome {
  const { ok, transferId, mainBalanceMicros, subaccountBalanceMicros, answer } = applied;
  const outcome = { ok, transferId, mainBalanceMicros, subaccountBalanceMicros };
  return answer === undefined ? outcome : { ...outcome, answer };
}
