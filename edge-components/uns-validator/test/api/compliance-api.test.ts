import type { HttpErrorListener } from '@uns-mlops/edge-common';
import { schemaProblems } from '@uns-mlops/test-services';
import { ComplianceQueries } from '@uns-mlops/validation-store';
import { complianceRoutes, type ComplianceRoutesOptions } from '../../src/api/compliance-routes';
import { startHttpServer, type RunningHttpServer } from '../../src/service/http-server';
import { VerdictAggregator } from '../../src/store/aggregator';
import { openStore, type ValidationStore } from '../../src/store/store';
import type { ErrorKind, Verdict } from '../../src/verdict';
import { BACKENDS, type Database, stopBackends } from '../store/backends';
import { invalidVerdict, JSON_PAYLOAD, MINUTE, T0, validVerdict } from '../store/fixtures';

afterAll(stopBackends);

const HOUR = 60 * MINUTE;
const iso = (time: number) => new Date(time).toISOString();
const ZWICKAU_L1 = { site: 'zwickau', area: 'body-shop', line: 'l1' };
const ZWICKAU_L3 = { site: 'zwickau', area: 'paint', line: 'l3' };
const DRESDEN_L2 = { site: 'dresden', area: 'paint', line: 'l2' };

const UNKNOWN_TOPIC: Verdict = {
  topic: 'nowhere/at/all',
  valid: false,
  errors: [{ kind: 'unknown-topic', path: '', message: 'no channel matches the topic' }],
};

/**
 * The known verdicts every test reads: per minute after T0, per line, valid messages and invalid
 * ones by the kind of their first error. Each message is received 1 s after the previous one of
 * its minute, so the samples' order is known.
 */
function knownVerdicts(): { at: number; verdict: Verdict }[] {
  const verdicts: { at: number; verdict: Verdict }[] = [];
  const add = (minute: number, make: () => Verdict, times: number) => {
    for (let i = 0; i < times; i++) {
      const second = verdicts.filter(({ at }) => Math.floor((at - T0) / MINUTE) === minute).length;
      verdicts.push({ at: T0 + minute * MINUTE + second * 1000, verdict: make() });
    }
  };
  const invalid = (kind: ErrorKind, parameters: Record<string, string>) => () =>
    invalidVerdict(kind, { parameters, topic: `acme/${parameters.site ?? ''}/t` });
  // Minute 0: line 1 of Zwickau 6 valid, 2 schema violations, 1 unparseable; 2 unknown topics.
  add(0, () => validVerdict(ZWICKAU_L1), 6);
  add(0, invalid('schema-violation', ZWICKAU_L1), 2);
  add(0, invalid('unparseable-payload', ZWICKAU_L1), 1);
  add(0, () => UNKNOWN_TOPIC, 2);
  // Minute 1: line 1 3 valid and 1 schema violation; line 3 5 valid.
  add(1, () => validVerdict(ZWICKAU_L1), 3);
  add(1, invalid('schema-violation', ZWICKAU_L1), 1);
  add(1, () => validVerdict(ZWICKAU_L3), 5);
  // Minute 5: Dresden line 2 4 valid, 3 bad parameters.
  add(5, () => validVerdict(DRESDEN_L2), 4);
  add(5, invalid('bad-parameter', DRESDEN_L2), 3);
  // Minute 90, outside the first hour: 10 valid in Dresden.
  add(90, () => validVerdict(DRESDEN_L2), 10);
  return verdicts;
}

const ENFORCEMENT = {
  defaultMode: 'monitor',
  quarantinePrefix: '_q',
  validatedPrefix: '_v',
} as const;

/** The validator's HTTP server with the compliance API over `store`, always healthy and ready. */
function serveComplianceApi(
  store: ValidationStore,
  options: Omit<ComplianceRoutesOptions, 'queries'>,
  onError?: HttpErrorListener,
): Promise<RunningHttpServer> {
  return startHttpServer(
    { host: '127.0.0.1', port: 0, onError },
    {
      component: 'uns-validator',
      health: () => ({ ok: true, checks: {} }),
      readiness: () => ({ ok: true, checks: {} }),
      metrics: () => Promise.resolve({ contentType: 'text/plain', body: '' }),
      api: complianceRoutes({ queries: new ComplianceQueries(store.sql), ...options }),
    },
  );
}

