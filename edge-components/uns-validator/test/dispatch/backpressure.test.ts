/**
 * Under `pool.overload: backpressure` a message that finds its worker's queue full waits in the
 * dispatcher, with every message after it, until there is room: none is dropped, order holds.
 */
import { waitUntil } from '@uns-mlops/test-services';
import {
  startValidator,
  telemetryBlock,
  testConfig,
  useTestPlant,
  type RunningValidator,
} from '../service/harness';

const plant = useTestPlant();
const TOPICS = ['a', 'b', 'c'].map(
  (cell) => `acme/zwickau/body-shop/body-weld-1/cell-${cell}/welder-1/telemetry/arc_current`,
);
const PER_TOPIC = 500;

describe('the dispatcher under backpressure', () => {
  let validator: RunningValidator;

  beforeAll(async () => {
    const config = testConfig(plant.broker.url);
    validator = await startValidator({
      ...config,
      pool: { ...config.pool, dispatch: 'workers', queueCapacity: 5, overload: 'backpressure' },
    });
  });

  afterAll(async () => {
    await validator.service.stop();
  });

  it('keeps every message a full worker queue cannot take, and judges them all in order', async () => {
    const { dispatcher } = validator.service;
    for (let seq = 1; seq <= PER_TOPIC; seq++) {
      for (const topic of TOPICS) {
        dispatcher.dispatch(topic, Buffer.from(telemetryBlock(seq)), Date.now(), performance.now());
      }
    }
    expect(dispatcher.writable).toBe(false);
    await validator.waitForVerdicts(TOPICS.length * PER_TOPIC, 30_000);
    await waitUntil(() => dispatcher.writable);

    for (const topic of TOPICS) {
      const seqs = validator.verdicts
        .filter(({ verdict }) => verdict.topic === topic)
        .map(({ payload }) => (JSON.parse(payload.toString()) as { seq: number }).seq);
      expect(seqs).toEqual(Array.from({ length: PER_TOPIC }, (_, index) => index + 1));
    }
    expect(validator.verdicts.every(({ verdict }) => verdict.valid)).toBe(true);
    const metrics = (await validator.get('/metrics')).body;
    expect(metrics).not.toMatch(/^uns_validator_messages_dropped_total\{/m);
  });

  it('judges the messages still waiting for room when it stops', async () => {
    const { dispatcher } = validator.service;
    const before = validator.verdicts.length;
    for (let seq = 1; seq <= 100; seq++) {
      dispatcher.dispatch(
        TOPICS[0]!,
        Buffer.from(telemetryBlock(seq)),
        Date.now(),
        performance.now(),
      );
    }
    expect(dispatcher.writable).toBe(false);
    await dispatcher.close();
    expect(validator.verdicts.length - before).toBe(100);
  });
});
