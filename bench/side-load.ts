import { percentile, type LoadRequest } from './load.js';

/**
 * Other writes, sent beside the measured load, each request as soon as the
 * previous one is answered: simple subaccounts created (target m), or batches
 * of credit/add on another main account's subaccounts (target n). Neither
 * moves the measured main account's money, so its balance check stays exact.
 */
export interface SideLoadResult {
  readonly kind: 'subaccounts created' | 'batches of 1000 applied';
  readonly requests: number;
  readonly failed: number;
  readonly perSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
}

export interface SideLoad {
  stop(): Promise<SideLoadResult>;
}

export function startSubaccountCreations(baseUrl: string, apiKey: string): SideLoad {
  const request = {
    path: '/v1/subaccount/create',
    body: JSON.stringify({ apiKey, type: 'simple', parameters: {} }),
  };
  return startSideLoad('subaccounts created', baseUrl, () => request);
}

/** `next`: the batches to send (add-load.ts, batchRequests). */
export function startBatches(baseUrl: string, next: () => LoadRequest): SideLoad {
  return startSideLoad('batches of 1000 applied', baseUrl, next);
}

function startSideLoad(kind: SideLoadResult['kind'], baseUrl: string, next: () => LoadRequest): SideLoad {
  const startedAt = performance.now();
  const latencies: number[] = [];
  let failed = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const { path, body } = next();
      const sentAt = performance.now();
      try {
        const response = await fetch(baseUrl + path, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
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
        kind,
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
