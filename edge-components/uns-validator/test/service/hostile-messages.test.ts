/**
 * No message can stop, starve or silently skip the validator: a message that stalls its worker,
 * payloads larger than their channel allows, byte-order marks. Each is judged once, counted and
 * quarantined like any invalid message, and the messages behind it are judged in order.
 */
import { copyFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { waitUntil } from '@uns-mlops/test-services';
import type { MqttClient } from 'mqtt';
import { LIMITS_V3 } from '../fixtures/paths';
import {
  STATE_TOPIC,
  TELEMETRY_TOPIC,
  contractCopy,
  startValidator,
  testClient,
  testConfig,
  useTestPlant,
  type RunningValidator,
} from './harness';

const plant = useTestPlant();
/** Backtracks on `^(a+)+$` for far longer than any test runs. */
const STALLING_LABEL = `${'a'.repeat(40)}!`;

describe('hostile messages on a real Mosquitto broker', () => {
  let validator: RunningValidator;
  let quarantine: MqttClient;
  const quarantined: { topic: string; envelope: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    const contracts = contractCopy();
    copyFileSync(LIMITS_V3, join(contracts, basename(LIMITS_V3)));
    const config = testConfig(plant.broker.url);
    validator = await startValidator({
      ...config,
      contracts: { paths: [contracts], strict: false },
      pool: { ...config.pool, workers: 2, taskTimeoutMs: 500 },
      enforcement: { ...config.enforcement, defaultMode: 'quarantine' },
    });
    quarantine = await testClient(plant.broker.url);
    quarantine.on('message', (topic, payload) => {
      quarantined.push({
        topic,
        envelope: JSON.parse(payload.toString()) as Record<string, unknown>,
      });
    });
    await quarantine.subscribeAsync('_quarantine/#', { qos: 1 });
  });

  afterAll(async () => {
    await quarantine.endAsync();
    await validator.service.stop();
  });

  beforeEach(() => {
    validator.verdicts.length = 0;
    quarantined.length = 0;
  });

  it('judges a message that stalls its worker processing-failed, once, and the ones behind it in order', async () => {
    const topic = 'lab/c1/slow';
    await plant.publisher.publishAsync(topic, JSON.stringify({ label: STALLING_LABEL }), {
      qos: 1,
    });
    for (let n = 1; n <= 5; n++) {
      await plant.publisher.publishAsync(topic, JSON.stringify({ label: 'a'.repeat(n) }), {
        qos: 1,
      });
    }
    const verdicts = await validator.waitForVerdicts(6);
    expect(verdicts.map(({ verdict }) => [verdict.valid, verdict.errors[0]?.kind])).toEqual([
      [false, 'processing-failed'],
      [true, undefined],
      [true, undefined],
      [true, undefined],
      [true, undefined],
      [true, undefined],
    ]);
    expect(verdicts[0]?.verdict).toMatchObject({
      channel: 'slow',
      errors: [{ message: expect.stringContaining('ran one task for longer than 500 ms') }],
    });
    await waitUntil(() => quarantined.length >= 1);
    expect(quarantined[0]).toMatchObject({
      topic: `_quarantine/${topic}`,
      envelope: { errors: [{ kind: 'processing-failed' }] },
    });
    await waitUntil(async () =>
      /^uns_validator_worker_restarts 1$/m.test((await validator.get('/metrics')).body),
    );
    const metrics = (await validator.get('/metrics')).body;
    expect(metrics).toMatch(
      /^uns_validator_messages_total\{verdict="invalid",error_kind="processing-failed"\} 1$/m,
    );
  });

  it('judges payloads larger than their channel allows payload-too-large, and quarantines only their size', async () => {
    const twoMegabytes = Buffer.alloc(2 * 1024 * 1024, 0x20);
    await plant.publisher.publishAsync(TELEMETRY_TOPIC, twoMegabytes, { qos: 1 });
    await plant.publisher.publishAsync(
      'lab/c1/tiny',
      JSON.stringify({ value: 1, pad: 'x'.repeat(100) }),
      {
        qos: 1,
      },
    );
    const verdicts = await validator.waitForVerdicts(2);
    for (const { verdict } of verdicts) {
      expect(verdict.errors).toMatchObject([{ kind: 'payload-too-large' }]);
    }
    await waitUntil(() => quarantined.length >= 2);
    const telemetry = quarantined.find(({ topic }) => topic === `_quarantine/${TELEMETRY_TOPIC}`);
    expect(telemetry?.envelope).toMatchObject({ payloadBytes: twoMegabytes.length });
    expect(telemetry?.envelope).not.toHaveProperty('payloadBase64');
  });

  it('judges a JSON payload that starts with a byte-order mark an encoding violation', async () => {
    const state = JSON.stringify({ ts: new Date().toISOString(), state: 'idle' });
    await plant.publisher.publishAsync(
      STATE_TOPIC,
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(state)]),
      { qos: 1 },
    );
    const [judged] = await validator.waitForVerdicts(1);
    expect(judged?.verdict.errors).toMatchObject([{ kind: 'encoding' }]);
  });
});