describe.each(BACKENDS)('the compliance API on $name', (backend) => {
  let database: Database;
  let store: ValidationStore;
  let server: RunningHttpServer;

  beforeAll(async () => {
    database = await backend.create();
    store = await database.open();
    await store.migrate();
    const aggregator = new VerdictAggregator({ samplesPerKind: 100 });
    for (const { at, verdict } of knownVerdicts()) {
      aggregator.add(verdict, { receivedAt: at, payload: JSON_PAYLOAD });
    }
    await store.record(aggregator.drain());
    await store.recordContract({
      title: 'UNS welding plant',
      version: '0.9.0',
      source: '/contracts/old.yaml',
      channels: ['telemetry'],
      loadedAt: new Date(T0 - HOUR),
    });
    for (const loadedAt of [new Date(T0), new Date(T0 + MINUTE)]) {
      await store.recordContract({
        title: 'UNS welding plant',
        version: '1.0.0',
        source: '/contracts/uns.yaml',
        channels: ['telemetry', 'state'],
        loadedAt,
      });
    }
    server = await serveComplianceApi(store, {
      contractsInForce: () => ({
        enforcement: ENFORCEMENT,
        inForce: [
          {
            title: 'UNS welding plant',
            version: '1.0.0',
            asyncapiVersion: '3.0.0',
            source: '/contracts/uns.yaml',
            channels: [{ id: 'telemetry', address: '{site}/telemetry', enforcement: 'monitor' }],
            warnings: [
              {
                rule: 'asyncapi2-message-examples',
                path: 'components.messages.telemetry.examples.0.payload',
                line: 42,
                message: '"payload" property must have required property "values"',
              },
            ],
          },
        ],
      }),
      now: () => new Date(T0 + HOUR),
    });
  });

  afterAll(async () => {
    await server.close();
    await store.close();
    await database.dispose();
  });

  /** GETs `path` and checks the answer against the OpenAPI schema `schema`. */
  async function get(path: string, schema: string): Promise<any> {
    const response = await fetch(`http://127.0.0.1:${String(server.port)}${path}`);
    const body = await response.json();
    expect({ status: response.status, body }).toMatchObject({ status: 200 });
    expect(schemaProblems(schema, body)).toEqual([]);
    return body;
  }

  async function status(path: string): Promise<{ status: number; error: string }> {
    const response = await fetch(`http://127.0.0.1:${String(server.port)}${path}`);
    return { status: response.status, error: ((await response.json()) as { error: string }).error };
  }

  const FIRST_HOUR = `since=${new Date(T0).toISOString()}&until=${new Date(T0 + HOUR).toISOString()}`;

  describe('overview', () => {
    it('counts every message of the range per site, area, line, channel and contract version', async () => {
      const overview = await get(`/api/v1/compliance/overview?${FIRST_HOUR}`, 'ComplianceOverview');

      expect(overview.totals).toEqual({ valid: 18, invalid: 9, validShare: 18 / 27 });
      expect(overview.groups).toEqual([
        {
          site: '',
          area: '',
          line: '',
          channel: '',
          contractVersion: '',
          valid: 0,
          invalid: 2,
          validShare: 0,
        },
        {
          ...DRESDEN_L2,
          channel: 'machineTelemetry',
          contractVersion: '1.2.0',
          valid: 4,
          invalid: 3,
          validShare: 4 / 7,
        },
        {
          ...ZWICKAU_L1,
          channel: 'machineTelemetry',
          contractVersion: '1.2.0',
          valid: 9,
          invalid: 4,
          validShare: 9 / 13,
        },
        {
          ...ZWICKAU_L3,
          channel: 'machineTelemetry',
          contractVersion: '1.2.0',
          valid: 5,
          invalid: 0,
          validShare: 1,
        },
      ]);
    });

    it('counts invalid messages by error kind, most first', async () => {
      const overview = await get(`/api/v1/compliance/overview?${FIRST_HOUR}`, 'ComplianceOverview');

      expect(overview.byErrorKind).toEqual([
        { errorKind: 'bad-parameter', invalid: 3 },
        { errorKind: 'schema-violation', invalid: 3 },
        { errorKind: 'unknown-topic', invalid: 2 },
        { errorKind: 'unparseable-payload', invalid: 1 },
      ]);
    });

    it('gives the trend per step: per minute by default over an hour, or per requested step', async () => {
      const perMinute = await get(
        `/api/v1/compliance/overview?${FIRST_HOUR}`,
        'ComplianceOverview',
      );
      const perFiveMinutes = await get(
        `/api/v1/compliance/overview?${FIRST_HOUR}&step=300`,
        'ComplianceOverview',
      );

      const at = (minutes: number) => new Date(T0 + minutes * MINUTE).toISOString();
      expect(perMinute.range.stepSeconds).toBe(60);
      expect(perMinute.trend).toEqual([
        { bucketStart: at(0), valid: 6, invalid: 5, validShare: 6 / 11 },
        { bucketStart: at(1), valid: 8, invalid: 1, validShare: 8 / 9 },
        { bucketStart: at(5), valid: 4, invalid: 3, validShare: 4 / 7 },
      ]);
      expect(perFiveMinutes.trend).toEqual([
        { bucketStart: at(0), valid: 14, invalid: 6, validShare: 14 / 20 },
        { bucketStart: at(5), valid: 4, invalid: 3, validShare: 4 / 7 },
      ]);
    });

    it('ranks the worst offenders by invalid messages, naming their most frequent error kind', async () => {
      const overview = await get(`/api/v1/compliance/overview?${FIRST_HOUR}`, 'ComplianceOverview');

      expect(overview.worstOffenders).toEqual([
        {
          ...ZWICKAU_L1,
          channel: 'machineTelemetry',
          valid: 9,
          invalid: 4,
          invalidShare: 4 / 13,
          topErrorKind: 'schema-violation',
        },
        {
          ...DRESDEN_L2,
          channel: 'machineTelemetry',
          valid: 4,
          invalid: 3,
          invalidShare: 3 / 7,
          topErrorKind: 'bad-parameter',
        },
        {
          site: '',
          area: '',
          line: '',
          channel: '',
          valid: 0,
          invalid: 2,
          invalidShare: 1,
          topErrorKind: 'unknown-topic',
        },
      ]);
      const top = await get(
        `/api/v1/compliance/overview?${FIRST_HOUR}&offenders=1`,
        'ComplianceOverview',
      );
      expect(top.worstOffenders.map((o: { line: string }) => o.line)).toEqual(['l1']);
    });

    it('covers one site when asked, and the last hour before now by default', async () => {
      const zwickau = await get(
        `/api/v1/compliance/overview?${FIRST_HOUR}&site=zwickau`,
        'ComplianceOverview',
      );
      const lastHour = await get('/api/v1/compliance/overview', 'ComplianceOverview');
      const laterHour = await get(
        `/api/v1/compliance/overview?since=${new Date(T0 + HOUR).toISOString()}&until=${new Date(T0 + 2 * HOUR).toISOString()}`,
        'ComplianceOverview',
      );

      expect(zwickau.totals).toEqual({ valid: 14, invalid: 4, validShare: 14 / 18 });
      expect(zwickau.range.site).toBe('zwickau');
      expect(lastHour.range).toEqual({
        since: new Date(T0).toISOString(),
        until: new Date(T0 + HOUR).toISOString(),
        stepSeconds: 60,
        site: null,
      });
      expect(lastHour.totals).toEqual({ valid: 18, invalid: 9, validShare: 18 / 27 });
      expect(laterHour.totals).toEqual({ valid: 10, invalid: 0, validShare: 1 });
    });

    it('answers a range without messages with zero counts and no share', async () => {
      const empty = await get(
        `/api/v1/compliance/overview?since=${new Date(T0 - HOUR).toISOString()}&until=${new Date(T0).toISOString()}`,
        'ComplianceOverview',
      );

      expect(empty).toMatchObject({
        totals: { valid: 0, invalid: 0, validShare: null },
        groups: [],
        byErrorKind: [],
        trend: [],
        worstOffenders: [],
      });
    });
  });

  describe('sites', () => {
    it('lists every site with counts, alphabetical, with the start of its newest bucket', async () => {
      expect(await get('/api/v1/compliance/sites', 'SiteList')).toEqual({
        items: [
          { site: '', lastBucketStart: iso(T0) },
          { site: 'dresden', lastBucketStart: iso(T0 + 90 * MINUTE) },
          { site: 'zwickau', lastBucketStart: iso(T0 + MINUTE) },
        ],
      });
    });
  });

  describe('facilities', () => {
    it('compares the sites of the range, lowest valid share first, each with its kinds, trend and worst slices', async () => {
      const report = await get(
        `/api/v1/compliance/facilities?${FIRST_HOUR}&step=300`,
        'FacilitiesReport',
      );

      expect(report.range).toEqual({ since: iso(T0), until: iso(T0 + HOUR), stepSeconds: 300 });
      expect(report.sites.map((s: { site: string }) => s.site)).toEqual(['', 'dresden', 'zwickau']);
      expect(report.sites[2]).toEqual({
        site: 'zwickau',
        valid: 14,
        invalid: 4,
        validShare: 14 / 18,
        byErrorKind: [
          { errorKind: 'schema-violation', invalid: 3 },
          { errorKind: 'unparseable-payload', invalid: 1 },
        ],
        trend: [{ bucketStart: iso(T0), valid: 14, invalid: 4, validShare: 14 / 18 }],
        worstOffenders: [
          {
            ...ZWICKAU_L1,
            channel: 'machineTelemetry',
            valid: 9,
            invalid: 4,
            invalidShare: 4 / 13,
            topErrorKind: 'schema-violation',
          },
        ],
      });
      expect(report.sites[1]).toMatchObject({
        site: 'dresden',
        valid: 4,
        invalid: 3,
        trend: [{ bucketStart: iso(T0 + 5 * MINUTE), valid: 4, invalid: 3, validShare: 4 / 7 }],
      });
    });

    it('covers the last 24 hours before now by default, and leaves out sites without messages', async () => {
      const lastDay = await get('/api/v1/compliance/facilities', 'FacilitiesReport');
      const laterHour = await get(
        `/api/v1/compliance/facilities?since=${iso(T0 + HOUR)}&until=${iso(T0 + 2 * HOUR)}`,
        'FacilitiesReport',
      );

      expect(lastDay.range).toEqual({
        since: iso(T0 + HOUR - 24 * HOUR),
        until: iso(T0 + HOUR),
        stepSeconds: 900,
      });
      expect(lastDay.sites.map((s: { site: string }) => s.site)).toEqual([
        '',
        'dresden',
        'zwickau',
      ]);
      expect(laterHour.sites).toEqual([
        expect.objectContaining({ site: 'dresden', valid: 10, invalid: 0, worstOffenders: [] }),
      ]);
    });

    it('names at most the asked number of worst slices per site', async () => {
      const report = await get(
        `/api/v1/compliance/facilities?${FIRST_HOUR}&offenders=1`,
        'FacilitiesReport',
      );

      expect(
        report.sites.map((s: { worstOffenders: unknown[] }) => s.worstOffenders.length),
      ).toEqual([1, 1, 1]);
    });
  });

  describe('violations', () => {
    it('lists the samples newest first with topic, error, schema path, payload and contract version', async () => {
      const page = await get('/api/v1/compliance/violations?limit=2', 'ViolationPage');

      expect(page.items).toEqual([
        {
          id: expect.any(Number),
          receivedAt: new Date(T0 + 5 * MINUTE + 6_000).toISOString(),
          topic: 'acme/dresden/t',
          site: 'dresden',
          channel: 'machineTelemetry',
          contractVersion: '1.2.0',
          errorKind: 'bad-parameter',
          errorCount: 1,
          schemaPath: '#/properties/temperature/type',
          payloadPath: '/temperature',
          message: 'bad-parameter happened',
          assertion: '',
          payloadSize: JSON_PAYLOAD.byteLength,
          payloadEncoding: 'utf8',
          payloadExcerpt: '{"temperature":21.5}',
        },
        expect.objectContaining({ receivedAt: new Date(T0 + 5 * MINUTE + 5_000).toISOString() }),
      ]);
      expect(page.nextCursor).toEqual(expect.any(String));
    });

    it('pages through every sample exactly once, following nextCursor', async () => {
      const all = await get('/api/v1/compliance/violations?limit=50', 'ViolationPage');
      const paged: { id: number }[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: any = await get(
          `/api/v1/compliance/violations?limit=4${cursor === null ? '' : `&before=${cursor}`}`,
          'ViolationPage',
        );
        paged.push(...page.items);
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor !== null);

      expect(all.items).toHaveLength(9);
      expect(all.nextCursor).toBeNull();
      expect(pages).toBe(3);
      expect(paged).toEqual(all.items);
    });

    it('filters by site, channel and error kind together', async () => {
      const dresden = await get(
        '/api/v1/compliance/violations?site=dresden&errorKind=bad-parameter&channel=machineTelemetry',
        'ViolationPage',
      );
      const unknown = await get(
        '/api/v1/compliance/violations?errorKind=unknown-topic',
        'ViolationPage',
      );
      const none = await get(
        '/api/v1/compliance/violations?site=dresden&errorKind=unknown-topic',
        'ViolationPage',
      );

      expect(dresden.items).toHaveLength(3);
      expect(unknown.items.map((v: { topic: string }) => v.topic)).toEqual([
        'nowhere/at/all',
        'nowhere/at/all',
      ]);
      expect(none).toEqual({ items: [], nextCursor: null });
    });

    it('offers the sites and error kinds of the samples as filters', async () => {
      expect(await get('/api/v1/compliance/facets', 'ViolationFacets')).toEqual({
        sites: ['', 'dresden', 'zwickau'],
        errorKinds: ['bad-parameter', 'schema-violation', 'unknown-topic', 'unparseable-payload'],
      });
    });

    it('offers the error kinds of one site when asked', async () => {
      expect(await get('/api/v1/compliance/facets?site=zwickau', 'ViolationFacets')).toEqual({
        sites: ['', 'dresden', 'zwickau'],
        errorKinds: ['schema-violation', 'unparseable-payload'],
      });
    });
  });

  it('lists the contracts in force with their enforcement, and every contract the store recorded', async () => {
    const contracts = await get('/api/v1/compliance/contracts', 'ContractsReport');
    const named = await get('/api/v1/compliance/contracts?site=dresden', 'ContractsReport');

    expect(contracts.inForce[0]).toMatchObject({
      version: '1.0.0',
      asyncapiVersion: '3.0.0',
      warnings: [expect.objectContaining({ rule: 'asyncapi2-message-examples', line: 42 })],
    });
    expect(contracts.enforcement.defaultMode).toBe('monitor');
    expect(contracts.history).toEqual([
      {
        site: '',
        title: 'UNS welding plant',
        version: '1.0.0',
        source: '/contracts/uns.yaml',
        channels: ['telemetry', 'state'],
        firstLoadedAt: new Date(T0).toISOString(),
        lastLoadedAt: new Date(T0 + MINUTE).toISOString(),
      },
      expect.objectContaining({
        version: '0.9.0',
        lastLoadedAt: new Date(T0 - HOUR).toISOString(),
      }),
    ]);
    // The validator reports its own contracts whichever site is named.
    expect(named).toEqual(contracts);
  });

  it('answers the widest range, the years 1 to 9999, and cursors at its ends', async () => {
    const widest = await get(
      '/api/v1/compliance/overview?since=0001-01-01T00:00:00Z&until=9999-12-31T23:59:59.999Z',
      'ComplianceOverview',
    );
    const oldest = await get(
      '/api/v1/compliance/violations?before=-62135596800000.1',
      'ViolationPage',
    );
    const newest = await get(
      '/api/v1/compliance/violations?before=253402300799999.9007199254740991',
      'ViolationPage',
    );

    expect(widest.totals).toEqual({ valid: 28, invalid: 9, validShare: 28 / 37 });
    expect(widest.trend).toHaveLength(1);
    expect(oldest.items).toEqual([]);
    expect(newest.items).toHaveLength(9);
  });

  it.each([
    ['a since that is no date', '/overview?since=yesterday', /since must be an ISO 8601 date-time/],
    ['an empty range', `/overview?since=${iso(T0)}&until=${iso(T0)}`, /since must be before until/],
    ['a zero step', `/overview?${FIRST_HOUR}&step=0`, /step must be an integer from 1/],
    ['too many steps', '/overview?since=2000-01-01T00:00:00Z&step=1', /more than 10000 trend/],
    ['a fractional count', '/overview?offenders=1.5', /offenders must be an integer/],
    [
      'a facilities range ending before it starts',
      `/facilities?since=${iso(T0 + HOUR)}&until=${iso(T0)}`,
      /since must be before until/,
    ],
    [
      'more than 20 offenders per site',
      '/facilities?offenders=21',
      /offenders must be an integer from 1 to 20/,
    ],
    ['a facilities step of 0', '/facilities?step=0', /step must be an integer from 1/],
    ['a NUL byte in the facets site', '/facets?site=%00', /site must be UTF-8 text/],
    ['a zero limit', '/violations?limit=0', /limit must be an integer from 1 to 500/],
    ['a limit above 500', '/violations?limit=501', /limit must be an integer from 1 to 500/],
    ['a made-up cursor', '/violations?before=yesterday', /before must be a nextCursor/],
    ['an over-long site', `/violations?site=${'x'.repeat(201)}`, /site must be at most 200/],
    [
      'a NUL byte in site',
      '/violations?site=zwi%00ckau',
      /site must be UTF-8 text without control/,
    ],
    ['a NUL byte in the overview site', '/overview?site=%00', /site must be UTF-8 text/],
    ['a NUL byte in channel', '/violations?channel=%00', /channel must be UTF-8 text/],
    ['a NUL byte in errorKind', '/violations?errorKind=schema%00', /errorKind must be UTF-8 text/],
    ['a site that is not UTF-8', '/violations?site=%C0%80', /site must be UTF-8 text/],
    ['a site given twice', '/violations?site=a&site=b', /site may be given only once/],
    [
      'year 0',
      '/overview?since=0000-01-01T00:00:00Z',
      /since must be from 0001-01-01T00:00:00.000Z/,
    ],
    [
      'an expanded year',
      '/overview?until=%2B275760-09-13T00:00:00.000Z',
      /until must be an ISO 8601 date-time/,
    ],
    ['a bare number as a date', '/overview?until=99999', /until must be an ISO 8601 date-time/],
    ['a date without a time', '/overview?since=2026-01-01', /since must be an ISO 8601 date-time/],
    ['February 30', '/overview?since=2026-02-30T00:00:00Z', /since must be an ISO 8601 date-time/],
    [
      'a cursor beyond the year 9999',
      '/violations?before=999999999999999.999999999999999',
      /before must be a nextCursor/,
    ],
    ['a cursor beyond the id range', '/violations?before=0.9007199254740993', /before must be a/],
    ['a cursor with row id 0', `/violations?before=${String(T0)}.0`, /before must be a nextCursor/],
  ])('rejects %s with 400 and a message saying why', async (_, path, message) => {
    const answer = await status(`/api/v1/compliance${path}`);

    expect(answer.status).toBe(400);
    expect(answer.error).toMatch(message);
    expect(schemaProblems('ApiError', { error: answer.error })).toEqual([]);
  });
});

describe('the compliance API over a store without its tables', () => {
  let store: ValidationStore;
  let server: RunningHttpServer;
  const failures: { error: unknown; request: unknown }[] = [];

  beforeAll(async () => {
    store = await openStore();
    server = await serveComplianceApi(
      store,
      { contractsInForce: () => ({ enforcement: ENFORCEMENT, inForce: [] }) },
      (error, request) => failures.push({ error, request }),
    );
  });

  afterAll(async () => {
    await server.close();
    await store.close();
  });

  it('answers a database error with a generic 500 and a request id, and hands the error to onError', async () => {
    const response = await fetch(
      `http://127.0.0.1:${String(server.port)}/api/v1/compliance/violations?site=zwickau`,
    );
    const body = (await response.json()) as { requestId: string };

    expect(response.status).toBe(500);
    expect(body).toEqual({
      error: 'internal error',
      requestId: response.headers.get('x-request-id'),
    });
    expect(failures).toEqual([
      {
        error: expect.objectContaining({
          message: 'relation "violation_samples" does not exist',
        }),
        request: {
          requestId: body.requestId,
          method: 'GET',
          path: '/api/v1/compliance/violations',
        },
      },
    ]);
  });
});
