import type { MqttClient } from 'mqtt';
import type { ConsumedRecord } from './harness';

/** Telemetry topic of asset `index` of the test plant. */
export function assetTopic(index: number): string {
  return `acme/zwickau/body-shop/body-weld-1/cell-${index % 3}/welder-${index}/telemetry/arc_current`;
}

/** Payload of message `seq` of a stream: its id travels in the payload. */
export function streamPayload(stream: string, seq: number): string {
  return JSON.stringify({ stream, seq, unit: 'A', values: [180.5, 181, 179.5], quality: 'good' });
}

/**
 * Publishes numbered QoS 1 messages round-robin over `assets` assets at a steady rate, and keeps
 * the ids of those the broker acknowledged: these are the messages the bridge must not lose.
 */
export class StreamPublisher {
  readonly acknowledged = new Set<string>();
  published = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly client: MqttClient,
    private readonly stream: string,
    private readonly assets = 6,
  ) {}

  /**
   * Starts publishing `perSecond` messages a second, checked every 20 ms: a late tick (a busy
   * machine) publishes what is due by the clock, so the rate holds however the timer runs.
   */
  start(perSecond: number): void {
    const startedAt = performance.now();
    const first = this.published;
    this.timer = setInterval(() => {
      const due = first + Math.floor(((performance.now() - startedAt) * perSecond) / 1000);
      while (this.published < due) this.publishOne();
    }, 20);
  }

  /** Publishes `count` messages at once. */
  burst(count: number): void {
    for (let index = 0; index < count; index += 1) this.publishOne();
  }

  /** Stops publishing and waits (at most `timeoutMs`) for the broker's acknowledgements. */
  async stop(timeoutMs = 30_000): Promise<void> {
    clearInterval(this.timer);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  private publishOne(): void {
    const seq = this.published;
    this.published += 1;
    const publishing = this.client
      .publishAsync(assetTopic(seq % this.assets), streamPayload(this.stream, seq), { qos: 1 })
      .then(
        () => {
          this.acknowledged.add(`${this.stream}:${seq}`);
        },
        () => undefined,
      )
      .finally(() => this.inFlight.delete(publishing));
    this.inFlight.add(publishing);
  }
}

/** Id (`stream:seq`) of a record carrying a stream payload, or undefined for other records. */
export function recordId(record: ConsumedRecord): string | undefined {
  try {
    const { stream, seq } = JSON.parse(record.value.toString()) as {
      stream?: string;
      seq?: number;
    };
    return stream === undefined ? undefined : `${stream}:${seq}`;
  } catch {
    return undefined;
  }
}

/** What reached Kafka of the acknowledged messages: missing ids and their duplicate copies. */
export interface DeliveryReport {
  delivered: number;
  missing: string[];
  duplicates: number;
}

export function deliveryReport(
  acknowledged: ReadonlySet<string>,
  records: readonly ConsumedRecord[],
): DeliveryReport {
  const copies = new Map<string, number>();
  for (const record of records) {
    const id = recordId(record);
    if (id !== undefined) copies.set(id, (copies.get(id) ?? 0) + 1);
  }
  const missing = [...acknowledged].filter((id) => !copies.has(id));
  let duplicates = 0;
  for (const id of acknowledged) duplicates += Math.max(0, (copies.get(id) ?? 0) - 1);
  return { delivered: acknowledged.size - missing.length, missing, duplicates };
}
