/**
 * End to end: the local plant as `npm start` runs it (in-process broker, simulator, validator with
 * its embedded store, inference with a model trained on first start, dashboard), looked at in
 * Debian's Chromium.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pino from 'pino';
import { chromium, type Browser, type Page } from 'playwright-core';
import { waitUntil } from '@uns-mlops/test-services';
import { publishLive, type PublishSummary } from '@uns-mlops/welding-simulator';
import type {
  AnomalyEvents,
  ComplianceOverview,
  ContractsReport,
  ViolationPage,
} from '../../dashboard/src/api/types';
import { loadPlantConfig, type LocalPlantConfig } from '../src/config';
import { LocalPlant } from '../src/local-plant';

const ARTIFACTS = join(__dirname, '..', 'test-artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const LAPTOP = { width: 1366, height: 900 };
const TABLET = { width: 768, height: 1024 };

/** The malformed message the drill-down must show: a string among the arc current's values. */
const INJECTED_TOPIC = 'acme/zwickau/body-shop/body-weld-1/cell-010/welder-1/telemetry/arc_current';
const INJECTED_PAYLOAD = JSON.stringify({
  t0: new Date().toISOString(),
  dtMs: 1,
  unit: 'A',
  values: [151.5, 'injected-not-a-number', 152.25],
  quality: 'good',
  seq: 4242,
});
/** A cell the plant's simulator does not run, fed only with defective seams by the test. */
const DEFECTIVE_CELL = {
  enterprise: 'acme',
  site: 'zwickau',
  area: 'body-shop',
  line: 'body-weld-1',
  cell: 'cell-090',
  asset: 'welder-1',
};
const DEFECTIVE_ASSET = Object.values(DEFECTIVE_CELL).join('/');

let plant: LocalPlant;
let plantConfig: LocalPlantConfig;
let browser: Browser;
let simulated: PublishSummary;
const consoleErrors: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  plantConfig = loadPlantConfig({
    env: {
      UNS_PLANT_CONFIG_JSON: JSON.stringify({
        dataDir: mkdtempSync(join(tmpdir(), 'local-plant-')),
        broker: { port: 0 },
        http: { port: 0 },
        validatorPort: 0,
        inferencePort: 0,
        simulator: { cells: 2, seconds: 6, malformedShare: 0.05, defectRate: 0.2, seed: 7 },
        // No summaries during the test, so the counts stand still once the simulator is done.
        summaryIntervalMs: 3_600_000,
        model: { trainingSeconds: 20 },
        logLevel: 'warn',
      }),
    },
  });
  plant = await LocalPlant.start(plantConfig, pino({ level: 'warn' }));
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  simulated = await plant.simulatorDone();

  const injector = await mqtt.connectAsync(plant.addresses.broker, { reconnectPeriod: 0 });
  await injector.publishAsync(INJECTED_TOPIC, INJECTED_PAYLOAD, { qos: 1 });
  await injector.endAsync();
  // Every seam of this cell has a defect episode; the simulator is deterministic for its seed.
  const defective = await publishLive({
    brokerUrl: plant.addresses.broker,
    simulatorOptions: { seed: 11, cells: [DEFECTIVE_CELL], defectRate: 1, start: Date.now() },
    realTime: false,
    durationMs: 8000,
    publishState: false,
  });
  await countsStandStill({
    valid: simulated.valid + defective.valid,
    invalid: simulated.malformedTotal + 1,
  });
}, 240_000);

afterAll(async () => {
  await browser.close();
  await plant.stop();
});

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${plant.addresses.dashboard}${path}`);
  if (!response.ok) throw new Error(`${path}: HTTP ${String(response.status)}`);
  return (await response.json()) as T;
}

/**
 * Waits until the store counts at least the messages the test published, then until its counts
 * have not moved for two flush intervals: the inference's results, which the validator judges
 * too, come later and in no number the test knows.
 */
async function countsStandStill({
  valid,
  invalid,
}: {
  valid: number;
  invalid: number;
}): Promise<void> {
  await waitUntil(
    async () => {
      const { totals } = await api<ComplianceOverview>('/api/v1/compliance/overview');
      return totals.valid >= valid && totals.invalid >= invalid;
    },
    120_000,
    `the store counting ${valid} valid and ${invalid} invalid messages`,
  );
  let last = -1;
  let quietSince = Date.now();
  await waitUntil(
    async () => {
      const { totals } = await api<ComplianceOverview>('/api/v1/compliance/overview');
      const now = totals.valid + totals.invalid;
      if (now !== last) {
        last = now;
        quietSince = Date.now();
      }
      return Date.now() - quietSince > 2500;
    },
    60_000,
    'the store counts standing still',
  );
}

/** A page at `viewport` whose console errors and uncaught exceptions are collected. */
async function openPage(path: string, viewport = LAPTOP): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${path}: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`${path}: ${error.message}`));
  await page.goto(`${plant.addresses.dashboard}/#/${path}`);
  return page;
}

/** `12,345` or `97.5 %` as shown, back to a number. */
function shown(text: string | null): number {
  return Number((text ?? '').replace(/[,\s%]/g, ''));
}

async function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

