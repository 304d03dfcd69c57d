/**
 * End to end: the local plant as `npm start` runs it (in-process broker, simulator, validator with
 * its embedded store, inference with a model trained on first start, dashboard), looked at in
 * Debian's Chromium; then the same dashboard build hosted as the cloud hosts it, signing in with a
 * stand-in for Cognito's hosted UI in front of the plant's compliance API.
 */
import { mkdirSync } from 'node:fs';
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
  FacilitiesReport,
  SiteList,
  ViolationPage,
} from '../../dashboard/src/api/types';
import { formatCount, formatShare, orDash } from '../../dashboard/src/format';
import type { LocalPlantConfig } from '../src/config';
import { DASHBOARD_DIST, LocalPlant } from '../src/local-plant';
import { FAKE_USER, startFakeCognito, type FakeCognito } from './fake-cognito';
import { startHostedDashboard, type HostedDashboard } from './hosted-dashboard';
import { testPlantConfig } from './test-plant-config';

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
/** The site of every topic the plant's simulator publishes. */
const PLANT_SITE = 'zwickau';
/** A cell the plant's simulator does not run, fed only with defective seams by the test. */
const DEFECTIVE_CELL = {
  enterprise: 'acme',
  site: PLANT_SITE,
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
  plantConfig = testPlantConfig({
    simulator: { cells: 2, seconds: 6, malformedShare: 0.05, defectRate: 0.2, seed: 7 },
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

  it("lists the plant's site in the site selector and keeps the chosen site in the URL", async () => {
    const { items } = await api<SiteList>('/api/v1/compliance/sites');
    const overview = await api<ComplianceOverview>(
      `/api/v1/compliance/overview?site=${PLANT_SITE}`,
    );
    const page = await openPage(`overview?site=${PLANT_SITE}`);
    const selector = page.getByRole('combobox', { name: 'Site' });
    await selector.locator(`option[value="${PLANT_SITE}"]`).waitFor({ state: 'attached' });
    await page.getByTestId('total-invalid').waitFor();

    expect(items.map((item) => item.site)).toContain(PLANT_SITE);
    // One readable site (sites of unknown topics, '', are not offered): no "All sites" choice.
    expect(await selector.locator('option').allInnerTexts()).toEqual(
      items.map((item) => item.site).filter((site) => site !== ''),
    );
    expect(await selector.inputValue()).toBe(PLANT_SITE);
    expect(overview.range.site).toBe(PLANT_SITE);
    expect(shown(await page.getByTestId('total-invalid').textContent())).toBe(
      overview.totals.invalid,
    );
    // Every page's link keeps the site, so a link shows the same site to whoever opens it.
    await page.getByRole('link', { name: 'Violations' }).click();
    await page.getByTestId('violation').first().waitFor();
    expect(new URL(page.url()).hash).toBe(`#/violations?site=${PLANT_SITE}`);
    expect(await selector.inputValue()).toBe(PLANT_SITE);
    await page.close();
  });

  it('compares the sites on the Facilities page with the figures the API returns', async () => {
    const report = await api<FacilitiesReport>('/api/v1/compliance/facilities');
    const page = await openPage('facilities');
    const table = page.getByTestId('facilities');
    await table.waitFor();

    expect(report.sites.map((site) => site.site)).toContain(PLANT_SITE);
    // Columns: site, valid share, valid, invalid, one per error kind, trend.
    const kinds = (await table.locator('thead th').allInnerTexts()).slice(4, -1);
    expect([...kinds].sort()).toEqual(
      [...new Set(report.sites.flatMap((site) => site.byErrorKind.map((k) => k.errorKind)))].sort(),
    );
    const rows = await table.locator('tbody tr').allInnerTexts();
    // (The share cell's bar, an empty positioned box, adds a line break to its text.)
    const cells = rows.map((row) => row.split('\t').map((cell) => cell.trim()));
    expect(cells.map((row) => row.slice(0, 4 + kinds.length))).toEqual(
      // Worst site first, as the API orders them.
      report.sites.map((site) => [
        orDash(site.site),
        formatShare(site.validShare),
        formatCount(site.valid),
        formatCount(site.invalid),
        ...kinds.map((kind) =>
          formatCount(site.byErrorKind.find((k) => k.errorKind === kind)?.invalid ?? 0),
        ),
      ]),
    );
    const offenderRows = await page
      .getByTestId('facility-offenders')
      .locator('tbody tr')
      .allInnerTexts();
    expect(offenderRows.map((row) => row.split('\t'))).toEqual(
      report.sites.flatMap((site) =>
        site.worstOffenders.map((offender) => [
          orDash(offender.site),
          `${orDash(offender.area)} / ${orDash(offender.line)}`,
          offender.channel || 'unknown topic',
          formatCount(offender.invalid),
          formatShare(offender.invalidShare),
          offender.topErrorKind,
        ]),
      ),
    );
    await page
      .getByRole('img', { name: new RegExp(`^Valid share of ${PLANT_SITE} per `) })
      .waitFor();
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, 'facilities-laptop');

    // A site's name opens its overview.
    await table.getByRole('link', { name: PLANT_SITE, exact: true }).click();
    await page.getByTestId('total-valid').waitFor();
    expect(new URL(page.url()).hash).toBe(`#/overview?site=${PLANT_SITE}`);
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

describe('the hosted dashboard signing in with Cognito', () => {
  let cognito: FakeCognito;
  let hosted: HostedDashboard;
  let page: Page;
  const tokenGrants = () =>
    cognito.requests
      .filter((request) => request.path === '/oauth2/token')
      .map((request) => request.parameters.get('grant_type'));
  const signIns = () => cognito.requests.filter((request) => request.path === '/oauth2/authorize');

  beforeAll(async () => {
    hosted = await startHostedDashboard({
      distDir: DASHBOARD_DIST,
      // What the cloud deployment writes (no anomaly API there).
      config: () => ({
        complianceApiBase: '',
        anomalyApiBase: null,
        refreshSeconds: 2,
        auth: {
          authority: cognito.authority,
          clientId: cognito.clientId,
          hostedUiDomain: cognito.url,
          scope: 'openid email profile',
        },
      }),
      complianceApi: plant.addresses.dashboard,
      accepts: (authorization) => cognito.accepts(authorization),
      readableSites: [PLANT_SITE],
    });
    // Renewal starts 60 s before expiry: 10 s after signing in.
    cognito = await startFakeCognito({ callbackUrl: `${hosted.url}/`, accessTokenSeconds: 70 });
    page = await browser.newPage({ viewport: LAPTOP });
  });

  afterAll(async () => {
    await page.close();
    await hosted.close();
    await cognito.close();
  });

  it('signs in by authorization code with PKCE, returns to the page asked for, and sends the token', async () => {
    await page.goto(`${hosted.url}/#/facilities?site=${PLANT_SITE}`);
    await page.getByTestId('facilities').waitFor();

    await expect(page.getByTestId('user-name').textContent()).resolves.toBe(FAKE_USER.email);
    expect(page.url()).toBe(`${hosted.url}/#/facilities?site=${PLANT_SITE}`);
    expect(signIns()).toHaveLength(1);
    expect(Object.fromEntries(signIns()[0]!.parameters)).toMatchObject({
      response_type: 'code',
      client_id: cognito.clientId,
      redirect_uri: `${hosted.url}/`,
      scope: 'openid email profile',
      code_challenge_method: 'S256',
    });
    expect(tokenGrants()).toEqual(['authorization_code']);
    expect(hosted.apiCalls.length).toBeGreaterThan(0);
    expect(hosted.apiCalls.filter((call) => call.status !== 200)).toEqual([]);
    // No anomaly API in the cloud: no Anomalies page. Tokens live in this tab only.
    expect(await page.getByRole('link', { name: 'Anomalies' }).count()).toBe(0);
    expect(await page.evaluate(() => Object.keys(window.localStorage))).toEqual([]);
  });

  it('renews the access token with the refresh token before it expires, without an iframe', async () => {
    await waitUntil(() => tokenGrants().includes('refresh_token'), 40_000, 'a refresh grant');
    const renewedAt = hosted.apiCalls.length;
    await waitUntil(() => hosted.apiCalls.length > renewedAt + 2, 20_000, 'more API calls');

    expect(page.frames()).toHaveLength(1);
    const tokens = new Set(hosted.apiCalls.map((call) => call.authorization));
    expect(tokens.size).toBeGreaterThan(1);
    expect(hosted.apiCalls.filter((call) => call.status !== 200)).toEqual([]);
    expect(signIns()).toHaveLength(1);
  });

  it('answers a 401 by renewing the token and asking again, and the page keeps its data', async () => {
    const refreshes = tokenGrants().length;
    const from = hosted.apiCalls.length;
    cognito.rejectIssuedTokens();
    await waitUntil(
      () =>
        hosted.apiCalls.slice(from).some((call) => call.status === 401) &&
        hosted.apiCalls.at(-1)?.status === 200,
      20_000,
      'a refused call, then an accepted one',
    );

    expect(tokenGrants().length).toBeGreaterThan(refreshes);
    expect(signIns()).toHaveLength(1);
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.getByTestId('facilities').waitFor();
  });

  it('says which site the user may not read when the API answers 403', async () => {
    await page.goto(`${hosted.url}/#/overview?site=plant-b`);
    await page.getByRole('alert').filter({ hasText: 'You may not read site “plant-b”' }).waitFor();
    expect(await page.getByRole('combobox', { name: 'Site' }).inputValue()).toBe('plant-b');
  });

  it("signs out at the hosted UI's logout endpoint, then has to sign in afresh", async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await waitUntil(() => signIns().length === 2, 20_000, 'a second sign-in');
    await page.getByTestId('user-name').waitFor();

    const logout = cognito.requests.filter((request) => request.path === '/logout');
    expect(logout.map((request) => Object.fromEntries(request.parameters))).toEqual([
      { client_id: cognito.clientId, logout_uri: `${hosted.url}/` },
    ]);
    expect(new URL(page.url()).hash).toBe('#/overview');
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
