import { ComplianceQueries } from '../../src/api/compliance-queries';
import { complianceRoutes } from '../../src/api/compliance-routes';
import { startHttpServer, type RunningHttpServer } from '../../src/service/http-server';
import { VerdictAggregator } from '../../src/store/aggregator';
import type { ValidationStore } from '../../src/store/store';
import type { ErrorKind, Verdict } from '../../src/verdict';
import { BACKENDS, type Database, stopBackends } from '../store/backends';
import { invalidVerdict, JSON_PAYLOAD, MINUTE, T0, validVerdict } from '../store/fixtures';
import { schemaProblems } from './openapi';

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
    server = await startHttpServer(
      { host: '127.0.0.1', port: 0 },
      {
        component: 'uns-validator',
        health: () => ({ ok: true, checks: {} }),
        readiness: () => ({ ok: true, checks: {} }),
        metrics: () => Promise.resolve({ contentType: 'text/plain', body: '' }),
        api: complianceRoutes({
          queries: new ComplianceQueries(store.sql),
          contractsInForce: () => ({
            enforcement: { defaultMode: 'monitor', quarantinePrefix: '_q', validatedPrefix: '_v' },
            inForce: [
              {
                title: 'UNS welding plant',
                version: '1.0.0',
                asyncapiVersion: '3.0.0',
                source: '/contracts/uns.yaml',
                channels: [
                  { id: 'telemetry', address: '{site}/telemetry', enforcement: 'monitor' },
                ],
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
        }),
      },
    );
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
  });

  it('lists the contracts in force with their enforcement, and every contract the store recorded', async () => {
    const contracts = await get('/api/v1/compliance/contracts', 'ContractsReport');

    expect(contracts.inForce[0]).toMatchObject({
      version: '1.0.0',
      asyncapiVersion: '3.0.0',
      warnings: [expect.objectContaining({ rule: 'asyncapi2-message-examples', line: 42 })],
    });
    expect(contracts.enforcement.defaultMode).toBe('monitor');
    expect(contracts.history).toEqual([
      {
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
  });

  it.each([
    ['a since that is no date', '/overview?since=yesterday', /since must be an ISO 8601 date-time/],
    ['an empty range', `/overview?since=${iso(T0)}&until=${iso(T0)}`, /since must be before until/],
    ['a zero step', `/overview?${FIRST_HOUR}&step=0`, /step must be an integer from 1/],
    ['too many steps', '/overview?since=2000-01-01T00:00:00Z&step=1', /more than 10000 trend/],
    ['a fractional count', '/overview?offenders=1.5', /offenders must be an integer/],
    ['a zero limit', '/violations?limit=0', /limit must be an integer from 1 to 500/],
    ['a limit above 500', '/violations?limit=501', /limit must be an integer from 1 to 500/],
    ['a made-up cursor', '/violations?before=yesterday', /before must be a nextCursor/],
    ['an over-long site', `/violations?site=${'x'.repeat(201)}`, /site must be at most 200/],
  ])('rejects %s with 400 and a message saying why', async (_, path, message) => {
    const answer = await status(`/api/v1/compliance${path}`);

    expect(answer.status).toBe(400);
    expect(answer.error).toMatch(message);
    expect(schemaProblems('ApiError', { error: answer.error })).toEqual([]);
  });
});
