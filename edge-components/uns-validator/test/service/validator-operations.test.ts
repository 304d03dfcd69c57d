import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMosquitto, startPostgres, waitUntil } from '@uns-mlops/test-services';
import { connectAsync } from 'mqtt';
import pino from 'pino';
import { ValidatorService } from '../../src/service/validator-service';
import { openStore } from '../../src/store';
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

/** Collects what arrives on a topic filter. */
async function collect(
  filter: string,
): Promise<{ messages: { topic: string; payload: Buffer }[]; stop: () => Promise<void> }> {
  const client = await testClient(plant.broker.url);
  const messages: { topic: string; payload: Buffer }[] = [];
  client.on('message', (topic, payload) => messages.push({ topic, payload }));
  await client.subscribeAsync(filter);
  return { messages, stop: () => client.endAsync() };
}

describe('enforcement modes', () => {
  it('quarantines invalid messages of a quarantine channel with the reason, and mirrors valid ones of a filter channel', async () => {
    const validator = await startValidator(
      testConfig(plant.broker.url, {
        enforcement: {
          defaultMode: 'monitor',
          channels: { telemetry: 'quarantine', state: 'filter' },
          quarantinePrefix: '_quarantine',
          validatedPrefix: '_validated',
        },
      }),
    );
    const quarantined = await collect('_quarantine/#');
    const validated = await collect('_validated/#');
    try {
      await plant.publisher.publishAsync(TELEMETRY_TOPIC, '{"values": "none"}');
      await plant.publisher.publishAsync(TELEMETRY_TOPIC, telemetryBlock(1));
      const state = JSON.stringify({ ts: new Date().toISOString(), state: 'welding' });
      await plant.publisher.publishAsync(STATE_TOPIC, state);
      await plant.publisher.publishAsync(STATE_TOPIC, '{"state": "dancing"}');
      await waitUntil(() => quarantined.messages.length === 1 && validated.messages.length === 1);
      await validator.waitForVerdicts(4);

      expect(quarantined.messages[0]!.topic).toBe(`_quarantine/${TELEMETRY_TOPIC}`);
      const envelope = JSON.parse(quarantined.messages[0]!.payload.toString());
      expect(envelope).toMatchObject({
        topic: TELEMETRY_TOPIC,
        channel: 'telemetry',
        contractVersion: '1.1.0',
      });
      expect(envelope.errors[0].kind).toBe('schema-violation');
      expect(Buffer.from(envelope.payloadBase64, 'base64').toString()).toBe('{"values": "none"}');

      expect(validated.messages[0]).toEqual({
        topic: `_validated/${STATE_TOPIC}`,
        payload: Buffer.from(state),
      });
      // Its own republications are never judged again.
      expect(validator.verdicts.every(({ verdict }) => !verdict.topic.startsWith('_'))).toBe(true);
    } finally {
      await quarantined.stop();
      await validated.stop();
      await validator.service.stop();
    }
  });
});

