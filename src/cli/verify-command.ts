import type { VerifyProblem, VerifyReport } from '../domain/verify.js';
import { formatMicros } from '../domain/money.js';
import * as operator from '../app/operator.js';
import { withStore, type CommonOptions } from './options.js';
import { money } from './output.js';

const INVARIANTS: Record<VerifyProblem['invariant'], string> = {
  1: 'transfer shape',
  2: 'conservation',
  3: 'negative balance',
  4: 'balance differs from the sum of its transfers',
  7: 'holds beyond the balance, or a capture that is not one charge',
  8: 'events missing or told of nothing',
};

/** Exit 0 only when every invariant holds; otherwise name each account that breaks one. */
export function runVerify(options: CommonOptions): Promise<number> {
  return withStore(options, async (store, output) => {
    const report = await operator.verify(store);
    output.result(reportJson(report), reportLines(report));
    if (report.ok) return 0;
    const accounts = [...new Set(report.problems.map(describeAccount))].join(', ');
    output.error(`verify failed: ${report.problems.length} problem(s) on ${accounts}`);
    return 1;
  });
}

function describeAccount(problem: VerifyProblem): string {
  if (problem.accountId === null) return 'the ledger as a whole';
  return `account ${problem.accountId}${problem.email === null ? '' : ` <${problem.email}>`}`;
}

function reportJson(report: VerifyReport) {
  return {
    ok: report.ok,
    accounts: report.accounts,
    transfers: report.transfers,
    customerBalance: money(report.customerBalanceMicros),
    funded: money(report.fundedMicros),
    problems: report.problems.map((problem) => ({
      invariant: problem.invariant,
      accountId: problem.accountId,
      email: problem.email,
      detail: problem.detail,
    })),
  };
}

function reportLines(report: VerifyReport): string[] {
  const summary =
    `${report.ok ? 'ok' : 'FAILED'}: ${report.accounts} accounts, ${report.transfers} transfers, ` +
    `customer balances ${formatMicros(report.customerBalanceMicros)} EUR, ` +
    `funded ${formatMicros(report.fundedMicros)} EUR`;
  const problems = report.problems.map(
    (problem) =>
      `invariant ${problem.invariant} (${INVARIANTS[problem.invariant]}) broken on ${describeAccount(problem)}: ${problem.detail}`,
  );
  return [summary, ...problems];
}
