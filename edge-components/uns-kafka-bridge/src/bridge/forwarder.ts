import type { Logger } from 'pino';
import type { BridgeConfig, SpoolFullPolicy } from '../config/config';
import type { BridgeMetrics } from '../service/metrics';
import { Spool } from '../spool/spool';
import { HEADERS } from './intake';
import type { BridgeRecord } from './record';

/** Where the forwarder produces its batches. */
export interface RecordSink {
  /**
   * Sends the records (in order per topic and key); resolves with them as Kafka took them (a
   * record Kafka refused for its topic replaced by its dead letter), rejects when Kafka did not
   * take them all.
   */
  send(records: readonly BridgeRecord[]): Promise<readonly BridgeRecord[]>;
}

/** A record to forward, and what to do once it is durable. */
export interface Delivery {
  readonly record: BridgeRecord;
  /** `performance.now()` at receipt. */
  readonly receivedAt: number;
  /** Called once, when the record is in Kafka (acknowledged) or in the spool (fsynced). */
  readonly durable: () => void;
  /** False for the bridge's own records (heartbeats): they do not count as UNS traffic. */
  readonly fromUns: boolean;
}

/** How the forwarder batches, retries and handles a full spool. */
export interface ForwarderOptions {
  /** Longest wait of a record for more to join its batch (unless the batch is full). */
  lingerMs: number;
  batchMaxMessages: number;
  batchMaxBytes: number;
  retryBackoffMs: number;
  whenFull: SpoolFullPolicy;
  /** The dead-letter topic: its records are counted by their reason. */
  deadLetterTopic: string;
  /** A spool write failed: the records are not acknowledged; reconnecting gets them again. */
  onSpoolFailure: (error: unknown) => void;
}

/** Builds the forwarder's options from the configuration. */
export function forwarderOptions(
  config: BridgeConfig,
  onSpoolFailure: ForwarderOptions['onSpoolFailure'],
): ForwarderOptions {
  return {
    lingerMs: config.kafka.lingerMs,
    batchMaxMessages: config.kafka.batchMaxMessages,
    batchMaxBytes: config.kafka.batchMaxBytes,
    retryBackoffMs: config.kafka.retryBackoffMs,
    whenFull: config.spool.whenFull,
    deadLetterTopic: config.mapping.fallbackTopic,
    onSpoolFailure,
  };
}

/**
 * Moves records to Kafka in order, one produce request at a time, never losing one it made
 * durable:
 *
 * - direct: while the spool is empty, records wait in memory (unacknowledged) and go to Kafka in
 *   batches, the oldest record waiting at most `lingerMs` for others to join it (unless the batch
 *   is full); Kafka's ack makes them durable.
 * - spooling: when a produce fails, that batch and everything after it go to the disk spool
 *   (durable once fsynced), and so does every new record until the spool has drained into Kafka,
 *   so no record overtakes an older one of its key. Then forwarding is direct again. (A topic
 *   Kafka refuses does not fail a produce: the sink dead-letters its records.)
 * - a full spool either holds new records unacknowledged in memory (backpressure: the MQTT broker
 *   keeps them in the session and stops sending at the receive maximum) or drops its oldest
 *   segment (drop-oldest: counted as lost).
 */
export class Forwarder {
  private spooling: boolean;
  private direct: Delivery[] = [];
  private readonly waitingForRoom: { delivery: Delivery; frame: Buffer }[] = [];
  private wake: (() => void) | undefined;
  /** True while the loop waits for a batch to fill: only a full batch or close wakes it. */
  private lingering = false;
  private closed = false;
  private readonly loop: Promise<void>;
  /** Since when UNS records have waited with nothing produced (undefined: none waiting). */
  private waitingSince: number | undefined;

