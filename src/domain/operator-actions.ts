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
