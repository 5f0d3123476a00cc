import { expect, test } from 'vitest';
import { money, serializeJson } from './json.js';
import { successJson } from '../domain/answers/credit-answer.js';
import { errorAnswer } from '../domain/answers/error-answer.js';
import { ERRORS, errorMessage, httpStatusOf, type ErrorCode } from '../domain/errors.js';

test.each([
  [0n, 0n],
  [286_920_000n, 61_800_000n],
  [1n, 10_000n],
  [123_456_789_012_345_678n, 999_999n],
  [-5_000_000n, 7n],
])('the written success answer is the serializer’s bytes (%s, %s)', (main, sub) => {
  const transferId = '0190a8f2-5c1e-7b3a-9d4e-1f2a3b4c5d6e';
  const expected = serializeJson({
    success: true,
    code: 200,
    credit: money(main),
    subaccountCredit: money(sub),
    currency: 'EUR',
    transferId,
  });
  expect(successJson({ ok: true, transferId, mainBalanceMicros: main, subaccountBalanceMicros: sub })).toBe(
    expected,
  );
});

test('every error answer rendered in the domain is the bytes sendError writes, in both languages', () => {
  const codes = Object.keys(ERRORS).map(Number) as ErrorCode[];
  expect(codes.length).toBeGreaterThan(20);
  for (const code of codes) {
    for (const language of ['fr', 'en'] as const) {
      const sent = serializeJson({ success: false, code, message: errorMessage(code, language) });
      expect(errorAnswer(code, language)).toEqual({ status: httpStatusOf(code), body: sent });
    }
  }
});
