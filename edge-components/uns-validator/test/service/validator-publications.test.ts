/**
 * What the validator publishes about compliance besides its summaries, on a real Mosquitto:
 * violation samples (capped per site and interval) and its contracts in force (retained, at start
 * and after every reload), each judged valid by the validator's own contract compiler.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitUntil } from '@uns-mlops/test-services';
import { loadContracts } from '../../src/contract/load-contracts';
import type { LoadedContracts } from '../../src/contract/model';
import type { ValidatorConfig } from '../../src/service/config';
import { validateMessage } from '../../src/validate/validate-message';
import { CONTRACT_DIR } from '../fixtures/paths';
import {
  STATE_TOPIC,
  TELEMETRY_TOPIC,
  startValidator,
  telemetryBlock,
  testClient,
  testConfig,
  useTestPlant,
} from './harness';

const plant = useTestPlant();

/** What arrived on a topic filter, and whether the broker delivered it as retained. */
interface Received {
  readonly topic: string;
  readonly payload: Buffer;
  readonly retain: boolean;
}

/** Subscribes a client of the test's own to `filter`, collecting what arrives. */
async function collect(
  filter: string,
): Promise<{ messages: Received[]; stop: () => Promise<void> }> {
  const client = await testClient(plant.broker.url);
  const messages: Received[] = [];
  client.on('message', (topic, payload, packet) => {
    messages.push({ topic, payload, retain: packet.retain });
  });
  await client.subscribeAsync(filter, { qos: 1 });
  return { messages, stop: () => client.endAsync() };
}

/** A test configuration with the summary settings changed. */
function configWith(summaries: Partial<ValidatorConfig['summaries']>): ValidatorConfig {
  const config = testConfig(plant.broker.url);
  return { ...config, summaries: { ...config.summaries, ...summaries } };
}

