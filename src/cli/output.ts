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

/** What a failed command says: a line for people; with --json, the same as an object. */
export interface Failure {
  readonly message: string;
  /** A code of the error table, when the failure is one. */
  readonly code?: ErrorCode;
  /** For code 22: the option (or field) that was refused. */
  readonly param?: string;
}

/** Where a command writes; tests and the future admin API never need a process. */
export interface Output {
  readonly json: boolean;
  /** The one result of a command: one JSON object with --json, human lines otherwise. */
  result(object: { readonly [key: string]: JsonValue }, humanLines: readonly string[]): void;
  /** Which database the command uses: a line on stderr, so stdout stays the result alone. */
  database(label: string): void;
  /** One line on stderr (one JSON object `{"error":{…}}` with --json); the caller sets the exit code. */
  error(failure: string | Failure): void;
  /** Raw text for stdout (CSV); the caller writes its own line ends. */
  write(text: string): void;
}

export function processOutput(json: boolean): Output {
  return {
    json,
    result(object, humanLines) {
      const text = json ? stringify(object) : humanLines.join('\n');
      process.stdout.write(`${text ?? ''}\n`);
    },
    database(label) {
      process.stderr.write(
        json ? `${JSON.stringify({ database: label })}\n` : `tirelire: database: ${label}\n`,
      );
    },
    error(failure) {
      writeFailure(json, typeof failure === 'string' ? { message: failure } : failure);
    },
    write(text) {
      process.stdout.write(text);
    },
  };
}

/** The one writer of a failure on stderr, for commands and for errors thrown out of them (main.ts). */
export function writeFailure(json: boolean, failure: Failure): void {
  if (!json) {
    process.stderr.write(`tirelire: ${failure.message}\n`);
    return;
  }
  const { message, code, param } = failure;
  const error = {
    ...(code === undefined ? {} : { code }),
    message,
    ...(param === undefined ? {} : { param }),
  };
  process.stderr.write(`${JSON.stringify({ error })}\n`);
}

/** Operators read English; the code lets them find the row in the README's error table. */
export function describeCode(code: ErrorCode, param?: string): string {
  return `${errorMessage(code, 'en')} (code ${code}${param === undefined ? '' : `, ${param}`})`;
}

/** A refusal by a code of the error table: one line (or object) on stderr, exit code 1. */
export function refuse(output: Output, code: ErrorCode, param?: string): number {
  output.error({ message: describeCode(code, param), code, ...(param === undefined ? {} : { param }) });
  return 1;
}

/** A command used wrongly (exit code 2), said as a refusal is. */
export function usageError(output: Output, line: string): number {
  output.error(line);
  return 2;
}
