import { LosslessNumber, stringify } from 'lossless-json';

import { errorMessage, type ErrorCode } from '../domain/errors.js';
import { formatMicros } from '../domain/money.js';

/**
 * Money in `--json` output is a JSON number written from its exact decimal
 * text (61.8, not "61.8"), as the HTTP API writes it (CONTRACT.md section 3).
 * LosslessNumber carries that text into the JSON untouched: no binary float
 * ever holds a balance on the way out.
 */
export function money(micros: bigint): LosslessNumber {
  return new LosslessNumber(formatMicros(micros));
}

export type JsonValue =
  | string
  | number
  | boolean
  | null
  | LosslessNumber
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** Where a command writes; tests and the future admin API never need a process. */
export interface Output {
  readonly json: boolean;
  /** The one result of a command: one JSON object with --json, human lines otherwise. */
  result(object: { readonly [key: string]: JsonValue }, humanLines: readonly string[]): void;
  /** One line on stderr; the caller sets the exit code. */
  error(line: string): void;
}

export function processOutput(json: boolean): Output {
  return {
    json,
    result(object, humanLines) {
      const text = json ? stringify(object) : humanLines.join('\n');
      process.stdout.write(`${text ?? ''}\n`);
    },
    error(line) {
      process.stderr.write(`tirelire: ${line}\n`);
    },
  };
}

/** Operators read English; the code lets them find the row in the README's error table. */
export function describeCode(code: ErrorCode): string {
  return `${errorMessage(code, 'en')} (code ${code})`;
}
