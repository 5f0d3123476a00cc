/** What `tirelire verify` finds: one entry per broken invariant of CONTRACT.md section 5. */
export interface VerifyProblem {
  /** 1: transfer shape, 2: conservation, 3: negative balance, 4: balance ≠ sum of transfers. */
  readonly invariant: 1 | 2 | 3 | 4;
  readonly accountId: number | null;
  readonly email: string | null;
  readonly detail: string;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly accounts: number;
  readonly transfers: number;
  /** Sum of every customer balance (main and sub), in micros. */
  readonly customerBalanceMicros: bigint;
  /** Top-ups minus charges, in micros. */
  readonly fundedMicros: bigint;
  readonly problems: readonly VerifyProblem[];
}