  constructor(
    private readonly spool: Spool,
    private readonly sink: RecordSink,
    private readonly metrics: BridgeMetrics,
    private readonly options: ForwarderOptions,
    private readonly logger: Logger,
  ) {
    this.spooling = !spool.isEmpty();
    if (this.spooling)
      logger.info({ records: spool.unsentRecords }, 'spool holds records from before: draining');
    metrics.watch(() => ({
      spoolBytes: spool.usedBytes,
      spoolRecords: spool.unsentRecords,
      spooling: this.spooling,
    }));
    this.loop = this.run();
  }

  /** Takes a record over; after {@link close} it is ignored (unacknowledged, so redelivered). */
  accept(delivery: Delivery): boolean {
    if (this.closed) return false;
    if (delivery.fromUns) this.waitingSince ??= Date.now();
    if (this.spooling) this.toSpool([delivery]);
    else {
      this.direct.push(delivery);
      if (!this.lingering || this.direct.length >= this.options.batchMaxMessages) this.notify();
    }
    return true;
  }

  /** True while records go through the spool. */
  get isSpooling(): boolean {
    return this.spooling;
  }

  /** How long UNS records have waited with nothing produced to Kafka, in ms (0: none waiting). */
  stalledForMs(now = Date.now()): number {
    return this.waitingSince === undefined ? 0 : now - this.waitingSince;
  }

  /**
   * Stops taking records and waits until every record taken is durable: sent to Kafka if it is
   * reachable, otherwise spooled (the spool is not drained on the way out).
   */
  async close(): Promise<void> {
    this.closed = true;
    this.notify();
    await this.loop;
  }

  private async run(): Promise<void> {
    for (;;) {
      if (this.spooling) {
        if (!(await this.drainOnce())) return;
      } else if (this.direct.length > 0) {
        await this.linger();
        await this.sendDirect();
      } else if (this.closed) {
        return;
      } else {
        await this.pause();
      }
    }
  }

  /** Sends one batch from the spool; false when the forwarder should stop. */
  private async drainOnce(): Promise<boolean> {
    if (this.closed) return false;
    this.admitWaiting();
    let batch;
    try {
      batch = await this.spool.read(this.options.batchMaxMessages, this.options.batchMaxBytes);
    } catch (error) {
      this.logger.error({ err: error }, 'reading the spool failed; retrying');
      this.spool.rewind();
      await this.pause(this.options.retryBackoffMs);
      return !this.closed;
    }
    if (batch.records.length === 0) {
      if (this.spool.isEmpty() && this.waitingForRoom.length === 0) {
        this.spooling = false;
        this.logger.info('spool drained: forwarding directly again');
        return true;
      }
      if (this.isClosed()) return false;
      await this.pause();
      return true;
    }
    let produced: readonly BridgeRecord[];
    try {
      produced = await this.sink.send(batch.records);
    } catch (error) {
      this.spool.rewind();
      this.countFailed(batch.records, error);
      if (this.isClosed()) return false;
      await this.pause(this.options.retryBackoffMs);
      return true;
    }
    await this.spool.commit(batch.next);
    this.countProduced(produced);
    return !this.closed;
  }

  /** Waits until the oldest direct record is `lingerMs` old, the batch is full, or close. */
  private async linger(): Promise<void> {
    const oldest = this.direct[0];
    if (oldest === undefined || this.closed) return;
    const remaining = this.options.lingerMs - (performance.now() - oldest.receivedAt);
    if (remaining < 1 || this.direct.length >= this.options.batchMaxMessages) return;
    this.lingering = true;
    await this.pause(remaining);
    this.lingering = false;
  }

  private async sendDirect(): Promise<void> {
    const batch = this.takeDirectBatch();
    const records = batch.map((delivery) => delivery.record);
    let produced: readonly BridgeRecord[];
    try {
      produced = await this.sink.send(records);
    } catch (error) {
      this.countFailed(records, error);
      this.spooling = true;
      this.logger.warn({ err: (error as Error).message }, 'Kafka failed: spooling to disk');
      const rest = this.direct;
      this.direct = [];
      this.toSpool([...batch, ...rest]);
      return;
    }
    const now = performance.now();
    for (const delivery of batch) {
      delivery.durable();
      this.metrics.ackLatency.observe((now - delivery.receivedAt) / 1000);
    }
    this.countProduced(produced);
  }

