import { describe, expect, it } from 'vitest';
import { categoryOf, parsePerfScript } from '../../bench/on-cpu-samples.js';

/**
 * `npm run bench:oncpu` reads `perf script` and names what each sample was
 * doing. These stacks are cut from real samples of target c (the writer
 * thread, the event loop) and an idle core's.
 */
const SCRIPT = [
  'node 8348/8359 ',
  '\tffffffff81736dbb do_fsync ([kernel.kallsyms])',
  '\tffffffff8173720f __x64_sys_fsync ([kernel.kallsyms])',
  '\tffffffff8223c951 do_syscall_64 ([kernel.kallsyms])',
  '\t           fec4a fsync (/usr/lib/x86_64-linux-gnu/libc.so.6)',
  '\t           d7eb5 pagerWalFrames (/work/main/node_modules/better-sqlite3/build/Release/better_sqlite3.node)',
  '\t          14b5c5 sqlite3_step (/work/main/node_modules/better-sqlite3/build/Release/better_sqlite3.node)',
  '\t    7ff12c084be6 JS:* file:///work/main/dist/store/sqlite/credit-worker.js:28:20 (/tmp/perf-8348.map)',
  '\t          90ec0a node::worker::MessagePort::OnMessage (/usr/bin/node)',
  '',
  'node 8348/8359 ',
  '\t           e4149 sqlite3BtreeTableMoveto (/work/main/node_modules/better-sqlite3/build/Release/better_sqlite3.node)',
  '\t          14b5c5 sqlite3_step (/work/main/node_modules/better-sqlite3/build/Release/better_sqlite3.node)',
  '\t    7ff12c0687ea JS:*insertTransfers file:///work/main/dist/store/sqlite/ledger-write.js:46:25 (/tmp/perf-8348.map)',
  '\t    7ff12c084af7 JS:* file:///work/main/dist/store/sqlite/credit-worker.js:28:20 (/tmp/perf-8348.map)',
  '\t          90ec0a node::worker::MessagePort::OnMessage (/usr/bin/node)',
  '',
  'node 8348/8359 ',
  '\t           1403dc sqlite3VdbeExec (/work/main/node_modules/better-sqlite3/build/Release/better_sqlite3.node)',
  '\t    7ff12c084be6 JS:* file:///work/main/dist/store/sqlite/credit-worker.js:28:20 (/tmp/perf-8348.map)',
  '\t          90ec0a node::worker::MessagePort::OnMessage (/usr/bin/node)',
  '',
  'node 8348/8348 ',
  '\tffffffff81c1e0a0 tcp_sendmsg ([kernel.kallsyms])',
  '\tffffffff81c0a1b2 sock_write_iter ([kernel.kallsyms])',
  '\tffffffff8173a0c1 do_writev ([kernel.kallsyms])',
  '\t         14b8865 uv__write (/usr/bin/node)',
  '\t    7ff3e418d9c5 JS:*writevGeneric node:internal/stream_base_commons:122:22 (/tmp/perf-8348.map)',
  '',
  'swapper     0/0     ',
  '\tffffffff82241a15 default_idle ([kernel.kallsyms])',
  '',
  'node 8348/8348 ',
  '\t         14c46ff Builtins_RegExpMatchFast (/usr/bin/node)',
  '\t    7ff3e419011b JS:* file:///work/main/dist/http/body.js:28:58 (/tmp/perf-8348.map)',
  '\t    7ff3e4199433 JS:*onEnd /work/main/node_modules/fastify/lib/content-type-parser.js:295:18 (/tmp/perf-8348.map)',
  '',
].join('\n');

describe('bench:oncpu reading perf script', () => {
  const samples = parsePerfScript(SCRIPT);

  it('reads each sample with its thread and frames, the idle loop left out', () => {
    expect(samples.map((s) => [s.command, s.pid, s.tid, s.frames.length])).toEqual([
      ['node', 8348, 8359, 8],
      ['node', 8348, 8359, 5],
      ['node', 8348, 8359, 3],
      ['node', 8348, 8348, 5],
      ['node', 8348, 8348, 3],
    ]);
    expect(samples[0]!.frames[0]).toBe('do_fsync ([kernel.kallsyms])');
  });

  it('names a sample by the first category from the sampled frame up', () => {
    expect(samples.map((s) => categoryOf(s.frames))).toEqual([
      // COMMIT's fsync, under the writer's transaction
      'fsync',
      // SQLite's engine under insertTransfers, not under the transaction around it
      'store, writing the transfers, events, accounts',
      // SQLite's engine directly under the writer's handler: its BEGIN or COMMIT
      'SQLite writer, BEGIN and COMMIT',
      'socket sends',
      // our body parser, called by Fastify's: ours, the nearer one
      'request body',
    ]);
  });

  it("names a keyed request's record and fingerprint apart from the domain that calls them", () => {
    const record = [
      'sqlite3VdbeExec (/x/better_sqlite3.node)',
      'JS:*close file:///x/dist/store/sqlite/claims.js:51:10 (/tmp/perf-1.map)',
      'JS:*guarded file:///x/dist/domain/idempotency.js:120:17 (/tmp/perf-1.map)',
    ];
    expect(categoryOf(record)).toBe('idempotency keys (fingerprint, records)');
    expect(categoryOf(['JS:*canonical file:///x/dist/http/idempotency.js:70:1 (/tmp/perf-1.map)'])).toBe(
      'idempotency keys (fingerprint, records)',
    );
  });

  it('falls back to SQLite or the kernel when no frame is one of ours, else other', () => {
    expect(
      categoryOf(['sqlite3VdbeExec (/x/better_sqlite3.node)', 'Builtins_CallApiCallback (/usr/bin/node)']),
    ).toBe('SQLite, statement not told apart');
    expect(categoryOf(['finish_task_switch ([kernel.kallsyms])'])).toBe('kernel (other)');
    expect(categoryOf(['Builtins_LoadIC (/usr/bin/node)'])).toBe('other');
  });

  it("names V8's own threads' work: collections and compiling", () => {
    expect(categoryOf(['v8::internal::Sweeper::RawSweep (/usr/bin/node)'])).toBe('garbage collection');
    expect(categoryOf(['v8::internal::ConcurrentMarking::RunMajor (/usr/bin/node)'])).toBe(
      'garbage collection',
    );
    expect(categoryOf(['v8::internal::compiler::GraphReducer::ReduceTop (/usr/bin/node)'])).toBe(
      'compiling (V8)',
    );
  });
});