describe('contract reload', () => {
  it('applies a changed contract without restart, and keeps the previous one when the change does not parse', async () => {
    const config = testConfig(plant.broker.url);
    const contractFile = join(config.contracts[0]!, 'uns-welding.asyncapi.yaml');
    const original = readFileSync(contractFile, 'utf8');
    const validator = await startValidator(config);
    try {
      writeFileSync(
        contractFile,
        original.replace(/^ {2}version: ['"]?1\.0\.0['"]?$/m, "  version: '1.1.0'"),
      );
      await waitUntil(() => validator.service.loadedContracts.contracts[0]?.version === '1.1.0');
      await waitUntil(async () => {
        validator.verdicts.length = 0;
        await plant.publisher.publishAsync(TELEMETRY_TOPIC, telemetryBlock(1));
        await validator.waitForVerdicts(1);
        return validator.verdicts[0]!.verdict.contractVersion === '1.1.0';
      });

      writeFileSync(contractFile, 'asyncapi: 3.0.0\ninfo: [this is not a contract\n');
      await waitUntil(async () =>
        (await validator.get('/metrics')).body.includes(
          'uns_validator_contract_reloads_total{result="rejected"}',
        ),
      );
      validator.verdicts.length = 0;
      await plant.publisher.publishAsync(TELEMETRY_TOPIC, telemetryBlock(2));
      const [judged] = await validator.waitForVerdicts(1);
      expect(judged!.verdict).toMatchObject({ valid: true, contractVersion: '1.1.0' });
    } finally {
      await validator.service.stop();
    }
  });
});

describe('broker restart mid-stream', () => {
  it('reconnects, resubscribes and keeps judging', async () => {
    const validator = await startValidator(testConfig(plant.broker.url));
    try {
      await plant.publisher.publishAsync(TELEMETRY_TOPIC, telemetryBlock(1));
      await validator.waitForVerdicts(1);
      await plant.broker.restart();
      await waitUntil(async () => JSON.parse((await validator.get('/ready')).body).ok === true);
      await waitUntil(() => plant.publisher.connected);
      await waitUntil(async () => {
        await plant.publisher.publishAsync(TELEMETRY_TOPIC, telemetryBlock(2));
        return validator.verdicts.length >= 2;
      });
      expect(validator.verdicts.every(({ verdict }) => verdict.valid)).toBe(true);
    } finally {
      await validator.service.stop();
    }
  });
});

describe('shutdown and the PostgreSQL store', () => {
  it('records every received message in PostgreSQL before it stops', async () => {
    const postgres = await startPostgres();
    try {
      const validator = await startValidator(
        testConfig(plant.broker.url, {
          store: {
            databaseUrl: postgres.connectionString,
            bucketSeconds: 60,
            flushIntervalMs: 60_000,
            samplesPerKind: 5,
          },
        }),
      );
      try {
        const total = 500;
        for (let seq = 0; seq < total; seq += 1) {
          plant.publisher.publish(TELEMETRY_TOPIC, seq % 10 === 0 ? '{}' : telemetryBlock(seq));
        }
        await validator.waitForVerdicts(total);
      } finally {
        await validator.service.stop();
      }

      const store = await openStore({ databaseUrl: postgres.connectionString });
      const rows = await store.complianceSummary({
        since: new Date(Date.now() - 3_600_000),
        site: 'zwickau',
      });
      await store.close();
      const telemetry = rows.find((row) => row.channel === 'telemetry')!;
      expect({ valid: telemetry.valid, invalid: telemetry.invalid }).toEqual({
        valid: 450,
        invalid: 50,
      });
    } finally {
      await postgres.stop();
    }
  });
});

describe('broker authentication', () => {
  it('connects with a username and password, and is refused without them', async () => {
    const secured = await startMosquitto({ users: { validator: 's3cret' } });
    try {
      const base = testConfig(secured.url);
      const validator = await startValidator({
        ...base,
        broker: { ...base.broker, username: 'validator', password: 's3cret' },
      });
      await validator.service.stop();

      const errors: string[] = [];
      const refused = await ValidatorService.start(
        { ...base, broker: { ...base.broker, username: 'validator', password: 'wrong' } },
        pino({ level: 'error' }, { write: (line: string) => errors.push(line) }),
      );
      try {
        await waitUntil(
          () => errors.some((line) => line.includes('Connection refused: Not authorized')),
          15_000,
          'the broker refusing the wrong password',
        );
        const ready = await fetch(`http://127.0.0.1:${refused.httpPort}/ready`);
        expect(ready.status).toBe(503);
        expect(await ready.json()).toMatchObject({ ok: false, checks: { brokerConnected: false } });
      } finally {
        await refused.stop();
      }
    } finally {
      await secured.stop();
    }
  });

  it('connects over TLS with a client certificate', async () => {
    const secured = await startMosquitto({ clientCertificates: true });
    const tls = secured.tls!;
    try {
      const base = testConfig(secured.url);
      const validator = await startValidator({
        ...base,
        broker: {
          ...base.broker,
          caFile: tls.caFile,
          certFile: tls.clientCertFile,
          keyFile: tls.clientKeyFile,
        },
      });
      try {
        const tlsPublisher = await connectAsync(secured.url, {
          ca: readFileSync(tls.caFile),
          cert: readFileSync(tls.clientCertFile),
          key: readFileSync(tls.clientKeyFile),
        });
        await tlsPublisher.publishAsync(TELEMETRY_TOPIC, telemetryBlock(1));
        await tlsPublisher.endAsync();
        const [judged] = await validator.waitForVerdicts(1);
        expect(judged!.verdict.valid).toBe(true);
      } finally {
        await validator.service.stop();
      }
    } finally {
      await secured.stop();
    }
  });
});
