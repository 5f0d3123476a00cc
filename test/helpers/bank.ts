import { expect } from 'vitest';
import type { BankReport } from '../../soak/bank.js';

/**
 * What a short bank run must show on either store: no violation, and not
 * vacuously so — the server died, answers were lost, and money moved. At least
 * one kill whatever the machine's load (restarts take longer on a busy machine).
 */
export function expectSoundBankRun(report: BankReport): void {
  expect(report.violations).toEqual([]);
  expect(report.kills).toBeGreaterThanOrEqual(1);
  expect(report.killsSurvived).toBe(report.kills);
  expect(report.tally.inDoubt).toBeGreaterThan(0);
  expect(report.tally.replays).toBeGreaterThan(0);
  expect(report.acknowledged).toBeGreaterThan(100);
  expect(report.transfersStored).toBe(report.acknowledged);
}
