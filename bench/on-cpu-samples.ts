/**
 * `perf script` samples and what each was doing, for `npm run bench:oncpu`
 * (on-cpu.ts): kept apart so that the reading and the categories are tested
 * (test/project/bench-on-cpu.test.ts) without `perf`.
 */
export interface Sample {
  /** The thread's name as the kernel has it (`node` for every thread of a Node process). */
  readonly command: string;
  readonly pid: number;
  readonly tid: number;
  /** The stack, the sampled frame first: `symbol (object)`. */
  readonly frames: readonly string[];
}

/**
 * What a sample was doing: the category of the frame nearest the sampled one
 * that any pattern matches, the first in this order when several match that
 * frame (so `fsync` under COMMIT is `fsync`, and SQLite's engine under
 * `insertTransfers` is the store's write).
 */
const CATEGORIES: readonly (readonly [string, RegExp])[] = [
  [
    'garbage collection',
    /Scaveng|MarkCompact|Marking|MinorMark|Sweeper|Heap::(Collect|Perform|Scavenge)|GCTracer|ObjectVisitor/,
  ],
  ['compiling (V8)', /v8::internal::(compiler|maglev|baseline)::|Compiler::|OptimizingCompileDispatcher/],
  ['fsync', /__x64_sys_fsync|__x64_sys_fdatasync/],
  ['socket sends', /tcp_sendmsg|sock_write_iter|do_writev/],
  ['socket reads', /tcp_recvmsg|sock_read_iter/],
  ['file writes', /__x64_sys_pwrite64|__x64_sys_write\b|vfs_write\b/],
  ['file reads', /__x64_sys_pread64/],
  ['file locks', /__x64_sys_fcntl/],
  ['waiting (epoll, futex)', /epoll|futex/],
  ['log lines (pino, sonic-boom)', /pino|sonic-boom|http\/logging\.js/],
  ['metrics', /metric|prom-client/],
  ['rate limit', /rate-limit/],
  ['hop to the writer thread', /credit-wire|credit-writer\.js|MessagePort::PostMessage|receiveMessageOnPort/],
  ['key hash', /key-hash|crypto\/hash|EVP_Digest|sha256/i],
  ['request body', /http\/body\.js|content-type-parser|querystring/],
  ['PostgreSQL driver (pg)', /node_modules\/(pg|pg-protocol|pg-pool|pg-types)\//],
  // An Idempotency-Key's work: the request's fingerprint, and the record's read and write.
  ['idempotency keys (fingerprint, records)', /http\/idempotency\.js|store\/(sqlite|postgres)\/claims\.js/],
  ['store, reading the accounts', /ledger-read\.js/],
  ['store, writing the transfers, events, accounts', /ledger-write\.js|statements\.js/],
  // The writer's transaction around those (better-sqlite3's wrapper, inlined
  // into the thread's message handler when hot): BEGIN, COMMIT, the loop.
  [
    'SQLite writer, BEGIN and COMMIT',
    /better-sqlite3\/lib\/methods\/transaction\.js|sqlite\/credit-worker\.js/,
  ],
  ['ledger rules (domain)', /\/domain\//],
  ['Tirelire HTTP handlers', /\/(dist|src)\/(http|app)\//],
  ['Fastify', /fastify\/lib|find-my-way|avvio/],
  ['Node HTTP (llhttp, IncomingMessage, ServerResponse)', /llhttp|_http_|Parser::|http_parser/],
  ['load generator (autocannon)', /autocannon|hdr-histogram|bench\/load\.js|bench\/add-load\.js/],
];

/** Checked only when no frame of the stack matched CATEGORIES. */
const FALLBACKS: readonly (readonly [string, RegExp])[] = [
  ['SQLite, statement not told apart', /better_sqlite3\.node/],
  ['kernel (other)', /\[kernel\.kallsyms\]/],
];

export function categoryOf(frames: readonly string[]): string {
  for (const categories of [CATEGORIES, FALLBACKS]) {
    for (const frame of frames) {
      for (const [name, pattern] of categories) if (pattern.test(frame)) return name;
    }
  }
  return 'other';
}

/**
 * `perf script -F comm,pid,tid,ip,sym,dso` of a `perf record -g`: one block
 * per sample, a `comm pid/tid` line then one `address symbol (object)` line
 * per frame. The idle loop's samples (pid 0) are left out.
 */
export function parsePerfScript(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const block of text.split('\n\n')) {
    const lines = block.split('\n').filter((line) => line.trim() !== '');
    const head = /^\s*(.*?)\s+(\d+)\/(\d+)\s*$/.exec(lines[0] ?? '');
    if (head === null || head[2] === '0') continue;
    const frames = lines.slice(1).map((line) => line.trim().replace(/^[0-9a-f]+ /, ''));
    samples.push({ command: head[1]!, pid: Number(head[2]), tid: Number(head[3]), frames });
  }
  return samples;
}
