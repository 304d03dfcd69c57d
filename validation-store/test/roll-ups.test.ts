import { seededRandom, startPostgres, type PostgresServer } from '@uns-mlops/test-services';
import {
  countsUnion,
  DAILY,
  HOURLY,
  PER_SITE_5M,
  PER_SITE_HOURLY,
  segments,
} from '../src/count-tiers';
import {
  applyMigrations,
  connectPostgres,
  EVERY_SITE,
  readMigrations,
  type SqlClient,
  type SqlExecutor,
} from '../src/index';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-03-01T00:00:00.000Z');
const at = (time: number) => new Date(time);

/** A `validation_counts` row. */
interface CountRow {
  bucketStart: Date;
  bucketSeconds: number;
  site: string;
  area: string;
  line: string;
  channel: string;
  contractVersion: string;
  errorKind: string;
  valid: number;
  invalid: number;
}

/** `count` rows over three days from T0 (buckets of 30 s, 60 s and 300 s), some of 0 messages. */
function someRows(seed: number, count: number): CountRow[] {
  const next = seededRandom(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T;
  return Array.from({ length: count }, () => {
    const errorKind = pick(['', '', 'schema-violation', 'unknown-topic']);
    const bucketSeconds = pick([30, 60, 300]);
    const messages = pick([0, 1, 7, 100]);
    return {
      bucketStart: at(
        T0 + Math.floor((next() * 3 * DAY) / (bucketSeconds * 1000)) * bucketSeconds * 1000,
      ),
      bucketSeconds,
      site: pick(['dresden', 'zwickau', '']),
      area: pick(['body', 'paint']),
      line: pick(['l1', 'l2']),
      channel: pick(['telemetry', 'state', '']),
      contractVersion: pick(['1.0.0', '1.1.0']),
      errorKind,
      valid: errorKind === '' ? messages : 0,
      invalid: errorKind === '' ? 0 : messages,
    };
  });
}

const COLUMNS = `bucket_start, bucket_seconds, site, area, line, channel, contract_version,
  error_kind, valid_count, invalid_count`;
const KEY = `bucket_start, bucket_seconds, site, area, line, channel, contract_version,
  error_kind`;
const UNNEST = `unnest($1::timestamptz[], $2::integer[], $3::text[], $4::text[], $5::text[],
  $6::text[], $7::text[], $8::text[], $9::bigint[], $10::bigint[])`;

function columns(rows: readonly CountRow[]): unknown[] {
  return [
    rows.map((r) => r.bucketStart),
    rows.map((r) => r.bucketSeconds),
    rows.map((r) => r.site),
    rows.map((r) => r.area),
    rows.map((r) => r.line),
    rows.map((r) => r.channel),
    rows.map((r) => r.contractVersion),
    rows.map((r) => r.errorKind),
    rows.map((r) => r.valid),
    rows.map((r) => r.invalid),
  ];
}

/** As the validator writes: one statement per batch that adds the batch's counts to a row's. */
async function addCounts(client: SqlClient, rows: readonly CountRow[]): Promise<void> {
  await client.query(
    `INSERT INTO validation_counts (${COLUMNS})
     SELECT ${KEY}, sum(valid_count), sum(invalid_count)
     FROM ${UNNEST} AS batch (${COLUMNS})
     GROUP BY ${KEY}
     ON CONFLICT (${KEY}) DO UPDATE
       SET valid_count = validation_counts.valid_count + EXCLUDED.valid_count,
           invalid_count = validation_counts.invalid_count + EXCLUDED.invalid_count`,
    columns(rows),
  );
}

/**
 * As the cloud ingestion writes: one statement per batch that sets a row's counts (the last of a
 * key in the batch wins), leaving rows that already hold them alone.
 */
async function setCounts(client: SqlExecutor, rows: readonly CountRow[]): Promise<void> {
  const unique = new Map(
    rows.map((r) => [
      [
        r.bucketStart.getTime(),
        r.bucketSeconds,
        r.site,
        r.area,
        r.line,
        r.channel,
        r.contractVersion,
        r.errorKind,
      ].join('|'),
      r,
    ]),
  );
  await client.query(
    `INSERT INTO validation_counts (${COLUMNS})
     SELECT * FROM ${UNNEST}
     ON CONFLICT (${KEY}) DO UPDATE
       SET valid_count = EXCLUDED.valid_count, invalid_count = EXCLUDED.invalid_count
       WHERE (validation_counts.valid_count, validation_counts.invalid_count)
             IS DISTINCT FROM (EXCLUDED.valid_count, EXCLUDED.invalid_count)`,
    columns([...unique.values()]),
  );
}

/** The roll-ups' rows that differ from what `validation_counts` sums to now (none when exact). */
async function rollUpDrift(client: SqlClient): Promise<unknown[]> {
  const detailed = (table: string, period: string) => `
    (SELECT '${table}' AS roll_up, * FROM (
       SELECT bucket_start, site, area, line, channel, contract_version, error_kind,
              valid_count, invalid_count, row_count FROM ${table}
       EXCEPT
       SELECT date_bin('${period}', bucket_start, timestamptz 'epoch'), site, area, line, channel,
              contract_version, error_kind, sum(valid_count), sum(invalid_count), count(*)
       FROM validation_counts GROUP BY 1, 2, 3, 4, 5, 6, 7) extra)
    UNION ALL
    (SELECT '${table} misses', * FROM (
       SELECT date_bin('${period}', bucket_start, timestamptz 'epoch'), site, area, line, channel,
              contract_version, error_kind, sum(valid_count), sum(invalid_count), count(*)
       FROM validation_counts GROUP BY 1, 2, 3, 4, 5, 6, 7
       EXCEPT
       SELECT bucket_start, site, area, line, channel, contract_version, error_kind,
              valid_count, invalid_count, row_count FROM ${table}) missing)`;
  const perSite = (table: string, period: string) => `
    (SELECT '${table}' AS roll_up, * FROM (
       SELECT bucket_start, site, valid_count, invalid_count, row_count FROM ${table}
       EXCEPT
       SELECT date_bin('${period}', bucket_start, timestamptz 'epoch'), site, sum(valid_count),
              sum(invalid_count), count(*) FROM validation_counts GROUP BY 1, 2) extra)
    UNION ALL
    (SELECT '${table} misses', * FROM (
       SELECT date_bin('${period}', bucket_start, timestamptz 'epoch'), site, sum(valid_count),
              sum(invalid_count), count(*) FROM validation_counts GROUP BY 1, 2
       EXCEPT
       SELECT bucket_start, site, valid_count, invalid_count, row_count FROM ${table}) missing)`;
  return [
    ...(await client.query(
      `${detailed(HOURLY.table, '1 hour')} UNION ALL ${detailed(DAILY.table, '1 day')}`,
    )),
    ...(await client.query(
      `${perSite(PER_SITE_5M.table, '5 minutes')} UNION ALL ${perSite(PER_SITE_HOURLY.table, '1 hour')}`,
    )),
  ];
}

/** Rows of every roll-up together. */
async function rollUpRows(client: SqlClient): Promise<number> {
  const [row] = await client.query(
    `SELECT (SELECT count(*) FROM ${HOURLY.table}) + (SELECT count(*) FROM ${DAILY.table})
            + (SELECT count(*) FROM ${PER_SITE_5M.table})
            + (SELECT count(*) FROM ${PER_SITE_HOURLY.table}) AS n`,
  );
  return Number(row?.n);
}

describe('the roll-ups of validation_counts', () => {
  let server: PostgresServer;
  let client: SqlClient;

  beforeAll(async () => {
    server = await startPostgres();
  });
  beforeEach(async () => {
    client = connectPostgres(server.connectionString);
    await client.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  });
  afterEach(() => client.close());
  afterAll(() => server.stop());

  it('sum the rows already there when migration 005 comes', async () => {
    const migrations = readMigrations();
    const before = migrations.filter((m) => m.id < '005');
    await applyMigrations(client, before);
    await addCounts(client, someRows(1, 2_000));

    expect(await applyMigrations(client, migrations)).toContain('005_rollups');
    expect(await rollUpDrift(client)).toEqual([]);
    const [hourly] = await client.query(`SELECT count(*)::int AS n FROM ${HOURLY.table}`);
    expect(hourly?.n).toBeGreaterThan(100);
  });

  it('stay exact under upserts that add (the validator), upserts that set (the ingestion), deletes (retention) and TRUNCATE', async () => {
    await applyMigrations(client, readMigrations());
    const rows = someRows(2, 3_000);

    await addCounts(client, rows.slice(0, 1_000));
    await addCounts(client, rows.slice(500, 1_500)); // half of them again: increments
    expect(await rollUpDrift(client)).toEqual([]);

    await setCounts(client, rows.slice(1_000, 2_500));
    await setCounts(client, rows.slice(1_000, 2_500)); // redelivery: nothing changes
    await setCounts(
      client,
      rows.slice(2_000, 3_000).map((r) => ({ ...r, valid: r.valid * 2, invalid: r.invalid + 3 })),
    );
    expect(await rollUpDrift(client)).toEqual([]);

    await client.query('DELETE FROM validation_counts WHERE bucket_start < $1', [
      at(T0 + DAY + 7 * HOUR),
    ]);
    await client.query("DELETE FROM validation_counts WHERE site = 'zwickau' AND error_kind = ''");
    expect(await rollUpDrift(client)).toEqual([]);

    await client.query('DELETE FROM validation_counts');
    expect(await rollUpRows(client)).toBe(0);

    await addCounts(client, rows);
    await client.exec('TRUNCATE validation_counts');
    expect(await rollUpRows(client)).toBe(0);
  });

  it("keep up with a writer granted validation_counts alone, as the ingestion's user is", async () => {
    await applyMigrations(client, readMigrations());
    await client.exec(`
      DROP ROLE IF EXISTS counts_writer;
      CREATE ROLE counts_writer;
      GRANT USAGE ON SCHEMA public TO counts_writer;
      GRANT SELECT, INSERT, UPDATE ON validation_counts TO counts_writer;
    `);
    const rows = someRows(5, 500);

    await client.transaction(async (tx) => {
      await tx.query('SET LOCAL ROLE counts_writer');
      await setCounts(tx, rows);
      await setCounts(
        tx,
        rows.map((r) => ({ ...r, valid: r.valid + 1 })),
      );
    });

    expect(await rollUpDrift(client)).toEqual([]);
    const [{ n } = {}] = await client.query(`SELECT sum(row_count)::int AS n FROM ${DAILY.table}`);
    expect(n).toBeGreaterThan(0);
  });

  it('give every range the sums of the buckets alone, per slice and per trend step', async () => {
    await applyMigrations(client, readMigrations());
    await addCounts(client, someRows(3, 5_000));
    const next = seededRandom(4);
    const ranges = Array.from({ length: 40 }, () => {
      const a = T0 - HOUR + Math.floor(next() * 4 * DAY);
      const b = T0 - HOUR + Math.floor(next() * 4 * DAY);
      return { since: at(Math.min(a, b)), until: at(Math.max(a, b) + 1) };
    });
    ranges.push(
      { since: at(T0), until: at(T0 + 3 * DAY) },
      { since: at(-62_135_596_800_000), until: at(253_402_300_799_999) },
    );

    const slices = async (range: { since: Date; until: Date }, rollUps: (typeof HOURLY)[]) => {
      const params: unknown[] = [];
      const union = countsUnion(
        { ...range, scope: ['dresden', ''] },
        rollUps,
        'site, area, line, channel, contract_version, error_kind, valid_count, invalid_count',
        params,
      );
      return client.query(
        `SELECT site, area, line, channel, contract_version, error_kind,
                sum(valid_count)::text AS valid, sum(invalid_count)::text AS invalid
         FROM (${union}) u GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6`,
        params,
      );
    };
    const steps = async (
      range: { since: Date; until: Date },
      step: number,
      rollUps: (typeof HOURLY)[],
    ) => {
      const params: unknown[] = [];
      const union = countsUnion(
        { ...range, scope: EVERY_SITE },
        rollUps,
        'site, bucket_start, valid_count, invalid_count',
        params,
      );
      return client.query(
        `SELECT site, date_bin(make_interval(secs => ${String(step)}), bucket_start, timestamptz 'epoch') AS step_start,
                sum(valid_count)::text AS valid, sum(invalid_count)::text AS invalid
         FROM (${union}) u GROUP BY 1, 2 ORDER BY 1, 2`,
        params,
      );
    };

    for (const range of ranges) {
      expect(await slices(range, [HOURLY, DAILY])).toEqual(await slices(range, []));
      expect(await steps(range, 900, [PER_SITE_5M])).toEqual(await steps(range, 900, []));
      expect(await steps(range, 21_600, [PER_SITE_5M, PER_SITE_HOURLY])).toEqual(
        await steps(range, 21_600, []),
      );
    }
  });
});

describe('a range split among the roll-ups', () => {
  it('takes whole days from the daily roll-up, whole hours around them from the hourly one, and the rest from the buckets', () => {
    const since = at(T0 - DAY - 2 * HOUR - 5 * MINUTE);
    const until = at(T0 + DAY + 3 * HOUR + 7 * MINUTE);

    expect(segments(since, until, [HOURLY, DAILY])).toEqual([
      { table: 'validation_counts', since, until: at(T0 - DAY - 2 * HOUR) },
      { table: HOURLY.table, since: at(T0 - DAY - 2 * HOUR), until: at(T0 - DAY) },
      { table: DAILY.table, since: at(T0 - DAY), until: at(T0 + DAY) },
      { table: HOURLY.table, since: at(T0 + DAY), until: at(T0 + DAY + 3 * HOUR) },
      { table: 'validation_counts', since: at(T0 + DAY + 3 * HOUR), until },
    ]);
  });

  it('reads a range shorter than any roll-up period from the buckets alone', () => {
    expect(segments(at(T0 + MINUTE), at(T0 + 59 * MINUTE), [HOURLY, DAILY])).toEqual([
      { table: 'validation_counts', since: at(T0 + MINUTE), until: at(T0 + 59 * MINUTE) },
    ]);
    expect(segments(at(T0), at(T0), [HOURLY, DAILY])).toEqual([]);
  });

  it('aligns the periods on the Unix epoch in UTC, before 1970 too', () => {
    const since = at(Date.parse('1969-12-31T22:30:00.000Z'));
    const until = at(Date.parse('1970-01-01T01:00:00.000Z'));

    expect(segments(since, until, [HOURLY])).toEqual([
      { table: 'validation_counts', since, until: at(Date.parse('1969-12-31T23:00:00.000Z')) },
      { table: HOURLY.table, since: at(Date.parse('1969-12-31T23:00:00.000Z')), until },
    ]);
  });
});