  private takeDirectBatch(): Delivery[] {
    let bytes = 0;
    let count = 0;
    for (const delivery of this.direct) {
      if (count >= this.options.batchMaxMessages) break;
      if (count > 0 && bytes + delivery.record.value.length > this.options.batchMaxBytes) break;
      bytes += delivery.record.value.length;
      count += 1;
    }
    const batch = this.direct.slice(0, count);
    this.direct = this.direct.slice(count);
    return batch;
  }

  private toSpool(deliveries: readonly Delivery[]): void {
    for (const delivery of deliveries) {
      const frame = Spool.frame(delivery.record);
      if (this.waitingForRoom.length > 0 || !this.makeRoom(frame.length)) {
        this.waitingForRoom.push({ delivery, frame });
        this.metrics.heldBySpoolFull.inc();
        continue;
      }
      this.append(delivery, frame);
    }
  }

  /** Whether the spool has room for the frame, after dropping old segments if that is the policy. */
  private makeRoom(frameBytes: number): boolean {
    while (!this.spool.hasRoomFor(frameBytes)) {
      if (this.options.whenFull !== 'drop-oldest') return false;
      const before = this.spool.usedBytes;
      const dropped = this.spool.dropOldestSegment();
      if (dropped === undefined || this.spool.usedBytes >= before) return false;
      this.metrics.dropped.inc({ reason: 'spool_full_dropped' }, dropped);
      this.logger.warn({ dropped }, 'spool full: dropped its oldest segment');
    }
    return true;
  }

  /** Moves records held by backpressure into the spool as room frees up, in order. */
  private admitWaiting(): void {
    for (let next = this.waitingForRoom[0]; next !== undefined; next = this.waitingForRoom[0]) {
      if (!this.makeRoom(next.frame.length)) return;
      this.waitingForRoom.shift();
      this.append(next.delivery, next.frame);
    }
  }

  private append(delivery: Delivery, frame: Buffer): void {
    this.spool.append(frame).then(
      () => {
        delivery.durable();
        this.metrics.count('spooled', delivery.record.topic);
        this.metrics.ackLatency.observe((performance.now() - delivery.receivedAt) / 1000);
        this.notify();
      },
      (error: unknown) => {
        this.options.onSpoolFailure(error);
      },
    );
  }

  /** Counts records Kafka took, per topic as it took them, and dead letters by their reason. */
  private countProduced(records: readonly BridgeRecord[]): void {
    const now = Date.now();
    let topic: string | undefined;
    let run = 0;
    for (const record of records) {
      this.metrics.produceLatency.observe((now - record.timestamp) / 1000);
      if (record.topic !== topic) {
        if (topic !== undefined) this.metrics.count('produced', topic, run);
        topic = record.topic;
        run = 0;
      }
      run += 1;
      if (topic === this.options.deadLetterTopic) {
        const reason = record.headers[HEADERS.deadLetterReason];
        if (reason !== undefined) this.metrics.deadLettered.inc({ reason });
      }
    }
    if (topic !== undefined) this.metrics.count('produced', topic, run);
    this.metrics.lastProduced.set(now / 1000);
    const backlog = this.direct.length + this.spool.unsentRecords + this.waitingForRoom.length;
    this.waitingSince = backlog > 0 ? now : undefined;
  }

  private countFailed(records: readonly BridgeRecord[], error: unknown): void {
    for (const record of records) this.metrics.count('failed', record.topic);
    this.logger.debug({ err: error, records: records.length }, 'produce failed');
  }

  /** Whether {@link close} was called (a method: the flag changes across awaits). */
  private isClosed(): boolean {
    return this.closed;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Waits for {@link notify}, or at most `ms`. */
  private pause(ms = 1000): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
