import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The benchmark runs compiled (dist/bench-build/bench/*.js) so that the servers under test carry
 * no TypeScript loader; these paths hold from the sources and from the build alike.
 */
export const BENCH_BUILD_DIR = dirname(fileURLToPath(import.meta.url));

function findRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'bench', 'run.ts'))) return dir;
  }
  throw new Error(`project root not found above ${from}`);
}

export const ROOT = findRoot(BENCH_BUILD_DIR);
/** Where the benches write their results (and their scratch files). */
export const RESULTS_DIR = join(ROOT, 'bench', 'results');
/** `npm run bench`'s last results, read back by `npm run bench:ab`. */
export const LATEST_RESULTS = join(RESULTS_DIR, 'latest.json');
