import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the heap grow past what survived its last full collection
 * before it collects again: V8 picks a factor between 1.1 and 4 from how fast
 * its collector runs against the program, and a server's small live set
 * (about 45 MB) collects fast, so it picks 4. Objects that outlive two
 * scavenges die in the old generation: a batch of 1000 being answered, or
 * every request under overload (2,048 connections, 150 ms each). The old
 * generation then grew to 4 × 45 MB of mostly garbage before the next full
 * collection, and the process's RSS with it (docs/benchmarks.md, "V8's heap
 * growth"). A fixed factor of 1 + percent / 100 collects sooner.
 *
 * Process-wide: the writer thread too. 0 leaves V8's own factor, and so does a
 * `--heap-growing-percent` given to node itself.
 */
export function setHeapGrowth(percent: number): void {
  const flag = heapGrowthFlag(percent, process.execArgv);
  if (flag !== null) setFlagsFromString(flag);
}

/** The V8 flag for `percent`, or null when V8's own factor or node's command line decides. */
export function heapGrowthFlag(percent: number, nodeOptions: readonly string[]): string | null {
  if (percent === 0 || nodeOptions.some((option) => HEAP_GROWTH_OPTION.test(option))) return null;
  return `--heap-growing-percent=${percent}`;
}

const HEAP_GROWTH_OPTION = /^--heap[-_]growing[-_]percent\b/;