describe('the validator’s publications on a real Mosquitto broker', () => {
  let contracts: LoadedContracts;

  beforeAll(async () => {
    contracts = await loadContracts([CONTRACT_DIR]);
  });

  /** Asserts that the validator's own contract accepts a message on its channel. */
  function expectConforming({ topic, payload }: Received, channel: string): void {
    expect(validateMessage(contracts, topic, payload)).toMatchObject({
      valid: true,
      channel,
      errors: [],
    });
  }

  it('publishes the first violation samples of each site per interval at QoS 1, and counts the rest', async () => {
    const samples = await collect('acme/+/_validation/violations');
    // One interval for the whole test: the cap is not renewed while it runs.
    const validator = await startValidator(
      configWith({ intervalMs: 3_600_000, violationSamplesPerSite: 3 }),
    );
    try {
      for (let seq = 0; seq < 5; seq += 1) {
        await plant.publisher.publishAsync(TELEMETRY_TOPIC, `{"seq": ${String(seq)}}`);
      }
      await plant.publisher.publishAsync(
        TELEMETRY_TOPIC.replace('zwickau', 'dresden'),
        '{"values": "none"}',
      );
      await plant.publisher.publishAsync(TELEMETRY_TOPIC, telemetryBlock(6));
      await plant.publisher.publishAsync(STATE_TOPIC, Buffer.from([0xc3, 0x28]));
      await validator.waitForVerdicts(8);
      await waitUntil(async () => {
        const values = (await validator.service.metrics.violationSamples.get()).values;
        const count = (result: string) =>
          values.find(({ labels }) => labels.result === result)?.value ?? 0;
        return count('published') === 4 && count('over-cap') === 3;
      });
      await waitUntil(() => samples.messages.length === 4, 15_000, 'four violation samples');

      const bodies = samples.messages.map(({ payload }) => JSON.parse(payload.toString()));
      expect(samples.messages.map(({ topic }) => topic).sort()).toEqual([
        'acme/dresden/_validation/violations',
        'acme/zwickau/_validation/violations',
        'acme/zwickau/_validation/violations',
        'acme/zwickau/_validation/violations',
      ]);
      for (const message of samples.messages) {
        expectConforming(message, 'validationViolation');
        expect(message.retain).toBe(false);
      }
      expect(new Set(bodies.map((body) => body.sampleId)).size).toBe(4);
      expect(bodies.find((body) => body.site === 'dresden')).toMatchObject({
        topic: TELEMETRY_TOPIC.replace('zwickau', 'dresden'),
        channel: 'telemetry',
        contractVersion: '1.4.0',
        errorKind: 'schema-violation',
        payloadEncoding: 'utf8',
        payloadExcerpt: '{"values": "none"}',
      });
      expect(
        bodies.filter((body) => body.site === 'zwickau').map((body) => body.errorKind),
      ).toEqual(expect.arrayContaining(['schema-violation']));
      expect((await validator.get('/metrics')).body).toContain(
        'uns_validator_violation_samples_total{result="over-cap"} 3',
      );
    } finally {
      await validator.service.stop();
      await samples.stop();
    }
  });

  it('publishes its contracts in force retained at start, and again after every reload', async () => {
    const config = configWith({ site: 'chemnitz' });
    const contractFile = join(config.contracts.paths[0]!, 'uns-welding.asyncapi.yaml');
    const validator = await startValidator(config);
    try {
      // A subscriber arriving after the start gets the retained message.
      const first = await collect('acme/chemnitz/_validation/contracts');
      await waitUntil(() => first.messages.length === 1, 15_000, 'the contracts in force');
      await first.stop();
      const [atStart] = first.messages;
      expect(atStart).toMatchObject({ topic: 'acme/chemnitz/_validation/contracts', retain: true });
      expectConforming(atStart!, 'validationContracts');
      const published = JSON.parse(atStart!.payload.toString());
      const { enforcement, inForce } = JSON.parse(
        (await validator.get('/api/v1/compliance/contracts')).body,
      );
      expect(published).toEqual({ publishedAt: expect.any(String), enforcement, inForce });
      expect(published.inForce[0]).toMatchObject({ version: '1.4.0', source: contractFile });

      const live = await collect('acme/chemnitz/_validation/contracts');
      writeFileSync(
        contractFile,
        readFileSync(contractFile, 'utf8').replace(/^ {2}version: 1\.4\.0$/m, '  version: 1.5.0'),
      );
      await waitUntil(
        () =>
          live.messages.some(
            ({ payload }) => JSON.parse(payload.toString()).inForce[0].version === '1.5.0',
          ),
        15_000,
        'the reloaded contracts',
      );
      await live.stop();
      const reloaded = live.messages.at(-1)!;
      expectConforming(reloaded, 'validationContracts');
      expect(Date.parse(JSON.parse(reloaded.payload.toString()).publishedAt)).toBeGreaterThan(
        Date.parse(published.publishedAt),
      );

      const later = await collect('acme/chemnitz/_validation/contracts');
      await waitUntil(() => later.messages.length === 1, 15_000, 'the retained contracts');
      await later.stop();
      expect(JSON.parse(later.messages[0]!.payload.toString()).inForce[0].version).toBe('1.5.0');
    } finally {
      await validator.service.stop();
    }
  });

  it('publishes its contracts for a site it summarizes when no site is configured', async () => {
    const contractsOfSites = await collect('acme/+/_validation/contracts');
    const validator = await startValidator(configWith({ site: undefined }));
    try {
      const leipzig = TELEMETRY_TOPIC.replace('zwickau', 'leipzig');
      await plant.publisher.publishAsync(leipzig, telemetryBlock(1));
      await waitUntil(
        () => contractsOfSites.messages.some(({ topic }) => topic.startsWith('acme/leipzig/')),
        15_000,
        'the contracts of the summarized site',
      );
      const [message] = contractsOfSites.messages.filter(({ topic }) =>
        topic.startsWith('acme/leipzig/'),
      );
      expectConforming(message!, 'validationContracts');
    } finally {
      await validator.service.stop();
      await contractsOfSites.stop();
    }
  });
});
