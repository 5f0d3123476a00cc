import { LosslessNumber, isLosslessNumber, stringify } from 'lossless-json';
import { formatMicros } from '../domain/money.js';
import type { OperationName } from 'tirelire-client';
import type { Shape, ANSWERS } from 'tirelire-client/shapes';

/**
 * Replies are written with lossless-json instead of JSON.stringify because a
 * JS number cannot hold every balance exactly: money travels as a
 * LosslessNumber carrying its exact decimal text, written as a bare JSON number.
 */
export function money(micros: bigint): LosslessNumber {
  return new LosslessNumber(formatMicros(micros));
}

/**
 * An operation's 200 answer as the server writes it: the shape packages/client/src/shapes.ts
 * defines (the one the SDK reads), money numbers as LosslessNumbers.
 */
export type Written<K extends OperationName> = Shape<(typeof ANSWERS)[K], LosslessNumber>;
/** The same without `success` and `code`. */
export type WrittenFields<K extends OperationName> = Omit<Written<K>, 'success' | 'code'>;

const exactNumbers = [
  { test: (value: unknown) => isLosslessNumber(value), stringify: (value: unknown) => String(value) },
];

/** The content type of every JSON answer written as bytes already made (answers, errors, replays). */
export const JSON_TYPE = 'application/json; charset=utf-8';

export function serializeJson(payload: unknown): string {
  return stringify(payload, null, undefined, exactNumbers) ?? 'null';
}
