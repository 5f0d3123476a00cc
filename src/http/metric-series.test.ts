import { Counter, Histogram, Registry } from 'prom-client';
import { expect, test } from 'vitest';
import { CounterSeries, HistogramSeries } from './metric-series.js';

const BOUNDS = [0.001, 0.01, 0.1, 1];
const OBSERVED = [
  { route: '/a', method: 'POST', status: 200, value: 0.0005 },
  { route: '/a', method: 'POST', status: 200, value: 0.02 },
  { route: '/a', method: 'POST', status: 422, value: 0.001 },
  { route: 'un"quoted\\', method: 'GET', status: 404, value: 7 },
];

test('the series are written exactly as prom-client writes its own histogram and counter', async () => {
  const ours = new Registry();
  const theirs = new Registry();
  const histogram = new HistogramSeries('t_latency', 'Help.', ours, BOUNDS);
  const counter = new CounterSeries('t_total', 'Help.', ours);
  const reference = new Histogram({
    name: 't_latency',
    help: 'Help.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: BOUNDS,
    registers: [theirs],
  });
  const referenceCounter = new Counter({
    name: 't_total',
    help: 'Help.',
    labelNames: ['route', 'code'] as const,
    registers: [theirs],
  });
  for (const { route, method, status, value } of OBSERVED) {
    histogram.series(`${route} ${method} ${status}`, () => ({ route, method, status })).observe(value);
    reference.observe({ route, method, status }, value);
    counter.series(`${route} ${status}`, () => ({ route, code: String(status) })).value += 1;
    referenceCounter.inc({ route, code: String(status) });
  }
  const text = await ours.metrics();
  expect(text).toContain('t_latency_bucket{le="0.001",route="/a",method="POST",status="200"} 1');
  expect(text).toBe(await theirs.metrics());
  ours.resetMetrics();
  theirs.resetMetrics();
  expect(await ours.metrics()).toBe(await theirs.metrics());
});
