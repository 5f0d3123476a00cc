import fc from 'fast-check';
import { isLosslessNumber, parse } from 'lossless-json';
import { describe, expect, test } from 'vitest';
import { MONEY_FIELDS, parseAnswer } from '../../packages/client/src/answer.js';

/**
 * The client reads answers with a JSON reader of its own (no dependency);
 * lossless-json, which it replaced, is the oracle: money numbers as their
 * exact text, other numbers as numbers, everything else as JSON.parse has it.
 */
function oracle(text: string): unknown {
  try {
    return parse(text, (key, value) => {
      if (!isLosslessNumber(value)) return value;
      return MONEY_FIELDS.has(key) ? value.toString() : Number(value.toString());
    });
  } catch {
    return null;
  }
}

const keys = fc.constantFrom('credit', 'amount', 'balance', 'code', 'id', 'data', '__proto__', 'é"\\', '');
const number = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((value) => JSON.stringify(value)),
  fc.bigInt().map(String),
  fc
    .tuple(fc.bigInt(), fc.bigInt({ min: 0n }), fc.integer({ min: -30, max: 30 }))
    .map(([a, b, e]) => `${a}.${b}e${e}`),
);
const json: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    number,
    fc.string({ unit: 'binary' }).map((text) => JSON.stringify(text)),
    fc.constantFrom('true', 'false', 'null'),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => `[ ${items.join(' ,')}]`),
    // Unique keys: of a key given twice JSON.parse and this reader keep the last, lossless-json refuses.
    fc
      .uniqueArray(fc.tuple(keys, tie('value')), { maxLength: 5, selector: ([key]) => key })
      .map((entries) => `{${entries.map(([key, value]) => `${JSON.stringify(key)}:\n${value}`).join(',')}}`),
  ),
})).value;

describe('parseAnswer', () => {
  test('agrees with lossless-json on any JSON, money under any of its names', () => {
    fc.assert(
      fc.property(json, (text) => {
        expect(parseAnswer(text)).toEqual(oracle(text));
      }),
      { numRuns: 2000 },
    );
  });

  test('keeps every digit of money, and makes numbers of the rest', () => {
    const text =
      '{"code":200,"credit":12345678901234567890.123456,"results":[{"amount":0.1,"id":7}],"balance":"1.500"}';
    expect(parseAnswer(text)).toEqual({
      code: 200,
      credit: '12345678901234567890.123456',
      results: [{ amount: '0.1', id: 7 }],
      balance: '1.500',
    });
  });

  test.each(['', '{', '{"a":1,}', '[1 2]', '01', '"\u0001"', '{"a":1} x', 'NaN', '<html>'])(
    'answers null for %j, which is not JSON',
    (text) => {
      expect(parseAnswer(text)).toBeNull();
      expect(() => JSON.parse(text)).toThrow();
    },
  );

  test('of a key given twice, the last counts, as with JSON.parse', () => {
    expect(parseAnswer('{"code":1,"code":200}')).toEqual({ code: 200 });
  });

  test('a "__proto__" key is data, as JSON.parse makes it', () => {
    const parsed = parseAnswer('{"__proto__":{"polluted":1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
