import { resolve } from 'node:path';
import mqtt from 'mqtt';
import { startMosquitto, waitUntil, type MosquittoBroker } from '@uns-mlops/test-services';
import { loadContracts } from '../../edge-components/uns-validator/src/contract/load-contracts';
import { validateMessage } from '../../edge-components/uns-validator/src/validate/validate-message';
import { MALFORMED_KINDS, publishLive, type MalformedKind } from '../src/mqtt-publisher';
import { defaultCells } from '../src/simulator';

const CONTRACTS = resolve(__dirname, '../../asyncapi');

describe('publishLive against a real Mosquitto', () => {
  let broker: MosquittoBroker;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('delivers every block on its UNS topic; the malformed share is invalid, the rest valid', async () => {
    const contracts = await loadContracts([CONTRACTS]);
    const received: { topic: string; payload: Buffer }[] = [];
    const states: { topic: string; payload: Buffer }[] = [];
    const inspections: { topic: string; payload: Buffer }[] = [];
    const subscriber = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 });
    await subscriber.subscribeAsync('acme/#', { qos: 1 });
    subscriber.on('message', (topic, payload) => {
      if (topic.endsWith('/state')) states.push({ topic, payload });
      else if (topic.endsWith('/inspection')) inspections.push({ topic, payload });
      else received.push({ topic, payload });
    });

    const sent: { topic: string; malformed: MalformedKind | undefined }[] = [];
    const summary = await publishLive({
      brokerUrl: broker.url,
      simulatorOptions: { seed: 42, cells: defaultCells(2), defectRate: 0.2, inspectionDelayMs: 0 },
      realTime: false,
      malformedShare: 0.2,
      blocks: 50,
      onPublish: (topic, _payload, malformed) => sent.push({ topic, malformed }),
    });

    const total = 50 * 2 * 6;
    expect(summary.published).toBe(total);
    expect(summary.steps).toBe(50);
    expect(summary.valid + summary.malformedTotal).toBe(total);
    expect(Math.abs(summary.malformedTotal / total - 0.2)).toBeLessThan(0.05);
    const byKind = MALFORMED_KINDS.map((k) => summary.malformed[k]);
    expect(byKind.reduce((a, b) => a + b, 0)).toBe(summary.malformedTotal);
    expect(byKind.every((n) => n > 0)).toBe(true);
    expect(sent).toHaveLength(total);

    await waitUntil(() => received.length >= total, 30_000, `${total} blocks received`);
    await waitUntil(() => inspections.length >= summary.inspections, 30_000, 'inspections');
    await subscriber.endAsync();
    expect(received).toHaveLength(total);

    const verdicts = received.map((m) =>
      validateMessage(contracts, m.topic, new Uint8Array(m.payload)),
    );
    const invalid = verdicts.filter((v) => !v.valid);
    expect(invalid).toHaveLength(summary.malformedTotal);
    expect(verdicts.filter((v) => v.valid)).toHaveLength(summary.valid);
    expect(verdicts.every((v) => v.channel !== undefined)).toBe(true);
    const kinds = new Set(invalid.flatMap((v) => v.errors.map((e) => e.kind)));
    expect(kinds).toContain('unparseable-payload');
    expect(kinds).toContain('schema-violation');

    // asset-state changes are published too, and are valid
    expect(summary.states).toBeGreaterThanOrEqual(2);
    expect(states).toHaveLength(summary.states);
    for (const m of states) {
      const verdict = validateMessage(contracts, m.topic, new Uint8Array(m.payload));
      expect(verdict.errors).toEqual([]);
    }
    expect(states.map((m) => JSON.parse(m.payload.toString()).state)).toContain('welding');

    // and so are the verdicts on the seams finished in time
    expect(summary.inspections).toBeGreaterThanOrEqual(1);
    for (const m of inspections) {
      const verdict = validateMessage(contracts, m.topic, new Uint8Array(m.payload));
      expect(verdict.errors).toEqual([]);
    }
  });

  it('paces blocks at simulated time when realTime is set', async () => {
    const started = Date.now();
    const summary = await publishLive({
      brokerUrl: broker.url,
      simulatorOptions: { seed: 1, cells: defaultCells(1), blockMs: 100 },
      realTime: true,
      durationMs: 500,
    });
    expect(summary.steps).toBe(5);
    expect(summary.malformedTotal).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it('publishes until aborted when given a signal and no duration, and stops promptly', async () => {
    const controller = new AbortController();
    let blocks = 0;
    const publishing = publishLive({
      brokerUrl: broker.url,
      simulatorOptions: { seed: 3, cells: defaultCells(1), blockMs: 100 },
      realTime: true,
      signal: controller.signal,
      onPublish: () => (blocks += 1),
    });
    await waitUntil(() => blocks >= 2 * 6, 15_000, 'two steps published');
    const abortedAt = Date.now();
    controller.abort();
    const summary = await publishing;
    expect(Date.now() - abortedAt).toBeLessThan(1000);
    expect(summary.steps).toBeGreaterThanOrEqual(2);
    expect(summary.published).toBe(summary.steps * 6);
  });
});
