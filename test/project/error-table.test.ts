import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../src/domain/errors.js';

/** The README's error table and the code's table are one table: equal both ways. */
function readmeRows(): string[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = /<!-- error-table:start -->([\s\S]*?)<!-- error-table:end -->/.exec(readme);
  if (section === null) throw new Error('README.md has no error table markers');
  return section[1]!
    .split('\n')
    .filter((line) => /^\|\s*\d+\s*\|/.test(line))
    .map((line) => line.trim());
}

describe('error table', () => {
  it('README lists exactly the codes of src/domain/errors.ts, with the same status and messages', () => {
    const fromCode = Object.entries(ERRORS).map(([code, e]) => `| ${code} | ${e.http} | ${e.fr} | ${e.en} |`);
    expect(readmeRows()).toEqual(fromCode);
  });

  it('leaves 9, 11 and 96 unused, as the Mailpartner family uses them elsewhere', () => {
    expect(Object.keys(ERRORS)).not.toContain('9');
    expect(Object.keys(ERRORS)).not.toContain('11');
    expect(Object.keys(ERRORS)).not.toContain('96');
  });
});
