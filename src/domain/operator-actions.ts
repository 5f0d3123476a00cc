import { accountData, treeOf } from './answers/event-data.js';
import type { EventType } from './events.js';
import type { LedgerDraft } from './ledger-draft.js';

/**
 * The operator's actions that move no money (issue 7: every operator action is
 * kept forever with the operator's name and a reason). Money moves are ledger
 * transfers; these are rows of an append-only audit trail, written in the same
 * transaction as the change they record.
 */
export type OperatorActionKind = 'suspend' | 'resume' | 'rotate-key';

export interface OperatorAction {
  /** Increasing in the order the actions were recorded. */
  readonly id: number;
  readonly accountId: number;
  readonly action: OperatorActionKind;
  readonly operator: string;
  readonly reason: string | null;
  readonly createdAt: Date;
}

/** Who did it, why and when: what a store records beside a status change or a key replacement. */
export interface ActionAudit {
  readonly operator: string;
  readonly reason: string | null;
  readonly createdAt: Date;
}

const EVENT_OF: Record<OperatorActionKind, EventType> = {
  suspend: 'account.suspended',
  resume: 'account.resumed',
  'rotate-key': 'account.key_rotated',
};

/**
 * The event of an operator action on an account the draft holds (as read
 * before the change): account.suspended or account.resumed when the status
 * changes, account.key_rotated on every rotation. Suspending an account
 * already suspended tells no one: nothing changed.
 */
export function tellAccountAction(
  draft: LedgerDraft,
  accountId: number,
  action: OperatorActionKind,
  createdAt: Date,
): void {
  const account = draft.account(accountId);
  if (account === null) throw new Error(`account ${accountId} was not read`);
  const status = action === 'suspend' ? 'suspended' : action === 'resume' ? 'active' : account.status;
  if (action !== 'rotate-key' && status === account.status) return;
  draft.emit(EVENT_OF[action], treeOf(account), accountData({ ...account, status }), createdAt);
}
