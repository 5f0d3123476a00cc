import { percentile } from './load.js';

/**
 * Writes other than transfers, sent beside the measured load: simple
 * subaccounts created one after another, each request sent as soon as the
 * previous one is answered. They move no money, so the balance check of the
 * measured load stays exact.
 */
export interface SideLoadResult {
  readonly kind: 'subaccounts created';
  readonly requests: number;
  readonly failed: number;
  readonly perSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
}

export interface SideLoad {
  stop(): Promise<SideLoadResult>;
}

export function startSubaccountCreations(baseUrl: string, apiKey: string): SideLoad {
  const startedAt = performance.now();
  const latencies: number[] = [];
  let failed = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const sentAt = performance.now();
      try {
        const response = await fetch(`${baseUrl}/v1/subaccount/create`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ apiKey, type: 'simple', parameters: {} }),
        });
        const text = await response.text();
        if (!response.ok || !text.includes('"success":true')) failed += 1;
      } catch {
        failed += 1;
      }
      latencies.push(performance.now() - sentAt);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      const seconds = (performance.now() - startedAt) / 1000;
      latencies.sort((a, b) => a - b);
      return {
        kind: 'subaccounts created',
        requests: latencies.length,
        failed,
        perSecond: latencies.length / seconds,
        latencyMs: {
          p50: percentile(latencies, 0.5),
          p99: percentile(latencies, 0.99),
          max: latencies.at(-1) ?? 0,
        },
      };
    },
  };
}
