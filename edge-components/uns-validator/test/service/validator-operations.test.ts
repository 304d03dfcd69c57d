import { randomUUID } from 'node:crypto';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schemaProblems, startMosquitto, startPostgres, waitUntil } from '@uns-mlops/test-services';
import { connectAsync } from 'mqtt';
import pino from 'pino';
import { DEFAULT_CONFIG } from '../../src/service/config';
import { ValidatorService } from '../../src/service/validator-service';
import { openStore, VerdictAggregator } from '../../src/store';
import { CONTRADICTING_EXAMPLES } from '../fixtures/paths';
import { JSON_PAYLOAD, validVerdict } from '../store/fixtures';
import {
  STATE_TOPIC,
  TELEMETRY_TOPIC,
  recordingLogger,
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
        contractVersion: '1.4.0',
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
    const contractFile = join(config.contracts.paths[0]!, 'uns-welding.asyncapi.yaml');
    const original = readFileSync(contractFile, 'utf8');
    const validator = await startValidator(config);
    try {
      writeFileSync(
        contractFile,
        original.replace(/^ {2}version: ['"]?1\.4\.0['"]?$/m, "  version: '1.5.0'"),
      );
      await waitUntil(() => validator.service.loadedContracts.contracts[0]?.version === '1.5.0');
      await waitUntil(async () => {
        validator.verdicts.length = 0;
        await plant.publisher.publishAsync(TELEMETRY_TOPIC, telemetryBlock(1));
        await validator.waitForVerdicts(1);
        return validator.verdicts[0]!.verdict.contractVersion === '1.5.0';
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
      expect(judged!.verdict).toMatchObject({ valid: true, contractVersion: '1.5.0' });
    } finally {
      await validator.service.stop();
    }
  });
});

describe('a contract whose examples contradict its schemas', () => {
  const FURNACE_TOPIC = 'acme/zwickau/furnace/3/temperature';
  const WARNING_LOGGED =
    'contract loaded with examples that contradict its schemas (examples are not payload rules)';

  /** A directory of the test's own holding the furnace contract (the reload test edits it). */
  function furnaceContracts(): string {
    const directory = mkdtempSync(join(tmpdir(), 'furnace-'));
    copyFileSync(CONTRADICTING_EXAMPLES, join(directory, 'furnace.asyncapi.yaml'));
    return directory;
  }

  it('is loaded with warnings: logged at load and reload, counted, returned by the contracts API', async () => {
    const contracts = furnaceContracts();
    const { logger, entries } = recordingLogger();
    const validator = await startValidator(
      testConfig(plant.broker.url, { contracts: { paths: [contracts], strict: false } }),
      logger,
    );
    try {
      const warned = () => entries.filter((entry) => entry.msg === WARNING_LOGGED);
      expect(warned()).toEqual([
        expect.objectContaining({
          level: 40,
          contract: 'Furnace UNS (examples contradict the schemas) 2.0.0',
          warnings: expect.arrayContaining([
            expect.stringMatching(/^line 50 at components\.messages\.temperature\.examples\.1/),
          ]),
        }),
      ]);
      expect((await validator.get('/metrics')).body).toContain(
        'uns_validator_contract_warnings{title="Furnace UNS (examples contradict the schemas)",version="2.0.0"} 5',
      );
      const report = JSON.parse((await validator.get('/api/v1/compliance/contracts')).body);
      expect(schemaProblems('ContractsReport', report)).toEqual([]);
      expect(report.inForce[0].warnings).toHaveLength(5);
      expect(report.inForce[0].warnings[4]).toEqual({
        rule: 'asyncapi2-message-examples',
        path: 'components.messages.temperature.examples.1.payload.celsius',
        line: 50,
        message: '"celsius" property type must be number',
      });

      await plant.publisher.publishAsync(
        FURNACE_TOPIC,
        JSON.stringify({ ts: '2026-01-05T06:00:00Z', celsius: 980.5 }),
      );
      await plant.publisher.publishAsync(
        FURNACE_TOPIC,
        JSON.stringify({ ts: '2026-01-05T06:00:00Z', celsius: 'hot' }),
      );
      await waitUntil(
        () =>
          validator.verdicts.filter(({ verdict }) => verdict.topic === FURNACE_TOPIC).length === 2,
      );
      const judged = validator.verdicts
        .filter(({ verdict }) => verdict.topic === FURNACE_TOPIC)
        .map(({ verdict }) => [verdict.valid, verdict.errors[0]?.kind]);
      expect(judged).toEqual([
        [true, undefined],
        [false, 'schema-violation'],
      ]);

      appendFileSync(join(contracts, 'furnace.asyncapi.yaml'), '# touched\n');
      await waitUntil(() => warned().length === 2);
    } finally {
      await validator.service.stop();
    }
  });

  it('is refused with contracts.strict, as any contract with errors', async () => {
    const config = testConfig(plant.broker.url, {
      contracts: { paths: [furnaceContracts()], strict: true },
    });

    await expect(ValidatorService.start(config, pino({ level: 'silent' }))).rejects.toThrow(
      /furnace\.asyncapi\.yaml: invalid AsyncAPI document \(5 errors\)/,
    );
  });
});

describe('retention', () => {
  it('prunes counts, samples and batch ids older than the retention days, on its schedule', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'retention-'));
    const now = Date.now();
    const seeded = await openStore({ dataDir });
    await seeded.migrate();
    for (const age of [3 * 86_400_000, 3_600_000]) {
      const aggregator = new VerdictAggregator();
      aggregator.add(validVerdict({ site: 'zwickau' }), {
        receivedAt: now - age,
        payload: JSON_PAYLOAD,
      });
      await seeded.record(aggregator.drain(), {
        id: randomUUID(),
        formedAt: new Date(now - age),
      });
    }
    await seeded.close();
    const { logger, entries } = recordingLogger();
    const config = testConfig(plant.broker.url);
    const validator = await startValidator(
      {
        ...config,
        store: { ...config.store, dataDir, retention: { days: 2, pruneIntervalMs: 200 } },
      },
      logger,
    );
    try {
      await waitUntil(async () =>
        /uns_validator_store_prunes_total\{result="ok"\} ([3-9]|\d{2,})$/m.test(
          (await validator.get('/metrics')).body,
        ),
      );
      const metrics = (await validator.get('/metrics')).body;
      expect(metrics).toContain(
        'uns_validator_store_pruned_rows_total{table="validation_counts"} 1',
      );
      expect(metrics).toContain('uns_validator_store_pruned_rows_total{table="applied_batches"} 1');
      expect(entries.find((entry) => entry.msg === 'store pruned')).toMatchObject({
        deleted: { counts: 1, samples: 0, batches: 1 },
      });
    } finally {
      await validator.service.stop();
    }

    const store = await openStore({ dataDir });
    const rows = await store.complianceSummary({ since: new Date(0) });
    await store.close();
    // The seeded counts (the validator also counts what it publishes itself, its contracts in force).
    const kept = rows.filter((row) => row.channel === validVerdict().channel);
    expect(kept.map((row) => row.valid)).toEqual([1]);
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
            ...DEFAULT_CONFIG.store,
            databaseUrl: postgres.connectionString,
            flushIntervalMs: 60_000,
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