describe('the local plant in a real browser', () => {
  it('shows the compliance numbers the store holds', async () => {
    const overview = await api<ComplianceOverview>('/api/v1/compliance/overview');
    const page = await openPage('overview');
    await page.getByTestId('total-valid').waitFor();

    // Every malformed message the simulator sent, and the injected one, is counted invalid.
    expect(overview.totals.invalid).toBe(simulated.malformedTotal + 1);
    expect(overview.totals.valid).toBeGreaterThanOrEqual(simulated.valid);
    expect(shown(await page.getByTestId('total-valid').textContent())).toBe(overview.totals.valid);
    expect(shown(await page.getByTestId('total-invalid').textContent())).toBe(
      overview.totals.invalid,
    );
    expect(shown(await page.getByTestId('total-valid-share').textContent())).toBeCloseTo(
      (overview.totals.validShare ?? Number.NaN) * 100,
      1,
    );
    const kindRows = await page.getByTestId('error-kinds').locator('tbody tr').allInnerTexts();
    expect(kindRows.map((row) => row.split('\t'))).toEqual(
      overview.byErrorKind.map((kind) => [kind.errorKind, kind.invalid.toLocaleString('en-US')]),
    );
    const groupRows = await page.getByTestId('groups').locator('tbody tr').allInnerTexts();
    expect(groupRows.map((row) => row.split('\t').slice(0, 7))).toEqual(
      // Site-level channels (summaries, model status) have no area or line: shown as a dash.
      overview.groups.map((group) => [
        group.site,
        group.area || '—',
        group.line || '—',
        group.channel,
        group.contractVersion,
        group.valid.toLocaleString('en-US'),
        group.invalid.toLocaleString('en-US'),
      ]),
    );
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'overview-laptop');
    await page.close();
  });

  it('lists the injected malformed message in the drill-down with its topic, error and payload', async () => {
    const { items } = await api<ViolationPage>('/api/v1/compliance/violations?limit=50');
    const injected = items.find((item) => item.payloadExcerpt === INJECTED_PAYLOAD);
    const page = await openPage('violations');
    const item = page
      .getByTestId('violation')
      .filter({ has: page.getByText(INJECTED_TOPIC, { exact: true }) })
      .filter({ hasText: 'injected-not-a-number' });
    await item.waitFor();

    expect(injected).toMatchObject({ topic: INJECTED_TOPIC, errorKind: 'schema-violation' });
    await expect(item.textContent()).resolves.toContain('/values/1');
    await expect(item.textContent()).resolves.toContain(injected?.contractVersion);
    await item.locator('summary').click();
    await expect(item.getByTestId('violation-payload').textContent()).resolves.toBe(
      INJECTED_PAYLOAD,
    );
    await screenshot(page, 'violations-laptop');
    await page.close();
  });

  it('lists the contract version in force with its channels and enforcement modes', async () => {
    const { inForce } = await api<ContractsReport>('/api/v1/compliance/contracts');
    const contract = inForce[0];
    const page = await openPage('contracts');
    const section = page.getByRole('region', { name: `${contract?.title} ${contract?.version}` });
    await section.waitFor();

    const telemetry = section.getByRole('row', { name: /^telemetry / });
    await expect(telemetry.textContent()).resolves.toContain('monitor');
    expect(await section.locator('tbody tr').count()).toBe(contract?.channels.length);
    await screenshot(page, 'contracts-laptop');
    await page.close();
  });

  it('shows the injected defect as an anomaly event of its cell, and the serving model', async () => {
    const { items } = await api<AnomalyEvents>('/api/v1/anomalies/events?limit=100');
    const defectEvents = items.filter((event) => event.asset === DEFECTIVE_ASSET);
    expect(defectEvents.length).toBeGreaterThan(0);

    const page = await openPage('anomalies');
    await page.getByTestId('anomaly-events').waitFor();
    await expect(page.getByTestId('serving-model').textContent()).resolves.toContain(
      defectEvents[0]?.modelVersion,
    );
    await expect(page.getByTestId('anomaly-events').textContent()).resolves.toContain(
      DEFECTIVE_ASSET,
    );
    await page
      .getByRole('img', { name: new RegExp(`^Anomaly scores of ${DEFECTIVE_ASSET} over time`) })
      .waitFor();
    await screenshot(page, 'anomalies-laptop');
    await page.close();
  });

  it('is usable at tablet width: nothing wider than the screen, navigation by named links', async () => {
    const page = await openPage('overview', TABLET);
    await page.getByTestId('total-valid').waitFor();

    expect(await fitsWidth(page)).toBe(true);
    await page.getByRole('link', { name: 'Violations' }).click();
    await page.getByRole('heading', { name: 'Violations' }).waitFor();
    await page.getByRole('link', { name: 'Compliance overview' }).click();
    await page.getByTestId('total-valid').waitFor();
    await screenshot(page, 'overview-tablet');
    await page.close();
  });

  it('logged no console error on any page', () => {
    expect(consoleErrors).toEqual([]);
  });
});

describe('the local plant across a restart', () => {
  it('keeps the compliance history and the trained model in its data directory', async () => {
    const before = await api<ComplianceOverview>('/api/v1/compliance/overview');
    const { modelBundle } = plant.addresses;
    await plant.stop();

    plant = await LocalPlant.start(
      { ...plantConfig, simulator: { ...plantConfig.simulator, malformedShare: 0, seconds: 1 } },
      pino({ level: 'warn' }),
    );
    const { valid } = await plant.simulatorDone();
    await countsStandStill({
      valid: before.totals.valid + valid,
      invalid: before.totals.invalid,
    });
    const after = await api<ComplianceOverview>('/api/v1/compliance/overview');
    const { items } = await api<ViolationPage>('/api/v1/compliance/violations?limit=50');

    expect(plant.addresses.modelBundle).toBe(modelBundle);
    expect(after.totals.invalid).toBe(before.totals.invalid);
    expect(after.totals.valid).toBeGreaterThan(before.totals.valid);
    expect(items.map((item) => item.payloadExcerpt)).toContain(INJECTED_PAYLOAD);
  });
});
