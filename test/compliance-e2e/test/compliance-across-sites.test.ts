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
import { Logger } from '@aws-lambda-powertools/logger';
import {
  createApiMetrics,
  createComplianceApiHandler,
} from '@uns-mlops/compliance-api/src/handler';
import mqtt from 'mqtt';
import { chromium, type Browser } from 'playwright-core';
import type { FacilitiesReport } from '../../../dashboard/src/api/types';
import { formatCount, formatShare } from '../../../dashboard/src/format';
import { buildDashboard } from '../src/dashboard-build';
import { startLocalApiGateway } from '../src/local-api-gateway';
import { feedIngestFromKafka, type MskFeeder } from '../src/msk-feeder';
import { ENTERPRISE, startComplianceBridge, startSiteValidator } from '../src/plants';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

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
let browser: Browser;
const dashboardDir = () => join(workDir, 'dashboard');
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
  await buildDashboard(dashboardDir());
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  started.push(() => browser.close());
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

  it("brings every site's violation samples and contracts in force into the cloud store", async () => {
    const samplesPerSite = async () =>
      Object.fromEntries(
        (
          await store.query(
            `SELECT site, count(*)::integer AS samples, array_agg(DISTINCT error_kind) AS kinds
             FROM violation_samples GROUP BY site ORDER BY site`,
          )
        ).map((row) => [String(row.site), { samples: Number(row.samples), kinds: row.kinds }]),
      );
    // Fewer invalid messages per summary interval than the validators' sample cap (20): each one
    // is sampled, once.
    const expected = Object.fromEntries(
      SITES.map((site) => [
        site,
        { samples: PUBLISHED[site].invalid, kinds: ['schema-violation'] },
      ]),
    );
    await waitUntil(
      async () => JSON.stringify(await samplesPerSite()) === JSON.stringify(expected),
      120_000,
      'one violation sample per invalid message of each site',
    );
    const inForce = await store.query(
      `SELECT site, jsonb_array_length(report->'inForce') AS contracts FROM contracts_in_force
       ORDER BY site`,
    );
    expect(inForce.map((row) => String(row.site))).toEqual(SITES);
    for (const row of inForce) expect(Number(row.contracts)).toBeGreaterThan(0);
  });

  it.each([
    { user: 'the central quality team', groups: '[uns-quality]', sees: SITES },
    {
      user: 'a plant engineer of plant-south',
      groups: '[uns-site-plant-south]',
      sees: ['plant-south'] as Site[],
    },
  ])(
    'shows $user, in Chromium, the figures each readable site published',
    async ({ groups, sees }) => {
      await waitUntil(
        async () => JSON.stringify(await storedCounts()) === JSON.stringify(PUBLISHED),
        120_000,
        'the store holding both sites’ published counts',
      );
      const gateway = await startLocalApiGateway({
        handler: createComplianceApiHandler({
          store,
          logger: new Logger({ serviceName: 'compliance-api', logLevel: 'WARN' }),
          metrics: createApiMetrics('UnsMlops/Compliance'),
        }),
        claims: { sub: 'e2e-user', 'cognito:groups': groups },
        dashboardDir: dashboardDir(),
      });
      const page = await browser.newPage();
      try {
        await page.goto(`${gateway.url}/#/facilities`);
        const rows = page.getByTestId('facilities').locator('tbody tr');
        await rows.first().waitFor();
        const cells = (await rows.allInnerTexts()).map((row) =>
          row.split('\t').map((cell) => cell.trim()),
        );
        // Worst site first: the lower valid share leads.
        const expected = [...sees]
          .map((site) => ({ site, ...PUBLISHED[site] }))
          .sort((a, b) => a.valid / (a.valid + a.invalid) - b.valid / (b.valid + b.invalid))
          .map(({ site, valid, invalid }) => [
            site,
            formatShare(valid / (valid + invalid)),
            formatCount(valid),
            formatCount(invalid),
          ]);
        expect(cells.map((row) => row.slice(0, 4))).toEqual(expected);

        // The same figures from the API the page read, and no other site by any parameter.
        const report = (await (
          await fetch(`${gateway.url}/api/v1/compliance/facilities`)
        ).json()) as FacilitiesReport;
        expect(report.sites.map((site) => site.site)).toEqual(expected.map(([site]) => site));
        const otherSite = SITES.find((site) => !sees.includes(site));
        if (otherSite !== undefined) {
          const forbidden = await fetch(
            `${gateway.url}/api/v1/compliance/overview?site=${otherSite}`,
          );
          expect(forbidden.status).toBe(403);
        }
      } finally {
        await page.close();
        await gateway.close();
      }
    },
  );
});
