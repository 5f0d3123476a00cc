import { describe, expect, test } from 'vitest';
import { runBank } from '../../soak/bank.js';
import { expectSoundBankRun } from '../helpers/bank.js';

/**
 * The short bank test (issue 6; `npm run soak` is the long one): random
 * transfers through the real server while it is SIGKILLed, then the ledger
 * checked exactly against what the clients were told.
 */
describe('bank test on SQLite', () => {
  test('10 s of transfers with kill -9 of the server: no violation', async () => {
    const report = await runBank({
      engine: 'sqlite',
      seconds: 10,
      processes: 1,
      clients: 12,
      killPauseMs: [1_500, 3_000],
    });
    expectSoundBankRun(report);
  }, 120_000);

  test('the checks catch a client that retries without idempotency keys', async () => {
    const report = await runBank({
      engine: 'sqlite',
      seconds: 4,
      processes: 1,
      clients: 8,
      killPauseMs: [1_000, 2_000],
      sendIdempotencyKeys: false,
      keepOnViolation: false,
    });
    // Each request sent again on purpose moves money a second time, behind the client's back.
    expect(report.violations.some((violation) => violation.includes('was never acknowledged'))).toBe(true);
    expect(report.transfersStored).toBeGreaterThan(report.acknowledged);
  }, 120_000);
});
