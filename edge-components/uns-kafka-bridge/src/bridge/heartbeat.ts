import type { BridgeMetrics } from '../service/metrics';
import type { Forwarder } from './forwarder';
import { HEADERS } from './intake';

/** What a heartbeat record says (JSON value of the records on the heartbeat topic). */
export interface HeartbeatPayload {
  bridge: string;
  /** ISA-95 site id of the bridge's plant (`heartbeat.site`); absent when not configured. */
  site?: string;
  at: string;
  contractVersion: string;
  spooling: boolean;
  stalledForMs: number;
  spool: { bytes: number; records: number };
  /** Delivery counts per Kafka topic since the bridge started. */
  counts: ReturnType<BridgeMetrics['snapshot']>;
}

/**
 * Sends a heartbeat record through the same path as UNS records (direct or spooled), keyed by the
 * bridge's client id, so a consumer sees a stalled bridge end to end: heartbeats stop arriving,
 * or arrive late with counts that do not move. At most one heartbeat is pending at a time.
 */
export class Heartbeat {
  private pending = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly options: {
      topic: string;
      intervalMs: number;
      bridge: string;
      site?: string;
      contractVersion: string;
    },
    private readonly forwarder: Forwarder,
    private readonly metrics: BridgeMetrics,
    private readonly spool: { readonly usedBytes: number; readonly unsentRecords: number },
  ) {
    this.timer = setInterval(() => {
      this.beat();
    }, options.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private beat(): void {
    if (this.pending) {
      this.metrics.heartbeats.inc({ result: 'skipped' });
      return;
    }
    const now = Date.now();
    const payload: HeartbeatPayload = {
      bridge: this.options.bridge,
      ...(this.options.site === undefined ? {} : { site: this.options.site }),
      at: new Date(now).toISOString(),
      contractVersion: this.options.contractVersion,
      spooling: this.forwarder.isSpooling,
      stalledForMs: this.forwarder.stalledForMs(now),
      spool: { bytes: this.spool.usedBytes, records: this.spool.unsentRecords },
      counts: this.metrics.snapshot(),
    };
    this.pending = this.forwarder.accept({
      record: {
        topic: this.options.topic,
        key: this.options.bridge,
        value: Buffer.from(JSON.stringify(payload)),
        timestamp: now,
        headers: {
          [HEADERS.receivedAt]: payload.at,
          [HEADERS.contractVersion]: this.options.contractVersion,
        },
      },
      receivedAt: performance.now(),
      durable: () => {
        this.pending = false;
      },
      fromUns: false,
    });
    if (this.pending) this.metrics.heartbeats.inc({ result: 'sent' });
  }
}
