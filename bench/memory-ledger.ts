import { LedgerDraft, type AccountState } from '../src/domain/ledger-draft.js';
import { decideCredit } from '../src/domain/ledger-rules.js';
import { NO_RULES } from '../src/domain/rules.js';
import type { Store } from '../src/domain/store.js';
import type { CreditCommand, CreditOutcome } from '../src/domain/transfers.js';

/**
 * Target f's store. credit/add and credit/remove are decided by the ledger's
 * own rules (`decideCredit`, which both stores call inside their transaction)
 * against balances held in this process, and written nowhere; everything else
 * is the seeded SQLite store's. The server in front of it is Tirelire's, built
 * as `dist/main.js` builds it: body parsing, key hash, rate limit, logs,
 * metrics and the group-commit queue all run as in target c. Only the storage
 * is gone, so f is what Tirelire's HTTP layer serves on this machine with a
 * store that costs nothing: c can be no faster than f.
 */
export class MemoryCredits {
  readonly store: Store;
  /** Accounts and subaccounts as first read from the store, by key hash and token, with each balance since. */
  private readonly callers = new Map<string, number | null>();
  private readonly subaccounts = new Map<string, number | null>();
  private readonly accounts = new Map<number, AccountState>();

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
    return this.accounts.get(accountId)?.balanceMicros;
  }

  private async applyCredits(commands: readonly CreditCommand[]): Promise<CreditOutcome[]> {
    for (const command of commands) await this.load(command);
    // A draft per call, as a store makes one per transaction, read from the balances held here.
    const draft = new LedgerDraft(() => '0');
    for (const account of this.accounts.values()) draft.read(account);
    const outcomes = commands.map((command) => {
      if (command.idempotency !== undefined)
        throw new Error('the memory ledger keeps no idempotency records');
      return decideCredit(draft, command);
    });
    for (const [id, update] of draft.changes().accounts) {
      this.accounts.set(id, { ...this.accounts.get(id)!, ...update });
    }
    return outcomes;
  }

  /** Reads the caller and the subaccount from the store the first time they are named. */
  private async load(command: CreditCommand): Promise<void> {
    if (!this.callers.has(command.keyHash)) {
      const caller = await this.inner.authenticate(command.keyHash);
      this.callers.set(command.keyHash, caller?.accountId ?? null);
      if (caller !== null && !this.accounts.has(caller.accountId)) {
        const { accountId: id, kind, status, email, balanceMicros } = caller;
        const state = {
          id,
          kind,
          status,
          email,
          balanceMicros,
          parentId: null,
          token: null,
          eventSequence: 0,
          heldMicros: 0n,
          rules: NO_RULES,
          closedAt: null,
        };
        this.accounts.set(id, { ...state, keyHash: command.keyHash });
      }
    }
    if (!this.subaccounts.has(command.tokenSubaccount)) {
      const account = await this.inner.findSubaccountByToken(command.tokenSubaccount);
      this.subaccounts.set(command.tokenSubaccount, account?.id ?? null);
      if (account !== null && !this.accounts.has(account.id))
        this.accounts.set(account.id, { ...account, eventSequence: 0 });
    }
  }
}
