import type { ErrorCode } from '../../domain/errors.js';
import type { IdempotentAnswer } from '../../domain/idempotency.js';
import type { ParsedAmount } from '../../domain/money.js';
import type { CreditCommand, CreditKey, CreditOutcome } from '../../domain/transfers.js';
import { textOf } from '../../domain/answers/utf8.js';

/**
 * Credit commands and outcomes as one JSON text each way between the event
 * loop and the SQLite writer thread (credit-writer.ts). postMessage clones a
 * string with one copy; cloning the objects themselves (dates, bigints, nested
 * claims) cost about 15 µs of the event loop per transfer under
 * `npm run bench` (--cpu-prof), more than the statements it saved there.
 * Positional arrays, bigints as decimal text, dates as epoch milliseconds.
 */

type WireAmount = [kind: 'positive', micros: string] | [kind: 'not-positive' | 'invalid'];
type WireKey = [
  scope: string,
  key: string,
  fingerprint: string,
  createdAtMs: number,
  language: CreditKey['language'],
];
type WireCommand = [
  transferId: string,
  direction: CreditCommand['direction'],
  keyHash: string,
  tokenSubaccount: string,
  amount: WireAmount,
  createdAtMs: number,
  idempotencyKey: string | null,
  idempotency: WireKey | null,
];
type WireAnswer = [status: number, body: string, replayed: boolean] | null;
type WireOutcome =
  | [ok: 1, transferId: string, main: string, sub: string, answer: WireAnswer]
  | [ok: 0, code: ErrorCode, answer: WireAnswer];

export function encodeCommands(commands: readonly CreditCommand[]): string {
  return JSON.stringify(commands.map(toWire));
}

export function decodeCommands(text: string): CreditCommand[] {
  return (JSON.parse(text) as WireCommand[]).map(fromWire);
}

export function encodeOutcomes(outcomes: readonly CreditOutcome[]): string {
  return JSON.stringify(outcomes.map(outcomeToWire));
}

export function decodeOutcomes(text: string): CreditOutcome[] {
  return (JSON.parse(text) as WireOutcome[]).map(outcomeFromWire);
}

function toWire(command: CreditCommand): WireCommand {
  const { amount, idempotency: key } = command;
  return [
    command.transferId,
    command.direction,
    command.keyHash,
    command.tokenSubaccount,
    amount.kind === 'positive' ? [amount.kind, amount.micros.toString()] : [amount.kind],
    command.createdAt.getTime(),
    command.idempotencyKey,
    key === undefined
      ? null
      : [key.claim.scope, key.claim.key, key.claim.fingerprint, key.claim.createdAt.getTime(), key.language],
  ];
}

function fromWire(wire: WireCommand): CreditCommand {
  const [transferId, direction, keyHash, tokenSubaccount, amount, createdAtMs, idempotencyKey, key] = wire;
  const command: CreditCommand = {
    transferId,
    direction,
    keyHash,
    tokenSubaccount,
    amount: amountFromWire(amount),
    createdAt: new Date(createdAtMs),
    idempotencyKey,
  };
  if (key === null) return command;
  const [scope, claimKey, fingerprint, claimedAtMs, language] = key;
  return {
    ...command,
    idempotency: { claim: { scope, key: claimKey, fingerprint, createdAt: new Date(claimedAtMs) }, language },
  };
}

function amountFromWire(amount: WireAmount): ParsedAmount {
  return amount[0] === 'positive' ? { kind: 'positive', micros: BigInt(amount[1]) } : { kind: amount[0] };
}

function outcomeToWire(outcome: CreditOutcome): WireOutcome {
  const answer = outcome.answer === undefined ? null : answerToWire(outcome.answer);
  return outcome.ok
    ? [
        1,
        outcome.transferId,
        outcome.mainBalanceMicros.toString(),
        outcome.subaccountBalanceMicros.toString(),
        answer,
      ]
    : [0, outcome.code, answer];
}

function answerToWire(answer: IdempotentAnswer): WireAnswer {
  return [answer.status, textOf(answer.body), answer.replayed];
}

function outcomeFromWire(wire: WireOutcome): CreditOutcome {
  const answer = wire[0] === 1 ? wire[4] : wire[2];
  const withAnswer =
    answer === null ? {} : { answer: { status: answer[0], body: answer[1], replayed: answer[2] } };
  if (wire[0] === 0) return { ok: false, code: wire[1], ...withAnswer };
  return {
    ok: true,
    transferId: wire[1],
    mainBalanceMicros: BigInt(wire[2]),
    subaccountBalanceMicros: BigInt(wire[3]),
    ...withAnswer,
  };
}
