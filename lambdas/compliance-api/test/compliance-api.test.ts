import { Logger } from '@aws-lambda-powertools/logger';
import { schemaProblems, startPostgres, type PostgresServer } from '@uns-mlops/test-services';
import {
  applyMigrations,
  connectPostgres,
  readMigrations,
  type SqlClient,
} from '@uns-mlops/validation-store';
import { DEFAULTS, SERVICE_NAME } from '../src/config';
import { createApiMetrics, createComplianceApiHandler } from '../src/handler';
import { httpApiEvent } from './events';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.parse('2026-03-02T08:00:00.000Z');
const NOW = T0 + HOUR;
const iso = (time: number) => new Date(time).toISOString();
const FIRST_HOUR = `since=${iso(T0)}&until=${iso(T0 + HOUR)}`;

const ZWICKAU = 'zwickau';
const DRESDEN = 'dresden';
const MLADA = 'mlada-boleslav';

/** The callers, by the claims of their access tokens as the JWT authorizer hands them over. */
const QUALITY_TEAM = { sub: 'quality', 'cognito:groups': '[uns-quality]' };
const ZWICKAU_ENGINEER = { sub: 'engineer-a', 'cognito:groups': '[uns-site-zwickau]' };
const TWO_SITE_ENGINEER = {
  sub: 'engineer-ac',
  'cognito:groups': ['uns-site-zwickau', 'uns-site-mlada-boleslav'],
};

/** The OpenAPI schema of each endpoint's 200 answer. */
const SCHEMAS: Record<string, string> = {
  sites: 'SiteList',
  overview: 'ComplianceOverview',
  facilities: 'FacilitiesReport',
  violations: 'ViolationPage',
  facets: 'ViolationFacets',
  contracts: 'ContractsReport',
};
const ENDPOINTS = Object.keys(SCHEMAS);

/**
 * The known rows every test reads, per site: Zwickau and Dresden with invalid messages of kinds
 * and channels of their own, Mladá Boleslav all valid; samples whose topics name their site;
 * contracts of Zwickau and Dresden, contracts in force published by those two only.
 */
async function seed(store: SqlClient): Promise<void> {
  const counts: [number, string, string, string, string, string, number, number][] = [
    [0, ZWICKAU, 'body', 'l1', 'telemetry', '', 90, 0],
    [0, ZWICKAU, 'body', 'l1', 'telemetry', 'schema-violation', 0, 10],
    [1, ZWICKAU, 'body', 'l1', 'telemetry', '', 50, 0],
    [2, DRESDEN, 'paint', 'l2', 'paintBooth', '', 40, 0],
    [2, DRESDEN, 'paint', 'l2', 'paintBooth', 'encoding', 0, 20],
    [3, DRESDEN, 'paint', 'l2', 'telemetry', '', 10, 0],
    [4, MLADA, 'press', 'l3', 'telemetry', '', 100, 0],
    [90, DRESDEN, 'paint', 'l2', 'telemetry', '', 5, 0],
  ];
  for (const [minute, site, area, line, channel, kind, valid, invalid] of counts) {
    await store.query(
      `INSERT INTO validation_counts VALUES ($1, 60, $2, $3, $4, $5, '1.1.0', $6, $7, $8)`,
      [new Date(T0 + minute * MINUTE), site, area, line, channel, kind, valid, invalid],
    );
  }
  const samples: [number, string, string, string, string][] = [
    [10, ZWICKAU, 'acme/zwickau/body/l1/telemetry', 'telemetry', 'schema-violation'],
    [20, ZWICKAU, 'acme/zwickau/body/l1/telemetry', 'telemetry', 'schema-violation'],
    [30, ZWICKAU, 'acme/zwickau/body/l1/telemetry', 'telemetry', 'schema-violation'],
    [130, DRESDEN, 'acme/dresden/paint/l2/paintBooth', 'paintBooth', 'encoding'],
    [140, DRESDEN, 'acme/dresden/paint/l2/paintBooth', 'paintBooth', 'encoding'],
    [150, DRESDEN, 'acme/dresden/paint/l2/paintBooth', 'paintBooth', 'encoding'],
    [160, DRESDEN, 'acme/dresden/paint/l2/paintBooth', 'paintBooth', 'encoding'],
    [245, MLADA, 'acme/mlada-boleslav/nowhere', '', 'unknown-topic'],
  ];
  for (const [second, site, topic, channel, kind] of samples) {
    await store.query(
      `INSERT INTO violation_samples (received_at, topic, site, channel, contract_version,
         error_kind, error_count, schema_path, payload_path, message, assertion, payload_size,
         payload_encoding, payload_excerpt, sample_id)
       VALUES ($1, $2, $3, $4, '1.1.0', $5, 1, '#/type', '', $5 || ' in ' || $3, '', 2, 'utf8',
               '{}', gen_random_uuid())`,
      [new Date(T0 + second * 1000), topic, site, channel, kind],
    );
  }
  for (const site of [ZWICKAU, DRESDEN]) {
    await store.query(
      `INSERT INTO contracts (site, title, version, source, channels, first_loaded_at,
         last_loaded_at) VALUES ($1, 'UNS welding plant', '1.1.0', $2, $3, $4, $4)`,
      [site, `/contracts/${site}.yaml`, ['telemetry'], new Date(T0 - HOUR)],
    );
    await store.query(
      'INSERT INTO contracts_in_force (site, published_at, report) VALUES ($1, $2, $3)',
      [
        site,
        new Date(T0),
        {
          enforcement: { defaultMode: 'monitor', quarantinePrefix: '_q', validatedPrefix: '_v' },
          inForce: [
            {
              title: 'UNS welding plant',
              version: '1.1.0',
              asyncapiVersion: '3.0.0',
              source: `/contracts/${site}.yaml`,
              channels: [
                { id: 'telemetry', address: `acme/${site}/telemetry`, enforcement: 'monitor' },
              ],
              warnings: [],
            },
          ],
        },
      ],
    );
  }
}

