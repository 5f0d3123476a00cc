import fc from 'fast-check';
import { expect, test } from 'vitest';
import type { CreditCommand, CreditOutcome } from '../../domain/transfers.js';
import { decodeCommands, decodeOutcomes, encodeCommands, encodeOutcomes } from './credit-wire.js';

const text = fc.string({ maxLength: 40, unit: 'binary' });
const date = fc.date({ min: new Date(0), max: new Date(4_000_000_000_000), noInvalidDate: true });
const micros = fc.bigInt({ min: 0n, max: (1n << 63n) - 1n });
const answer = fc.record({ status: fc.integer({ min: 200, max: 599 }), body: text, replayed: fc.boolean() });

const command: fc.Arbitrary<CreditCommand> = fc
  .record({
    transferId: text,
    direction: fc.constantFrom('add' as const, 'remove' as const),
    keyHash: text,
    tokenSubaccount: text,
    amount: fc.oneof(
      micros.map((value) => ({ kind: 'positive' as const, micros: value })),
      fc.constantFrom({ kind: 'not-positive' as const }, { kind: 'invalid' as const }),
    ),
    createdAt: date,
    idempotencyKey: fc.option(text, { nil: null }),
    key: fc.option(
      fc.record({
        claim: fc.record({ scope: text, key: text, fingerprint: text, createdAt: date }),
        language: fc.constantFrom('fr' as const, 'en' as const),
      }),
      { nil: undefined },
    ),
  })
  .map(({ key, ...rest }) => (key === undefined ? rest : { ...rest, idempotency: key }));

const outcome: fc.Arbitrary<CreditOutcome> = fc.oneof(
  fc
    .record({
      transferId: text,
      mainBalanceMicros: micros,
      subaccountBalanceMicros: micros,
      answer: fc.option(answer, { nil: undefined }),
    })
    .map(({ answer: given, ...rest }) => ({
      ok: true as const,
      ...rest,
      ...(given ? { answer: given } : {}),
    })),
  fc
    .record({
      code: fc.constantFrom(4, 5, 6, 7, 8, 10, 20, 24),
      answer: fc.option(answer, { nil: undefined }),
    })
    .map(({ code, answer: given }) => ({
      ok: false as const,
      code: code as Extract<CreditOutcome, { ok: false }>['code'],
      ...(given ? { answer: given } : {}),
    })),
);

test('credit commands cross to the writer thread unchanged', () => {
  fc.assert(
    fc.property(fc.array(command, { maxLength: 20 }), (commands) => {
      expect(decodeCommands(encodeCommands(commands))).toEqual(commands);
    }),
  );
});

test('their outcomes come back unchanged', () => {
  fc.assert(
    fc.property(fc.array(outcome, { maxLength: 20 }), (outcomes) => {
      expect(decodeOutcomes(encodeOutcomes(outcomes))).toEqual(outcomes);
    }),
  );
});
