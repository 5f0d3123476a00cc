import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMicros, formatMicrosPadded, parseAmount } from './money.js';

describe('parseAmount', () => {
  it.each([
    ['100', { kind: 'positive', micros: 100_000_000n }],
    ['0.1', { kind: 'positive', micros: 100_000n }],
    ['61.8', { kind: 'positive', micros: 61_800_000n }],
    ['0.000001', { kind: 'positive', micros: 1n }],
    ['007.50', { kind: 'positive', micros: 7_500_000n }],
    ['1000000000', { kind: 'positive', micros: 1_000_000_000_000_000n }],
    ['1000000000.000001', { kind: 'invalid' }],
    ['0.0000001', { kind: 'invalid' }],
    ['1e3', { kind: 'invalid' }],
    ['1E3', { kind: 'invalid' }],
    ['+1', { kind: 'invalid' }],
    [' 1', { kind: 'invalid' }],
    ['1 ', { kind: 'invalid' }],
    ['.5', { kind: 'invalid' }],
    ['5.', { kind: 'invalid' }],
    ['1,5', { kind: 'invalid' }],
    ['NaN', { kind: 'invalid' }],
    ['Infinity', { kind: 'invalid' }],
    ['0x10', { kind: 'invalid' }],
    ['', { kind: 'invalid' }],
    ['--1', { kind: 'invalid' }],
    ['1'.repeat(41), { kind: 'invalid' }],
    ['0', { kind: 'not-positive' }],
    ['0.000000', { kind: 'not-positive' }],
    ['-0', { kind: 'not-positive' }],
    ['-5', { kind: 'not-positive' }],
    ['-0.5', { kind: 'not-positive' }],
  ])('%s', (text, expected) => {
    expect(parseAmount(text)).toEqual(expected);
  });
});

describe('formatMicros', () => {
  it.each([
    [0n, '0', '0.000'],
    [1n, '0.000001', '0.000001'],
    [300_000n, '0.3', '0.300'],
    [61_800_000n, '61.8', '61.800'],
    [2_869_200_000n, '2869.2', '2869.200'],
    [10_225_119_000n, '10225.119', '10225.119'],
    [-1_500_000n, '-1.5', '-1.500'],
    [123_456_789_012_345_678n, '123456789012.345678', '123456789012.345678'],
  ])('%s → %s / %s', (micros, shortest, padded) => {
    expect(formatMicros(micros)).toBe(shortest);
    expect(formatMicrosPadded(micros)).toBe(padded);
  });

  it('round-trips every amount exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 1_000_000_000_000_000n }), (micros) => {
        expect(parseAmount(formatMicros(micros))).toEqual({ kind: 'positive', micros });
      }),
    );
  });
});
