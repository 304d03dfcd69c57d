/**
 * Compliance across facilities on one machine, every part real except AWS itself: two validators
 * configured as two sites → Mosquitto → the bridge → Kafka → the ingest consumer's code fed from
 * Kafka as the MSK event source feeds it → PostgreSQL (the cloud store's schema) → the compliance
 * API's code behind a local HTTP server → the dashboard in Chromium.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  channelTopic,
  contractExample,
  type KafkaBroker,
  type MosquittoBroker,
  type PostgresServer,
  startKafka,
  startMosquitto,
  startPostgres,
  waitUntil,
} from '@uns-mlops/test-services';
import {
  applyMigrations,
  connectPostgres,
  readMigrations,
  type SqlClient,
} from '@uns-mlops/validation-store';
import mqtt from 'mqtt';
import { feedIngestFromKafka, type MskFeeder } from '../src/msk-feeder';
import { ENTERPRISE, startComplianceBridge, startSiteValidator } from '../src/plants';

/** What each plant publishes: valid asset states, and states the contract refuses. */
const PUBLISHED = {
  'plant-north': { valid: 40, invalid: 10 },
  'plant-south': { valid: 30, invalid: 20 },
} as const;
type Site = keyof typeof PUBLISHED;
const SITES = Object.keys(PUBLISHED) as Site[];

let workDir: string;
let broker: MosquittoBroker;
let kafka: KafkaBroker;
let postgres: PostgresServer;
let store: SqlClient;
let feeder: MskFeeder;
/** What beforeAll started, stopped in reverse order by afterAll (even after a failed start). */
const started: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'compliance-e2e-'));
  started.push(() => rm(workDir, { recursive: true, force: true }));
  [broker, kafka, postgres] = await Promise.all([startMosquitto(), startKafka(), startPostgres()]);
  started.push(() => Promise.all([broker.stop(), kafka.stop(), postgres.stop()]));
  store = connectPostgres(postgres.connectionString);
  started.push(() => store.close());
  await applyMigrations(store, readMigrations());
  const components = await Promise.all([
    ...SITES.map((site) => startSiteValidator({ site, brokerUrl: broker.url, workDir })),
    startComplianceBridge({ brokerUrl: broker.url, kafkaBootstrap: kafka.bootstrap, workDir }),
  ]);
  started.push(() => Promise.all(components.map((component) => component.stop())));
  feeder = await feedIngestFromKafka({
    bootstrap: kafka.bootstrap,
    topic: 'uns.validation',
    store,
  });
  started.push(() => feeder.stop());
  await publishPlantTraffic(broker.url);
});

afterAll(async () => {
  for (const stop of started.reverse()) await stop();
});

/** Each site's asset states, as its cells publish them, QoS 1. */
async function publishPlantTraffic(brokerUrl: string): Promise<void> {
  const client = await mqtt.connectAsync(brokerUrl, { clientId: 'e2e-plants' });
  try {
    const welding = contractExample('assetState', 'welding');
    for (const site of SITES) {
      const topic = channelTopic('state', {
        enterprise: ENTERPRISE,
        site,
        area: 'body-shop',
        line: 'body-weld-1',
        cell: 'cell-010',
        asset: 'welder-1',
      });
      const { valid, invalid } = PUBLISHED[site];
      for (let i = 0; i < valid; i += 1) {
        await client.publishAsync(topic, JSON.stringify(welding), { qos: 1 });
      }
      for (let i = 0; i < invalid; i += 1) {
        const refused = { ...welding, state: 'exploding' };
        await client.publishAsync(topic, JSON.stringify(refused), { qos: 1 });
      }
    }
  } finally {
    await client.endAsync();
  }
}

/** What the store holds per site: valid and invalid messages over every bucket. */
async function storedCounts(): Promise<Record<string, { valid: number; invalid: number }>> {
  const rows = await store.query(
    `SELECT site, sum(valid_count)::integer AS valid, sum(invalid_count)::integer AS invalid
     FROM validation_counts GROUP BY site ORDER BY site`,
  );
  return Object.fromEntries(
    rows.map((row) => [
      String(row.site),
      { valid: Number(row.valid), invalid: Number(row.invalid) },
    ]),
  );
}

describe('compliance across facilities, end to end', () => {
  it("brings every site's verdicts into the cloud store, exactly once", async () => {
    await waitUntil(
      async () => JSON.stringify(await storedCounts()) === JSON.stringify(PUBLISHED),
      120_000,
      'the store holding both sites’ published counts',
    );
    expect(await storedCounts()).toEqual(PUBLISHED);
    expect(feeder.poisonRecords).toBe(0);
  });
});
