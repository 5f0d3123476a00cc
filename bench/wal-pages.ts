import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { addRequests, batchRequests, countAdd, countBatch } from './add-load.js';
import { positiveNumber } from './env.js';
import { runLoad } from './load.js';
import { freePort, startServer } from './server-process.js';
import { seedTirelire, serverEnv } from './tirelire-seed.js';

/**
 * `npm run bench:wal`: which b-trees a SQLite commit writes, and how many pages of each.
 * c's load (or e's, `BENCH_WAL_LOAD=e`) runs against `node dist/main.js` for a few seconds
 * while the WAL is read every SNAPSHOT_MS: each frame names a page, a commit frame ends a
 * transaction, and a checkpoint's reset starts a new generation of frames (new salts), so
 * every generation seen is kept whole. The server is then killed (SIGKILL, so that its
 * closing checkpoint does not empty the WAL) and `dbstat` says which table or index each
 * page belongs to. Pages, not time: a count that does not move with the machine's noise.
 */
const SECONDS = positiveNumber('BENCH_WAL_SECONDS', 3);
const LOAD = process.env['BENCH_WAL_LOAD'] === 'e' ? 'e' : 'c';
const SUBACCOUNTS = 100;
const SNAPSHOT_MS = 100;
const WAL_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;

interface Frame {
  readonly page: number;
  /** Non-zero on the last frame of a transaction (the database's size in pages after it). */
  readonly commit: number;
}

/** The frames of the WAL's current generation (those whose salts match its header's), by its salts. */
function readGeneration(walPath: string): { readonly salts: string; readonly frames: Frame[] } | null {
  let wal: Buffer;
  try {
    wal = readFileSync(walPath);
  } catch {
    return null;
  }
  if (wal.length < WAL_HEADER_BYTES) return null;
  const pageSize = wal.readUInt32BE(8);
  const salt1 = wal.readUInt32BE(16);
  const salt2 = wal.readUInt32BE(20);
  const frames: Frame[] = [];
  for (let at = WAL_HEADER_BYTES; at + FRAME_HEADER_BYTES + pageSize <= wal.length;) {
    if (wal.readUInt32BE(at + 8) !== salt1 || wal.readUInt32BE(at + 12) !== salt2) break;
    frames.push({ page: wal.readUInt32BE(at), commit: wal.readUInt32BE(at + 4) });
    at += FRAME_HEADER_BYTES + pageSize;
  }
  return { salts: `${salt1}:${salt2}`, frames };
}

/** Every generation seen, each as long as it was seen. */
class WalWatch {
  private readonly generations = new Map<string, Frame[]>();
  constructor(private readonly walPath: string) {}

  snapshot(): void {
    const read = readGeneration(this.walPath);
    if (read === null) return;
    const known = this.generations.get(read.salts);
    if (known === undefined || known.length < read.frames.length)
      this.generations.set(read.salts, read.frames);
  }

  /** The pages of each complete transaction. */
  commits(): number[][] {
    const commits: number[][] = [];
    for (const frames of this.generations.values()) {
      let pending: number[] = [];
      for (const frame of frames) {
        pending.push(frame.page);
        if (frame.commit === 0) continue;
        commits.push(pending);
        pending = [];
      }
    }
    return commits;
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tirelire-wal-'));
  try {
    const path = join(dir, 'ledger.db');
    const database = { engine: 'sqlite', path } as const;
    const seed = await seedTirelire(database, SUBACCOUNTS, 10n ** 15n);
    const port = await freePort();
    const server = await startServer({
      name: 'wal',
      args: ['dist/main.js'],
      env: serverEnv(database, 'warn'),
      port,
      logFile: join(dir, 'server.log'),
    });
    const watch = new WalWatch(`${path}-wal`);
    const timer = setInterval(() => watch.snapshot(), SNAPSHOT_MS);
    const load = await runLoad({
      baseUrl: server.url,
      connections: LOAD === 'e' ? 4 : 64,
      seconds: SECONDS,
      nextRequest: (LOAD === 'e' ? batchRequests : addRequests)(seed.apiKey, seed.tokens),
      countTransfers: LOAD === 'e' ? countBatch : countAdd,
    });
    clearInterval(timer);
    process.kill(server.pid, 'SIGKILL');
    await server.stop();
    watch.snapshot();
    // Opening the file replays the WAL, so dbstat sees each page where the last commit left it.
    const db = new Database(path, { readonly: true });
    const owner = new Map<number, string>();
    const rows = db.prepare('SELECT name, pageno FROM dbstat').all() as { name: string; pageno: number }[];
    for (const row of rows) owner.set(row.pageno, row.name);
    db.close();
    const commits = watch.commits();
    const pages = new Map<string, number>();
    let counted = 0;
    for (const commit of commits) {
      for (const page of commit) {
        const name = page === 1 ? 'page 1 (header, schema)' : (owner.get(page) ?? 'free');
        pages.set(name, (pages.get(name) ?? 0) + 1);
        counted += 1;
      }
    }
    const per = (count: number) => (count / Math.max(commits.length, 1)).toFixed(2);
    console.log(
      `bench:wal: ${LOAD}'s load for ${SECONDS} s, ${load.transfersPerSecond.toFixed(0)} transfers/s; ` +
        `${commits.length} commits read from the WAL, ${per(counted)} pages per commit`,
    );
    for (const [name, count] of [...pages].sort((a, b) => b[1] - a[1])) {
      console.log(`  ${per(count).padStart(6)}  ${name}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
