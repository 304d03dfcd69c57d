/**
 * Publishes a message stream at a fixed rate with QoS 1 through several MQTT clients, and counts
 * what the broker accepted (a successful PUBACK), per message kind.
 */
import { connectAsync, type MqttClient } from 'mqtt';
import type { FuzzMessage, MessageKind } from './hostile-messages';

/** How {@link publishPaced} publishes. */
export interface PacedPublishing {
  readonly brokerUrl: string;
  /** Messages per second, over the whole stream. */
  readonly rate: number;
  /** MQTT clients; a message goes through client `message.publisher`. */
  readonly publishers: number;
  /**
   * Messages published but not yet acknowledged, at most: the publisher waits above it (a broker
   * that cannot keep up slows the stream down instead of filling the publisher's memory).
   * @default 20000
   */
  readonly maxInFlight?: number;
  /** Called once per message the broker acknowledged. */
  readonly onAcknowledged?: (message: FuzzMessage) => void;
  /** Called about every second with the messages handed to the clients so far. */
  readonly onProgress?: (published: number) => void;
  /**
   * How long to wait for the last acknowledgements once everything is published.
   * @default 120000
   */
  readonly drainTimeoutMs?: number;
}

/** What {@link publishPaced} did. */
export interface PublishReport {
  /** Messages handed to a client. */
  readonly published: number;
  /** Messages the broker acknowledged (PUBACK without an error reason code). */
  readonly acknowledged: number;
  /** Messages refused or never acknowledged, by reason. */
  readonly unacknowledged: Readonly<Record<string, number>>;
  readonly byKind: Readonly<Record<string, { published: number; acknowledged: number }>>;
  /** Payload bytes published. */
  readonly bytes: number;
  /** The largest payload published, in bytes. */
  readonly largestPayload: number;
  /** From the first publish to the last acknowledgement. */
  readonly seconds: number;
  /** `published / seconds` of the publishing alone (without the wait for the last PUBACKs). */
  readonly rate: number;
  /** Times a publisher's connection to the broker closed during the run (0 expected). */
  readonly disconnects: number;
}

/**
 * Publishes `messages` at `rate` msg/s (each clock tick publishes what is due, so a slow message,
 * e.g. building a 16 MB payload, is caught up after it) and resolves once every message is
 * acknowledged, refused, or the drain timeout has passed.
 */
export async function publishPaced(
  messages: Iterable<FuzzMessage>,
  options: PacedPublishing,
): Promise<PublishReport> {
  const maxInFlight = options.maxInFlight ?? 20_000;
  let disconnects = 0;
  const clients: MqttClient[] = [];
  for (let i = 0; i < options.publishers; i++) {
    const client = await connectAsync(options.brokerUrl, {
      clientId: `fuzz-publisher-${i}-${process.pid}`,
      protocolVersion: 5,
      reconnectPeriod: 500,
      connectTimeout: 30_000,
    });
    client.on('close', () => {
      disconnects += 1;
    });
    client.on('error', () => undefined); // counted as a close; the client reconnects
    clients.push(client);
  }
  const byKind: Record<string, { published: number; acknowledged: number }> = {};
  const unacknowledged: Record<string, number> = {};
  const kindCount = (kind: MessageKind) => (byKind[kind] ??= { published: 0, acknowledged: 0 });
  let published = 0;
  let acknowledged = 0;
  let answered = 0;
  let bytes = 0;
  let largestPayload = 0;
  const started = performance.now();
  let lastProgress = started;
  try {
    const iterator = messages[Symbol.iterator]();
    let done = false;
    while (!done) {
      const due = Math.floor(((performance.now() - started) / 1000) * options.rate);
      while (published < due && published - answered < maxInFlight) {
        const next = iterator.next();
        if (next.done === true) {
          done = true;
          break;
        }
        const message = next.value;
        const client = clients[message.publisher % clients.length];
        if (client === undefined) throw new Error('no publisher client');
        published += 1;
        bytes += message.payload.length;
        largestPayload = Math.max(largestPayload, message.payload.length);
        kindCount(message.kind).published += 1;
        client.publish(message.topic, message.payload, { qos: 1 }, (error) => {
          answered += 1;
          if (error) {
            unacknowledged[error.message] = (unacknowledged[error.message] ?? 0) + 1;
            return;
          }
          acknowledged += 1;
          kindCount(message.kind).acknowledged += 1;
          options.onAcknowledged?.(message);
        });
      }
      const now = performance.now();
      if (options.onProgress !== undefined && now - lastProgress >= 1000) {
        lastProgress = now;
        options.onProgress(published);
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const publishedFor = (performance.now() - started) / 1000;
    const deadline = performance.now() + (options.drainTimeoutMs ?? 120_000);
    while (answered < published && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    if (answered < published)
      unacknowledged['no PUBACK before the deadline'] = published - answered;
    return {
      published,
      acknowledged,
      unacknowledged,
      byKind,
      bytes,
      largestPayload,
      seconds: (performance.now() - started) / 1000,
      rate: published / publishedFor,
      disconnects,
    };
  } finally {
    await Promise.all(clients.map((client) => client.endAsync(true)));
  }
}
