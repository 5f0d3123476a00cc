import { ACCOUNT_KINDS, TRANSFER_KINDS, type LedgerStats } from '../domain/ledger-stats.js';
import { formatMicros } from '../domain/money.js';
import type { Store } from '../domain/store.js';

/** How old the ledger figures of a scrape may be: one pair of aggregate queries per period at most. */
export const LEDGER_STATS_MAX_AGE_MS = 5_000;

/**
 * The ledger's figures for /metrics: read from the store (every process
 * shows the same, whoever wrote), at most once per `maxAgeMs` and only when
 * scraped, so a scrape never costs a scan of its own. The Prometheus text is
 * written here rather than by prom-client, whose values are floats: euros
 * come out as exact decimal text, as everywhere else (docs/metrics.md).
 */
export class LedgerGauges {
  private last: { readonly at: number; readonly stats: LedgerStats } | null = null;
  private reading: Promise<LedgerStats | null> | null = null;

  constructor(
    private readonly store: Store,
    private readonly prefix: string,
    private readonly maxAgeMs = LEDGER_STATS_MAX_AGE_MS,
  ) {}

  /** The exposition text; nothing while the store was never reached (/metrics still answers). */
  async text(): Promise<string> {
    const stats = await this.stats();
    return stats === null ? '' : exposition(this.prefix, stats);
  }

  private async stats(): Promise<LedgerStats | null> {
    const last = this.last;
    if (last !== null && performance.now() - last.at < this.maxAgeMs) return last.stats;
    // Scrapes arriving together share one read.
    this.reading ??= this.store.ledgerStats().then(
      (stats) => {
        this.last = { at: performance.now(), stats };
        return stats;
      },
      // A store out of reach leaves the figures as they were.
      () => this.last?.stats ?? null,
    );
    try {
      return await this.reading;
    } finally {
      this.reading = null;
    }
  }
}

type Family = readonly [name: string, type: 'gauge' | 'counter', help: string, samples: readonly string[]];

function exposition(prefix: string, stats: LedgerStats): string {
  const byKind = <K extends string>(kinds: readonly K[], value: (kind: K) => string) =>
    kinds.map((kind) => `{kind="${kind}"} ${value(kind)}`);
  const families: Family[] = [
    [
      'ledger_accounts',
      'gauge',
      'Open accounts by kind (funding, main, sub).',
      byKind(ACCOUNT_KINDS, (kind) => String(stats.accounts[kind])),
    ],
    [
      'ledger_balance_eur',
      'gauge',
      "Sum of the open accounts' balances by kind, exact; funding's is minus the money in circulation.",
      byKind(ACCOUNT_KINDS, (kind) => formatMicros(stats.balanceMicros[kind])),
    ],
    [
      'ledger_moved_eur_total',
      'counter',
      'EUR moved by committed transfers since the ledger began, by transfer kind, exact; the same in every process.',
      byKind(TRANSFER_KINDS, (kind) => formatMicros(stats.movedMicros[kind])),
    ],
    [
      'ledger_low_balance_accounts',
      'gauge',
      'Open accounts whose available balance is below their low-balance threshold.',
      [` ${stats.belowLowBalance}`],
    ],
    [
      'ledger_events_total',
      'counter',
      'Events written since the ledger began (every tree, webhooks or not); the same in every process.',
      [` ${stats.events}`],
    ],
  ];
  return families
    .map(([name, type, help, samples]) => {
      const full = `${prefix}${name}`;
      return [`# HELP ${full} ${help}`, `# TYPE ${full} ${type}`, ...samples.map((s) => `${full}${s}`)].join(
        '\n',
      );
    })
    .join('\n')
    .concat('\n');
}
