// Prometheus metrics (prom-client), named per Prometheus conventions and declared once here
// so every role exports the same names and the Grafana dashboard can rely on them.
import { Registry, Counter, Histogram, Gauge, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'meterline_process_' });
  const registers = [registry];
  return {
    registry,
    samplesIngested: new Counter({ name: 'meterline_samples_ingested_total', help: 'Samples accepted by ingest and acknowledged by Kafka', labelNames: ['format'], registers }),
    samplesRejected: new Counter({ name: 'meterline_samples_rejected_total', help: 'Samples rejected by ingest (sent to the DLQ)', labelNames: ['reason'], registers }),
    dlqRecords: new Counter({ name: 'meterline_dlq_records_total', help: 'Records written to metrics.dlq', labelNames: ['role'], registers }),
    ingestRequestSeconds: new Histogram({ name: 'meterline_ingest_request_seconds', help: 'Ingest request latency until Kafka acknowledged', registers, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] }),
    samplesAggregated: new Counter({ name: 'meterline_samples_aggregated_total', help: 'Samples applied to windows', registers }),
    samplesDeduplicated: new Counter({ name: 'meterline_samples_deduplicated_total', help: 'Samples ignored because their id was already counted', registers }),
    samplesLate: new Counter({ name: 'meterline_samples_late_total', help: 'Samples that arrived after their window was emitted (became corrections)', registers }),
    rollupsEmitted: new Counter({ name: 'meterline_rollups_emitted_total', help: 'Rollup parts emitted', labelNames: ['correction'], registers }),
    aggregateCommitSeconds: new Histogram({ name: 'meterline_aggregate_commit_seconds', help: 'Aggregate transaction latency (rollup parts, state changes and input offset, to the commit)', registers, buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60] }),
    watermarkDelaySeconds: new Gauge({ name: 'meterline_watermark_delay_seconds', help: 'Wall clock minus the watermark, per input partition', labelNames: ['partition'], registers }),
    consumerLag: new Gauge({ name: 'meterline_consumer_lag_records', help: 'High watermark minus committed offset, per topic partition', labelNames: ['group', 'topic', 'partition'], registers }),
    poisonRecords: new Counter({ name: 'meterline_poison_records_total', help: 'usage.rollups records a role could not process for good (dead-lettered, the partition moved on)', labelNames: ['role', 'reason'], registers }),
    unratableCustomers: new Gauge({ name: 'meterline_rate_unratable_customers', help: 'Customers whose drafts cannot be rated under the current catalogue (a configuration error, e.g. a plan in use is gone)', registers }),
    sinkRows: new Counter({ name: 'meterline_sink_rows_total', help: 'Rollup rows written to TimescaleDB (new parts)', registers }),
    sinkBatchSeconds: new Histogram({ name: 'meterline_sink_batch_seconds', help: 'Sink batch latency (COPY + merge + commit)', registers, buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] }),
    draftRecomputeSeconds: new Histogram({ name: 'meterline_draft_recompute_seconds', help: 'Time to recompute one draft invoice', registers, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] }),
    nagiosHostStates: new Counter({ name: 'meterline_nagios_host_states_total', help: 'HARD Nagios host states received (stored, or duplicate of a stored one)', labelNames: ['result'], registers }),
    billingDocumentsPublished: new Counter({ name: 'meterline_billing_documents_published_total', help: 'Documents the outbox relay committed to billing.documents', registers }),
    outboxLagSeconds: new Gauge({ name: 'meterline_outbox_lag_seconds', help: 'Age of the oldest document in the outbox not yet on billing.documents (0 when none)', registers }),
    webhookDeliveries: new Counter({ name: 'meterline_webhook_deliveries_total', help: 'Webhook delivery attempts by outcome (delivered, retry, failed)', labelNames: ['status'], registers }),
    httpRequestSeconds: new Histogram({ name: 'meterline_http_request_seconds', help: 'HTTP request latency', labelNames: ['method', 'route', 'status'], registers, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
