import { describe, expect, it } from 'vitest';
import { batchAnswer } from './batch-answer.js';
import { textOf } from './utf8.js';
import type { BatchAnswerSpec, CreditBatchOutcome } from '../transfers.js';

const ok = {
  ok: true as const,
  transferId: 't1',
  mainBalanceMicros: 9_500_000n,
  subaccountBalanceMicros: 500_000n,
};
const spec = (
  apply: BatchAnswerSpec['apply'],
  earlyCodes: BatchAnswerSpec['earlyCodes'],
): BatchAnswerSpec => ({
  language: 'en',
  earlyCodes,
  apply,
});

describe('batchAnswer', () => {
  it('merges the store’s outcomes back between the operations refused before it, in order', () => {
    const outcome: CreditBatchOutcome = {
      ok: true,
      applied: true,
      outcomes: [ok, { ok: false, code: 8 }],
      mainBalanceMicros: 9_500_000n,
    };
    const answer = batchAnswer(outcome, spec('each', [null, 20, null]));
    expect(answer.status).toBe(200);
    expect(JSON.parse(textOf(answer.body))).toEqual({
      success: true,
      code: 200,
      results: [
        { success: true, code: 200, credit: 9.5, subaccountCredit: 0.5, currency: 'EUR', transferId: 't1' },
        { success: false, code: 20, message: expect.stringMatching(/^Invalid amount/) },
        { success: false, code: 8, message: 'Insufficient credit' },
      ],
      credit: 9.5,
    });
  });

  it('an atomic batch not applied answers the first refusal, and 31 for the operations that would have passed', () => {
    const outcome: CreditBatchOutcome = {
      ok: true,
      applied: false,
      outcomes: [ok, { ok: false, code: 7 }],
      mainBalanceMicros: 10_000_000n,
    };
    const answer = batchAnswer(outcome, spec('all-or-nothing', [null, null]));
    expect(answer.status).toBe(404);
    const body = JSON.parse(textOf(answer.body)) as {
      code: number;
      results: { code: number }[];
      credit: number;
    };
    expect([body.code, body.results.map((result) => result.code), body.credit]).toEqual([7, [31, 7], 10]);
  });

  it('a refused caller is the whole answer', () => {
    const answer = batchAnswer({ ok: false, code: 10 }, spec('each', [null]));
    expect([answer.status, textOf(answer.body)]).toEqual([
      401,
      '{"success":false,"code":10,"message":"Incorrect API key"}',
    ]);
  });
});
