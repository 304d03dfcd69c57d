/**
 * A component's shutdown says what it is waiting for while it lasts, and leaves the broker
 * without hanging on it (real Mosquitto): the messages sent are acknowledged when the broker
 * answers, also after the component paused reading, and the connection is closed anyway, with a
 * warning, when it does not.
 */
import { startMosquitto, waitUntil, type MosquittoBroker } from '@uns-mlops/test-services';
import { connectAsync, type MqttClient } from 'mqtt';
import { endConnection, shutDownInSteps, unsubscribeAtShutdown } from '../src/shutdown';

interface LogEntry {
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

function recordingLogger(): {
  entries: LogEntry[];
  warn: (fields: object, message: string) => void;
} {
  const entries: LogEntry[] = [];
  return {
    entries,
    warn: (fields, message) => entries.push({ fields: fields as Record<string, unknown>, message }),
  };
}

describe('shutDownInSteps', () => {
  it('runs the steps in order and, while one lasts, says what the shutdown waits for', async () => {
    const logger = recordingLogger();
    const ran: string[] = [];
    await shutDownInSteps(
      [
        ['the first part', () => ran.push('first')],
        [
          'the slow part',
          async () => {
            await waitUntil(() => logger.entries.length > 0, 5000, 'a still-stopping warning');
            ran.push('slow');
          },
        ],
        ['the last part', () => ran.push('last')],
      ],
      logger,
      20,
    );
    expect(ran).toEqual(['first', 'slow', 'last']);
    expect(logger.entries[0]).toMatchObject({
      message: 'still stopping',
      fields: { waitingFor: 'the slow part' },
    });
  });

  it('ends with the error of a step that fails, without running the later ones', async () => {
    const ran: string[] = [];
    await expect(
      shutDownInSteps(
        [
          [
            'the store',
            () => {
              throw new Error('store gone');
            },
          ],
          ['the HTTP server', () => ran.push('http')],
        ],
        recordingLogger(),
      ),
    ).rejects.toThrow('store gone');
    expect(ran).toEqual([]);
  });
});

describe('leaving the broker at shutdown', () => {
  let broker: MosquittoBroker;
  let subscriber: MqttClient;
  const received: string[] = [];

  beforeAll(async () => {
    broker = await startMosquitto();
    subscriber = await connectAsync(broker.url);
    await subscriber.subscribeAsync('shutdown/#', { qos: 1 });
    subscriber.on('message', (_topic, payload) => received.push(payload.toString()));
  });

  afterAll(async () => {
    await subscriber.endAsync();
    await broker.stop();
  });

  it('waits for the acknowledgement of what was sent, also when reading was paused', async () => {
    const client = await connectAsync(broker.url, { reconnectPeriod: 0 });
    client.stream.pause();
    client.publish('shutdown/summary', 'last summary', { qos: 1 });
    const logger = recordingLogger();

    await endConnection(client, { connected: true, logger });

    expect(Object.keys(client.outgoing)).toEqual([]);
    expect(client.disconnected).toBe(true);
    expect(logger.entries).toEqual([]);
    await waitUntil(() => received.includes('last summary'), 5000, 'the last summary delivered');
  });

  it('closes the connection anyway, with a warning, when the broker answers nothing', async () => {
    const client = await connectAsync(broker.url, { reconnectPeriod: 0 });
    await client.subscribeAsync('shutdown/#');
    broker.freeze();
    try {
      const logger = recordingLogger();
      await unsubscribeAtShutdown(client, 'shutdown/#');
      client.publish('shutdown/status', 'stopped', { qos: 1 });

      await endConnection(client, { connected: true, ackTimeoutMs: 200, logger });

      expect(client.disconnected).toBe(true);
      expect(logger.entries).toEqual([
        {
          message:
            'the broker did not acknowledge every message sent; closing the connection anyway',
          // The unanswered unsubscribe and the status.
          fields: { unacknowledged: 2, waitedMs: 200 },
        },
      ]);
    } finally {
      broker.thaw();
    }
  });
});
