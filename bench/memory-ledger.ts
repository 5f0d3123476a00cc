import type { Caller } from '../src/domain/accounts.js';
import { settleCredit, type SubaccountState } from '../src/domain/ledger-rules.js';
import type { Store } from '../src/domain/store.js';
import type { CreditCommand, CreditOutcome } from '../src/domain/transfers.js';

type Subaccount = SubaccountState & { readonly token: string | null };

/**
 * Target f's store. credit/add and credit/remove are decided by the ledger's
 * own rules (`settleCredit`, which both stores call inside their transaction)
 * against balances held in this process, and written nowhere; everything else
 * is the seeded SQLite store's. The server in front of it is Tirelire's, built
 * as `dist/main.js` builds it: body parsing, key hash, rate limit, logs,
 * metrics and the group-commit queue all run as in target c. Only the storage
 * is gone, so f is what Tirelire's HTTP layer serves on this machine with a
 * store that costs nothing: c can be no faster than f.
 */
export class MemoryCredits {
  readonly store: Store;
  /** Accounts and subaccounts as first read from the store, and each balance since. */
  private readonly callers = new Map<string, Caller | null>();
  private readonly subaccounts = new Map<string, Subaccount | null>();
  private readonly balances = new Map<number, bigint>();

  constructor(private readonly inner: Store) {
    this.store = new Proxy(inner, {
      get: (target, name) => {
        if (name === 'applyCredits')
          return (commands: readonly CreditCommand[]) => this.applyCredits(commands);
        // One call at a time: each is answered on the event loop, at once.
        if (name === 'creditCallsInFlight') return 1;
        const value: unknown = Reflect.get(target, name, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  /** The balance of an account, in micros, as this ledger has it now. */
  balanceOf(accountId: number): bigint | undefined {
    return this.balances.get(accountId);
  }

  private async applyCredits(commands: readonly CreditCommand[]): Promise<CreditOutcome[]> {
    for (const command of commands) await this.load(command);
    return commands.map((command) => {
      if (command.idempotency !== undefined)
        throw new Error('the memory ledger keeps no idempotency records');
      // As first read, with the balance this ledger holds now.
      const known = this.callers.get(command.keyHash) ?? null;
      const caller = known && { ...known, balanceMicros: this.balances.get(known.accountId)! };
      const read = this.subaccounts.get(command.tokenSubaccount) ?? null;
      const subaccount = read && { ...read, balanceMicros: this.balances.get(read.id)! };
      const settled = settleCredit(command, caller, subaccount);
      if (settled.transfer !== null && settled.outcome.ok) {
        this.balances.set(caller!.accountId, settled.outcome.mainBalanceMicros);
        this.balances.set(subaccount!.id, settled.outcome.subaccountBalanceMicros);
      }
      return settled.outcome;
    });
  }

  /** Reads the caller and the subaccount from the store the first time they are named. */
  private async load(command: CreditCommand): Promise<void> {
    if (!this.callers.has(command.keyHash)) {
      const caller = await this.inner.authenticate(command.keyHash);
      this.callers.set(command.keyHash, caller);
      if (caller !== null && !this.balances.has(caller.accountId))
        this.balances.set(caller.accountId, caller.balanceMicros);
    }
    if (!this.subaccounts.has(command.tokenSubaccount)) {
      const account = await this.inner.findSubaccountByToken(command.tokenSubaccount);
      this.subaccounts.set(command.tokenSubaccount, account);
      if (account !== null && !this.balances.has(account.id))
        this.balances.set(account.id, account.balanceMicros);
    }
  }
}
