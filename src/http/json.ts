import { LosslessNumber, isLosslessNumber, stringify } from 'lossless-json';
import { formatMicros } from '../domain/money.js';

/**
 * Replies are written with lossless-json instead of JSON.stringify because a
 * JS number cannot hold every balance exactly: money travels as a
 * LosslessNumber carrying its exact decimal text, written as a bare JSON number.
 */
export function money(micros: bigint): LosslessNumber {
  return new LosslessNumber(formatMicros(micros));
}

const exactNumbers = [
  { test: (value: unknown) => isLosslessNumber(value), stringify: (value: unknown) => String(value) },
];

/** The content type of every JSON answer written as bytes already made (answers, errors, replays). */
export const JSON_TYPE = 'application/json; charset=utf-8';

export function serializeJson(payload: unknown): string {
  return stringify(payload, null, undefined, exactNumbers) ?? 'null';
}
