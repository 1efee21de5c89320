import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus registry and Ferry's metrics. Each service updates the ones it owns;
 * every service serves them all at `/metrics` (those it never touches stay empty).
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'ferry_' }); // ferry_process_*, ferry_nodejs_*

export const metrics = {
  rows: new Counter({
    name: 'ferry_rows_total',
    help: 'Rows read by imports, by entity type and outcome (ok, rejected, duplicate)',
    labelNames: ['entity_type', 'outcome'] as const,
    registers: [registry],
  }),
  batchWrite: new Histogram({
    name: 'ferry_batch_write_seconds',
    help: 'Time to commit one import batch (records, row errors and checkpoint in one transaction)',
    labelNames: ['entity_type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  }),
  messages: new Counter({
    name: 'ferry_messages_total',
    help: 'JetStream messages handled, by consumer and outcome (ack, nak, dead_letter)',
    labelNames: ['consumer', 'outcome'] as const,
    registers: [registry],
  }),
  redeliveries: new Counter({
    name: 'ferry_message_redeliveries_total',
    help: 'Messages received again after an earlier delivery (crash, nak, ack wait expired)',
    labelNames: ['consumer'] as const,
    registers: [registry],
  }),
  handlerSeconds: new Histogram({
    name: 'ferry_handler_seconds',
    help: 'Time a consumer handler ran for one message',
    labelNames: ['consumer'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800],
    registers: [registry],
  }),
};

/** A gauge read at scrape time (consumer lag, outbox backlog, tasks by status). */
export function gaugeFromCallback(
  name: string,
  help: string,
  labelNames: readonly string[],
  read: () => Promise<Array<{ labels: Record<string, string>; value: number }>>,
): Gauge {
  const existing = registry.getSingleMetric(name);
  if (existing) registry.removeSingleMetric(name);
  return new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      this.reset();
      try {
        for (const { labels, value } of await read()) this.set(labels, value);
      } catch {
        // A dependency down at scrape time: report nothing rather than fail the scrape.
      }
    },
  });
}
