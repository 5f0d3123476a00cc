import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import { OverloadError } from '../domain/store.js';

/**
 * How often the event loop's delay is read. Each reading decides, until the
 * next, whether every request is refused: short enough that shedding starts
 * and stops within a few requests' time, long enough for a mean worth reading.
 */
const SAMPLE_INTERVAL_MS = 100;

class EventLoopOverloadError extends OverloadError {
  constructor() {
    super('the event loop lags past EVENT_LOOP_DELAY_MAX_MS');
    this.name = 'EventLoopOverloadError';
  }
}

/**
 * EVENT_LOOP_DELAY_MAX_MS: while the event loop's mean delay over the last
 * reading is past it, every request is refused in `onRequest`, before its
 * body is read (@fastify/under-pressure). It covers what the write queue's
 * bound cannot see: a loop too busy reading requests to hand them to the
 * store. The refusal goes through the error handler like any 503 (the
 * contract's body, Retry-After). 0 turns it off.
 */
export function registerOverloadShedding(app: FastifyInstance, eventLoopDelayMaxMs: number): void {
  if (eventLoopDelayMaxMs <= 0) return;
  void app.register(underPressure, {
    maxEventLoopDelay: eventLoopDelayMaxMs,
    sampleInterval: SAMPLE_INTERVAL_MS,
    customError: EventLoopOverloadError,
  });
}