/** What the function answered, with the metrics it printed (EMF) and what it logged as errors. */
interface Answer {
  status: number;
  body: any;
  headers: Record<string, unknown>;
  metrics: Record<string, unknown>;
  errorsLogged: unknown[][];
}

describe('the compliance API function on PostgreSQL', () => {
  let server: PostgresServer;
  let store: SqlClient;

  beforeAll(async () => {
    server = await startPostgres();
    store = connectPostgres(server.connectionString);
    await applyMigrations(store, readMigrations());
    await seed(store);
  });
  afterAll(async () => {
    await store.close();
    await server.stop();
  });

  /** Invokes the function over `target` with a payload v2 event of `url` and `claims`. */
  async function call(
    url: string,
    claims: Record<string, unknown> | undefined,
    method = 'GET',
    target: SqlClient = store,
  ): Promise<Answer> {
    const logger = new Logger({ serviceName: SERVICE_NAME, logLevel: 'SILENT' });
    const errorLog = jest.spyOn(logger, 'error');
    const printed: string[] = [];
    const capture = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    try {
      const handler = createComplianceApiHandler({
        store: target,
        logger,
        metrics: createApiMetrics(DEFAULTS.namespace),
        now: () => new Date(NOW),
      });
      const result = await handler(httpApiEvent({ url, claims, method }));
      const metrics: Record<string, unknown> = {};
      for (const line of printed
        .join('')
        .split('\n')
        .filter((l) => l !== '')) {
        const document = JSON.parse(line) as Record<string, unknown> & {
          _aws: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] };
        };
        for (const { Name } of document._aws.CloudWatchMetrics.flatMap((m) => m.Metrics)) {
          metrics[Name] = document[Name];
        }
      }
      return {
        status: result.statusCode ?? 0,
        body: JSON.parse(result.body ?? 'null'),
        headers: result.headers ?? {},
        metrics,
        errorsLogged: errorLog.mock.calls,
      };
    } finally {
      capture.mockRestore();
    }
  }

  /** GETs `/api/v1/compliance/<path>` as `claims`, expecting 200 and the document's schema. */
  async function get(path: string, claims: Record<string, unknown>): Promise<any> {
    const answer = await call(`/api/v1/compliance/${path}`, claims);
    expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 200 });
    const endpoint = path.split('?')[0] ?? '';
    expect(schemaProblems(SCHEMAS[endpoint] ?? 'none', answer.body)).toEqual([]);
    return answer.body;
  }

  /** GETs `/api/v1/compliance/<path>` as `claims`, expecting a refusal in the document's shape. */
  async function refused(
    path: string,
    claims: Record<string, unknown> | undefined,
  ): Promise<Answer> {
    const answer = await call(`/api/v1/compliance/${path}`, claims);
    expect(schemaProblems('ApiError', answer.body)).toEqual([]);
    return answer;
  }

  describe('for a plant engineer of Zwickau (uns-site-zwickau)', () => {
    /** Every answer of the engineer must be free of the other sites' names, channels and kinds. */
    const OTHER_SITES = /dresden|mlada|paintBooth|encoding|unknown-topic/;

    it('lists Zwickau alone among the sites', async () => {
      expect(await get('sites', ZWICKAU_ENGINEER)).toEqual({
        items: [{ site: ZWICKAU, lastBucketStart: iso(T0 + MINUTE) }],
      });
    });

    it("answers every endpoint without a site over Zwickau's rows alone", async () => {
      const overview = await get(`overview?${FIRST_HOUR}`, ZWICKAU_ENGINEER);
      const facilities = await get(`facilities?${FIRST_HOUR}`, ZWICKAU_ENGINEER);
      const violations = await get('violations', ZWICKAU_ENGINEER);
      const facets = await get('facets', ZWICKAU_ENGINEER);

      expect(overview.totals).toEqual({ valid: 140, invalid: 10, validShare: 140 / 150 });
      expect(overview.range.site).toBeNull();
      expect(overview.groups.map((g: { site: string }) => g.site)).toEqual([ZWICKAU]);
      expect(facilities.sites.map((s: { site: string }) => s.site)).toEqual([ZWICKAU]);
      expect(violations.items.map((v: { site: string }) => v.site)).toEqual([
        ZWICKAU,
        ZWICKAU,
        ZWICKAU,
      ]);
      expect(facets).toEqual({ sites: [ZWICKAU], errorKinds: ['schema-violation'] });
      for (const answer of [overview, facilities, violations, facets]) {
        expect(JSON.stringify(answer)).not.toMatch(OTHER_SITES);
      }
    });

    it('answers for Zwickau when it names Zwickau', async () => {
      const overview = await get(`overview?${FIRST_HOUR}&site=zwickau`, ZWICKAU_ENGINEER);
      const contracts = await get('contracts?site=zwickau', ZWICKAU_ENGINEER);

      expect(overview.range.site).toBe(ZWICKAU);
      expect(overview.totals.valid).toBe(140);
      expect(contracts.inForce[0].source).toBe('/contracts/zwickau.yaml');
      expect(contracts.history).toEqual([expect.objectContaining({ site: ZWICKAU })]);
    });

    it.each(
      ENDPOINTS.flatMap((endpoint) =>
        [DRESDEN, MLADA, 'Zwickau', ''].map((site) => [endpoint, site]),
      ),
    )('refuses %s of site %j with 403 and the reason', async (endpoint, site) => {
      const answer = await refused(
        `${endpoint}?site=${encodeURIComponent(site)}`,
        ZWICKAU_ENGINEER,
      );

      expect(answer.status).toBe(403);
      expect(answer.body.error).toBe(
        `site ${JSON.stringify(site)} is not among the sites you may read`,
      );
      expect(answer.metrics).toMatchObject({ Requests: 1, ClientErrors: 1, Forbidden: 1 });
    });

    it.each([
      ['a site given twice', 'overview?site=zwickau&site=dresden', 400],
      ['a site among other parameters', `violations?limit=1&site=dresden&channel=telemetry`, 403],
      ['a percent-encoded site', 'facets?site=%64resden', 403],
      ['a site with trailing space', 'violations?site=dresden%20', 403],
      ['a site of another name case', 'violations?Site=dresden', 200],
      ['a site as an array parameter', 'violations?site[]=dresden', 200],
      ['a channel only Dresden has', 'violations?channel=paintBooth', 200],
      ['an error kind only Dresden has', 'violations?errorKind=encoding', 200],
      ['the widest range', 'overview?since=0001-01-01T00:00:00Z&until=9999-12-31T23:59:59Z', 200],
      ['a facilities range over every day', 'facilities?since=0001-01-01T00:00:00Z', 200],
    ])('cannot read Dresden through %s', async (_, path, status) => {
      const answer = await call(`/api/v1/compliance/${path}`, ZWICKAU_ENGINEER);

      expect(answer.status).toBe(status);
      if (status === 200) expect(JSON.stringify(answer.body)).not.toMatch(OTHER_SITES);
    });

    it("pages from a cursor the quality team got among Dresden's samples to Zwickau's alone", async () => {
      const quality = await get('violations?limit=2', QUALITY_TEAM);
      expect(quality.items.map((v: { site: string }) => v.site)).toEqual([MLADA, DRESDEN]);

      const page = await get(`violations?before=${quality.nextCursor}`, ZWICKAU_ENGINEER);

      expect(page.items.map((v: { site: string }) => v.site)).toEqual([ZWICKAU, ZWICKAU, ZWICKAU]);
      expect(page.nextCursor).toBeNull();
    });

    it("pages through Zwickau's samples exactly once", async () => {
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await get(
          `violations?limit=1${cursor === null ? '' : `&before=${cursor}`}`,
          ZWICKAU_ENGINEER,
        );
        seen.push(...page.items.map((v: { id: number }) => v.id));
        expect(JSON.stringify(page)).not.toMatch(OTHER_SITES);
        cursor = page.nextCursor;
      } while (cursor !== null);

      expect(new Set(seen).size).toBe(3);
    });

    it('must name the site of the contracts', async () => {
      const answer = await refused('contracts', ZWICKAU_ENGINEER);

      expect(answer).toMatchObject({
        status: 400,
        body: { error: 'site is required: whose contracts?' },
      });
    });
  });

  describe('for the quality team (uns-quality)', () => {
    it('lists every site with counts, alphabetical, with its newest bucket', async () => {
      expect(await get('sites', QUALITY_TEAM)).toEqual({
        items: [
          { site: DRESDEN, lastBucketStart: iso(T0 + 90 * MINUTE) },
          { site: MLADA, lastBucketStart: iso(T0 + 4 * MINUTE) },
          { site: ZWICKAU, lastBucketStart: iso(T0 + MINUTE) },
        ],
      });
    });

    it('compares every site, lowest valid share first, each with its worst slices', async () => {
      const report = await get(`facilities?${FIRST_HOUR}&step=3600`, QUALITY_TEAM);

      expect(report.range).toEqual({ since: iso(T0), until: iso(T0 + HOUR), stepSeconds: 3600 });
      expect(
        report.sites.map((s: { site: string; validShare: number }) => [s.site, s.validShare]),
      ).toEqual([
        [DRESDEN, 50 / 70],
        [ZWICKAU, 140 / 150],
        [MLADA, 1],
      ]);
      expect(report.sites[0]).toEqual({
        site: DRESDEN,
        valid: 50,
        invalid: 20,
        validShare: 50 / 70,
        byErrorKind: [{ errorKind: 'encoding', invalid: 20 }],
        trend: [{ bucketStart: iso(T0), valid: 50, invalid: 20, validShare: 50 / 70 }],
        worstOffenders: [
          {
            site: DRESDEN,
            area: 'paint',
            line: 'l2',
            channel: 'paintBooth',
            valid: 40,
            invalid: 20,
            invalidShare: 20 / 60,
            topErrorKind: 'encoding',
          },
        ],
      });
      expect(report.sites[2].worstOffenders).toEqual([]);
    });

    it('sees every site in the overview, violations and facets, or the one it names', async () => {
      const overview = await get(`overview?${FIRST_HOUR}`, QUALITY_TEAM);
      const dresden = await get(`overview?${FIRST_HOUR}&site=dresden`, QUALITY_TEAM);
      const violations = await get('violations', QUALITY_TEAM);
      const facets = await get('facets', QUALITY_TEAM);
      const dresdenKinds = await get('facets?site=dresden', QUALITY_TEAM);

      expect(overview.totals).toEqual({ valid: 290, invalid: 30, validShare: 290 / 320 });
      expect(dresden.totals).toEqual({ valid: 50, invalid: 20, validShare: 50 / 70 });
      expect(violations.items).toHaveLength(8);
      expect(facets).toEqual({
        sites: [DRESDEN, MLADA, ZWICKAU],
        errorKinds: ['encoding', 'schema-violation', 'unknown-topic'],
      });
      expect(dresdenKinds.errorKinds).toEqual(['encoding']);
    });

    it('reads the contracts each site published, and 404 for a site that published none', async () => {
      const dresden = await get('contracts?site=dresden', QUALITY_TEAM);
      const mlada = await refused('contracts?site=mlada-boleslav', QUALITY_TEAM);

      expect(dresden).toMatchObject({
        enforcement: { defaultMode: 'monitor' },
        inForce: [expect.objectContaining({ source: '/contracts/dresden.yaml' })],
        history: [expect.objectContaining({ site: DRESDEN, source: '/contracts/dresden.yaml' })],
      });
      expect(mlada).toMatchObject({
        status: 404,
        body: { error: 'site "mlada-boleslav" has published no contracts in force' },
      });
    });
  });

  describe('for an engineer of two sites (uns-site-zwickau, uns-site-mlada-boleslav)', () => {
    it('answers over both sites and refuses the third', async () => {
      const sites = await get('sites', TWO_SITE_ENGINEER);
      const facilities = await get(`facilities?${FIRST_HOUR}`, TWO_SITE_ENGINEER);
      const facets = await get('facets', TWO_SITE_ENGINEER);
      const dresden = await refused('violations?site=dresden', TWO_SITE_ENGINEER);

      expect(sites.items.map((s: { site: string }) => s.site)).toEqual([MLADA, ZWICKAU]);
      expect(facilities.sites.map((s: { site: string }) => s.site)).toEqual([ZWICKAU, MLADA]);
      expect(facets.sites).toEqual([MLADA, ZWICKAU]);
      expect(dresden.status).toBe(403);
    });
  });

  describe('for a caller of no reader group', () => {
    it.each([
      ['no groups claim', { sub: 'someone' }],
      ['an empty list', { 'cognito:groups': '[]' }],
      ['other groups only', { 'cognito:groups': '[admins uns-sites-zwickau UNS-QUALITY]' }],
      ['no authorizer on the route', undefined],
    ])('refuses every endpoint with 403 (%s)', async (_, claims) => {
      for (const endpoint of ENDPOINTS) {
        const answer = await refused(endpoint, claims);

        expect(answer.status).toBe(403);
        expect(answer.body.error).toBe(
          'you belong to no group that may read compliance: uns-quality or uns-site-<site>',
        );
      }
    });
  });

  it.each([
    ['a since that is no date', 'overview?since=yesterday', /since must be an ISO 8601 date-time/],
    [
      'an empty range',
      `facilities?since=${iso(T0)}&until=${iso(T0)}`,
      /since must be before until/,
    ],
    ['too many trend steps', `overview?since=2000-01-01T00:00:00Z&step=1`, /more than 10000 trend/],
    ['a step of 0', 'facilities?step=0', /step must be an integer from 1/],
    [
      'too many offenders per site',
      'facilities?offenders=21',
      /offenders must be an integer from 1 to 20/,
    ],
    ['a limit above 500', 'violations?limit=501', /limit must be an integer from 1 to 500/],
    ['a made-up cursor', 'violations?before=yesterday', /before must be a nextCursor/],
    ['a NUL byte in the site', 'facets?site=%00', /site must be UTF-8 text/],
    ['a site that is not UTF-8', 'contracts?site=%C0%80', /site must be UTF-8 text/],
    [
      'an over-long channel',
      `violations?channel=${'x'.repeat(201)}`,
      /channel must be at most 200/,
    ],
  ])('rejects %s with 400 and the reason', async (_, path, message) => {
    const answer = await refused(path, QUALITY_TEAM);

    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatch(message);
  });

  it.each([
    ['an unknown endpoint', 404, '/api/v1/compliance/everything', 'GET'],
    ['the anomaly API', 404, '/api/v1/anomalies/status', 'GET'],
    ['a path with a trailing slash', 404, '/api/v1/compliance/sites/', 'GET'],
    ['an inherited property name', 404, '/api/v1/compliance/constructor', 'GET'],
    ['a POST', 405, '/api/v1/compliance/sites', 'POST'],
    ['a DELETE', 405, '/api/v1/compliance/violations', 'DELETE'],
  ])('answers %s with %d', async (_, status, url, method) => {
    const answer = await call(url, QUALITY_TEAM, method);

    expect(answer.status).toBe(status);
    expect(schemaProblems('ApiError', answer.body)).toEqual([]);
    if (status === 405) expect(answer.headers.allow).toBe('GET');
  });

  it('answers as JSON, not to be cached, with the request id on every answer', async () => {
    const answer = await call('/api/v1/compliance/sites', QUALITY_TEAM);

    expect(answer.headers).toEqual({
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'x-request-id': expect.stringMatching(/^request-\d+$/),
    });
    expect(answer.metrics).toEqual({ Requests: 1, Latency: expect.any(Number) });
  });

  describe('over a store that fails', () => {
    let broken: SqlClient;

    beforeAll(async () => {
      await store.exec('CREATE DATABASE empty');
      broken = connectPostgres(server.connectionString.replace(/\/postgres$/, '/empty'));
    });
    afterAll(() => broken.close());

    it('answers 500 with the request id alone, and logs the failure under it', async () => {
      const answer = await call('/api/v1/compliance/violations', QUALITY_TEAM, 'GET', broken);

      expect(answer.status).toBe(500);
      expect(answer.body).toEqual({
        error: 'internal error',
        requestId: answer.headers['x-request-id'],
      });
      expect(schemaProblems('ServerError', answer.body)).toEqual([]);
      expect(answer.errorsLogged).toEqual([
        [
          'Request failed',
          {
            requestId: answer.body.requestId,
            path: '/api/v1/compliance/violations',
            error: expect.objectContaining({
              message: 'relation "violation_samples" does not exist',
            }),
          },
        ],
      ]);
      expect(answer.metrics).toMatchObject({ Requests: 1, ServerErrors: 1 });
    });
  });
});
