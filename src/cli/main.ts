import { CommanderError } from 'commander';

import { writeFailure } from './output.js';
import { buildProgram } from './program.js';

/**
 * Exit codes: 0 success; 1 the operation was refused or failed (a code of the
 * error table, a failed verify, an unreachable database); 2 a usage error.
 * Every failure is one line on stderr, never a stack trace.
 */
const program = buildProgram((code) => {
  process.exitCode = code;
});

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeOf(error);
}

function exitCodeOf(error: unknown): number {
  // Commander has already printed its one-line message (or the help).
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  const message = error instanceof Error ? error.message : String(error);
  writeFailure(process.argv.includes('--json'), { message: message.split('\n')[0] ?? 'unexpected error' });
  return 1;
}
