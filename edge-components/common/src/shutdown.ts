/** The logging this module needs (pino's `Logger` fits). */
export interface ShutdownLogger {
  warn(fields: object, message: string): void;
}

/** One step of a shutdown: what it waits for, in words, and the work. */
export type ShutdownStep = readonly [waitingFor: string, work: () => unknown];

/** How often a shutdown that is still waiting says what for, by default. */
const STILL_WAITING_EVERY_MS = 10_000;

/**
 * Runs the steps of a shutdown one after the other. While a step lasts longer than
 * `stillWaitingEveryMs`, it logs what the shutdown is waiting for (`still stopping`) at that
 * interval, so that a stop that hangs says where; its supervisor (Greengrass, a test) can then tell
 * which part to look at. A step that throws ends the shutdown with its error.
 */
export async function shutDownInSteps(
  steps: readonly ShutdownStep[],
  logger: ShutdownLogger,
  stillWaitingEveryMs = STILL_WAITING_EVERY_MS,
): Promise<void> {
  for (const [waitingFor, work] of steps) {
    const since = performance.now();
    const reminder = setInterval(() => {
      logger.warn(
        { waitingFor, waitedMs: Math.round(performance.now() - since) },
        'still stopping',
      );
    }, stillWaitingEveryMs).unref();
    try {
      await work();
    } finally {
      clearInterval(reminder);
    }
  }
}

/** The part of an MQTT.js client that {@link unsubscribeAtShutdown} and {@link endConnection} use. */
export interface ShutdownMqttClient {
  readonly connected: boolean;
  /** QoS 1 and 2 messages sent and not acknowledged yet, by packet id. */
  readonly outgoing: Readonly<Record<number, unknown>>;
  readonly stream: { isPaused(): boolean; resume(): unknown };
  unsubscribe(topics: string | string[], callback: () => void): unknown;
  on(event: 'packetreceive', listener: () => void): unknown;
  removeListener(event: 'packetreceive', listener: () => void): unknown;
  endAsync(force?: boolean): Promise<void>;
}

/** How long a shutdown waits for the broker to answer an unsubscribe, ms. */
const UNSUBSCRIBE_WAIT_MS = 1000;

/**
 * Unsubscribes from `topics` (when there are any) when connected, waiting at most a second for the broker's answer:
 * the broker then stops sending, and a shutdown does not hang on a broker that does not answer.
 */
export async function unsubscribeAtShutdown(
  client: ShutdownMqttClient,
  topics: string | string[],
): Promise<void> {
  if (!client.connected || topics.length === 0) return;
  await new Promise<void>((resolve) => {
    client.unsubscribe(topics, resolve);
    setTimeout(resolve, UNSUBSCRIBE_WAIT_MS).unref();
  });
}

/** Options of {@link endConnection}. */
export interface EndConnectionOptions {
  /**
   * Whether the client was connected when the shutdown began: without a connection there is
   * nothing to wait for.
   */
  readonly connected: boolean;
  /** How long to wait for the broker to acknowledge the messages sent, ms. Default 5,000. */
  readonly ackTimeoutMs?: number;
  readonly logger: ShutdownLogger;
}

/**
 * Ends the broker connection at shutdown. When connected, it first waits, at most
 * `ackTimeoutMs`, until the broker has acknowledged every QoS 1 and 2 message sent (the last
 * summaries, a `stopped` status), reading from the socket again if the component had paused it
 * (backpressure): otherwise the acknowledgements could never arrive. Then it disconnects cleanly.
 * A broker that does not acknowledge in time gets the connection closed anyway, with a warning
 * that says how many messages it had not acknowledged.
 */
export async function endConnection(
  client: ShutdownMqttClient,
  { connected, ackTimeoutMs = 5000, logger }: EndConnectionOptions,
): Promise<void> {
  if (!connected) {
    await client.endAsync(true);
    return;
  }
  if (client.stream.isPaused()) client.stream.resume();
  const acknowledged = await outgoingEmpty(client, ackTimeoutMs);
  if (!acknowledged) {
    logger.warn(
      { unacknowledged: Object.keys(client.outgoing).length, waitedMs: ackTimeoutMs },
      'the broker did not acknowledge every message sent; closing the connection anyway',
    );
  }
  await client.endAsync(!acknowledged);
}

/**
 * Resolves true once nothing sent waits for an acknowledgement, false after `timeoutMs`. MQTT.js
 * says so (`outgoingEmpty`) only once it is disconnecting, so the outgoing messages are counted
 * after each packet received, once its acknowledgement was handled.
 */
function outgoingEmpty(client: ShutdownMqttClient, timeoutMs: number): Promise<boolean> {
  const empty = () => Object.keys(client.outgoing).length === 0;
  if (empty()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const settle = (acknowledged: boolean) => {
      clearTimeout(timer);
      client.removeListener('packetreceive', onPacket);
      resolve(acknowledged);
    };
    const onPacket = () => {
      queueMicrotask(() => {
        if (empty()) settle(true);
      });
    };
    const timer = setTimeout(() => {
      settle(false);
    }, timeoutMs);
    client.on('packetreceive', onPacket);
  });
}
