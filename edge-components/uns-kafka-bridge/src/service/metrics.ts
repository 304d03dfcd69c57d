import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Per Kafka topic delivery counts, as the heartbeat records carry them. */
export interface TopicCounts {
  received: number;
  spooled: number;
  produced: number;
  failed: number;
}

/** The forwarding state the gauges show. */
export interface ForwardingState {
  spoolBytes: number;
  spoolRecords: number;
  spooling: boolean;
}

/** The stages a record is counted in. */
export type Stage = keyof TopicCounts;

/**
 * The bridge's Prometheus metrics, in a registry of their own, plus the same delivery counts as
 * plain numbers for the heartbeat records.
 */
export class BridgeMetrics {
  readonly registry = new Registry();
  private readonly stages: Record<Stage, Counter<'kafka_topic'>> = {
    received: this.counter('received', 'UNS messages received, by Kafka topic they map to'),
    spooled: this.counter('spooled', 'Records written to the disk spool (fsynced)'),
    produced: this.counter('produced', 'Records acknowledged by Kafka'),
    failed: this.counter(
      'failed',
      'Records in produce attempts that failed (retried from the spool)',
    ),
  };
  /** Messages not forwarded, by reason (`excluded`, `spool_full_dropped`, `spool_corrupt`). */
  readonly dropped = this.labelledCounter(
    'messages_dropped_total',
    'UNS messages that will not reach Kafka, by reason',
    'reason',
  );
  /**
   * Records Kafka acknowledged on the dead-letter topic, by reason (`unmapped`,
   * `record-too-large`, or Kafka's refusal).
   */
  readonly deadLettered = this.labelledCounter(
    'dead_lettered_total',
    'Records delivered to the dead-letter topic, by reason (unmapped, record-too-large, or the Kafka error)',
    'reason',
  );
  /** 1 while Kafka refuses the dead-letter topic itself (its records wait in the spool). */
  readonly deadLetterRejected = this.gauge(
    'dead_letter_rejected',
    '1 while Kafka refuses the dead-letter topic (records wait in the spool)',
  );
  /** Messages held unacknowledged because the spool was full (backpressure policy). */
  readonly heldBySpoolFull = new Counter({
    name: 'uns_bridge_spool_full_held_total',
    help: 'Messages held without acknowledgement while the spool was full (backpressure)',
    registers: [this.registry],
  });
  /** Read when metrics are collected; see {@link watch}. */
  private state: () => ForwardingState = () => ({
    spoolBytes: 0,
    spoolRecords: 0,
    spooling: false,
  });
  readonly mqttConnected = this.gauge('mqtt_connected', '1 while connected to the UNS broker');
  readonly lastProduced = this.gauge(
    'last_produced_timestamp_seconds',
    'Time of the last record Kafka acknowledged',
  );
  readonly heartbeats = this.labelledCounter(
    'heartbeats_total',
    'Heartbeat records, by result (sent, skipped while the previous one is pending)',
    'result',
  );
  /** Receive to durable (Kafka ack or spool fsync), i.e. to PUBACK. */
  readonly ackLatency = this.histogram(
    'ack_latency_seconds',
    'Time from receiving a message to its PUBACK',
  );
  /** Receive to Kafka acknowledgement, through the spool or not. */
  readonly produceLatency = this.histogram(
    'produce_latency_seconds',
    'Time from receiving a message to its Kafka acknowledgement',
  );

  private readonly counts = new Map<string, TopicCounts>();
  private readonly children = new Map<string, Record<Stage, { inc(n?: number): void }>>();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'uns_bridge_' });
    const stateGauge = (name: string, help: string, read: (state: ForwardingState) => number) =>
      new Gauge({
        name: `uns_bridge_${name}`,
        help,
        registers: [this.registry],
        collect: () => {
          gauges[name]?.set(read(this.state()));
        },
      });
    const gauges: Record<string, Gauge> = {};
    gauges.spool_bytes = stateGauge(
      'spool_bytes',
      'Bytes of spool segment files',
      (s) => s.spoolBytes,
    );
    gauges.spool_records = stateGauge(
      'spool_records',
      'Spooled records not yet in Kafka',
      (s) => s.spoolRecords,
    );
    gauges.spooling = stateGauge(
      'spooling',
      '1 while messages go through the spool (Kafka failed)',
      (s) => (s.spooling ? 1 : 0),
    );
  }

  /** Where the spool gauges read their values when metrics are collected. */
  watch(state: () => ForwardingState): void {
    this.state = state;
  }

  /** Counts `n` records of a Kafka topic at a stage. */
  count(stage: Stage, topic: string, n = 1): void {
    let counts = this.counts.get(topic);
    let children = this.children.get(topic);
    if (counts === undefined || children === undefined) {
      counts = { received: 0, spooled: 0, produced: 0, failed: 0 };
      children = {
        received: this.stages.received.labels(topic),
        spooled: this.stages.spooled.labels(topic),
        produced: this.stages.produced.labels(topic),
        failed: this.stages.failed.labels(topic),
      };
      this.counts.set(topic, counts);
      this.children.set(topic, children);
    }
    counts[stage] += n;
    children[stage].inc(n);
  }

  /** Delivery counts per Kafka topic since start. */
  snapshot(): Record<string, TopicCounts> {
    return Object.fromEntries([...this.counts].map(([topic, counts]) => [topic, { ...counts }]));
  }

  private counter(stage: Stage, help: string): Counter<'kafka_topic'> {
    return new Counter({
      name: `uns_bridge_records_${stage}_total`,
      help,
      labelNames: ['kafka_topic'] as const,
      registers: [this.registry],
    });
  }

  private labelledCounter<Label extends string>(
    name: string,
    help: string,
    label: Label,
  ): Counter<Label> {
    return new Counter({
      name: `uns_bridge_${name}`,
      help,
      labelNames: [label],
      registers: [this.registry],
    });
  }

  private gauge(name: string, help: string): Gauge {
    return new Gauge({ name: `uns_bridge_${name}`, help, registers: [this.registry] });
  }

  private histogram(name: string, help: string): Histogram {
    return new Histogram({
      name: `uns_bridge_${name}`,
      help,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30, 300],
      registers: [this.registry],
    });
  }
}
