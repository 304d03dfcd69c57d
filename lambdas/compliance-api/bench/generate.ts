/**
 * The bench's data: a month of ten plants' compliance in a compliance store, generated inside
 * PostgreSQL (`generate_series`, one statement per day, so the roll-up triggers run as they do
 * for large writes) rather than sent row by row.
 *
 * Each site has 20 channels on three areas and four lines, one bucket per channel and minute
 * (`''` kind: the valid messages, 40 to 79 a minute), and in some buckets one more row of invalid
 * messages (1 to 5) of one kind: schema violations mostly, then bad parameters, encoding errors,
 * payloads too large and unknown topics. Each site has its own share of such buckets (2 % to
 * 20 %), and moves from contract 1.2.0 to 1.3.0 on a day of its own. Violation samples come
 * spread over the month, with the sites' shares and kinds; each site has contracts and published
 * contracts in force.
 */
import type { SqlClient } from '@uns-mlops/validation-store';

/** The plants, with the share of their buckets with invalid messages, per mille. */
export const SITES: readonly { readonly site: string; readonly invalidPerMille: number }[] = [
  { site: 'braunschweig', invalidPerMille: 20 },
  { site: 'dresden', invalidPerMille: 60 },
  { site: 'emden', invalidPerMille: 35 },
  { site: 'hannover', invalidPerMille: 90 },
  { site: 'kassel', invalidPerMille: 45 },
  { site: 'mlada-boleslav', invalidPerMille: 200 },
  { site: 'osnabrueck', invalidPerMille: 25 },
  { site: 'salzgitter', invalidPerMille: 120 },
  { site: 'wolfsburg', invalidPerMille: 70 },
  { site: 'zwickau', invalidPerMille: 150 },
];
/** Channels per site. */
export const CHANNELS = 20;
/** Days of counts, from {@link START}. */
export const DAYS = 30;
/** Violation samples over the month, every site together. */
export const SAMPLES = 300_000;
/** The first bucket. */
export const START = new Date('2026-02-01T00:00:00.000Z');

/** The reference tables the generating statements join: sites and channels (dropped after). */
const REFERENCE_TABLES = [
  `CREATE TABLE bench_sites AS
     SELECT n::integer - 1 AS n, site, invalid_per_mille
     FROM unnest($1::text[], $2::integer[]) WITH ORDINALITY AS s (site, invalid_per_mille, n)`,
  `CREATE TABLE bench_channels AS
     SELECT n, (ARRAY['body-shop', 'paint-shop', 'assembly'])[n % 3 + 1] AS area,
            'line-' || (n % 4 + 1) AS line,
            'cell-' || lpad(n::text, 2, '0') || '-telemetry' AS channel
     FROM generate_series(0, ${String(CHANNELS - 1)}) AS n`,
];

/**
 * One day of buckets: the valid row of every site, channel and minute, and the invalid rows of
 * the buckets a hash of (minute, site, channel) picks for the site's share.
 */
const ONE_DAY = `
  INSERT INTO validation_counts (bucket_start, bucket_seconds, site, area, line, channel,
                                 contract_version, error_kind, valid_count, invalid_count)
  SELECT minute, 60, s.site, c.area, c.line, c.channel,
         CASE WHEN minute < $2::timestamptz + (10 + s.n) * interval '1 day'
              THEN '1.2.0' ELSE '1.3.0' END,
         kinds.error_kind, kinds.valid, kinds.invalid
  FROM generate_series($1::timestamptz, $1::timestamptz + interval '1 day' - interval '1 minute',
                       interval '1 minute') AS minute
    CROSS JOIN bench_sites s
    CROSS JOIN bench_channels c
    CROSS JOIN LATERAL (
      SELECT abs(hashint8((extract(epoch FROM minute)::bigint * 100 + s.n) * 100 + c.n)) AS h
    ) hash
    CROSS JOIN LATERAL (
      SELECT '' AS error_kind, 40 + hash.h % 40 AS valid, 0 AS invalid
      UNION ALL
      SELECT CASE WHEN hash.h / 1000 % 100 < 60 THEN 'schema-violation'
                  WHEN hash.h / 1000 % 100 < 80 THEN 'bad-parameter'
                  WHEN hash.h / 1000 % 100 < 90 THEN 'encoding'
                  WHEN hash.h / 1000 % 100 < 95 THEN 'payload-too-large'
                  ELSE 'unknown-topic' END,
             0, 1 + hash.h / 100000 % 5
      WHERE hash.h % 1000 < s.invalid_per_mille
    ) kinds`;

/** The samples, in time order, each site by its share of invalid buckets. */
const SAMPLES_SQL = `
  INSERT INTO violation_samples (received_at, topic, site, channel, contract_version, error_kind,
                                 error_count, schema_path, payload_path, message, assertion,
                                 payload_size, payload_encoding, payload_excerpt, sample_id)
  SELECT received_at, 'acme/' || s.site || '/' || c.area || '/' || c.line || '/' || c.channel,
         s.site, c.channel, '1.2.0', kind.error_kind, 1 + i % 3,
         '#/properties/current/type', '/current', 'must be number', '', 180, 'utf8',
         '{"current":"high","voltage":21.4,"wireFeed":8.2,"ts":"' || received_at || '"}',
         gen_random_uuid()
  FROM generate_series(1, $1::integer) AS i
    CROSS JOIN LATERAL (
      SELECT $2::timestamptz + i * ($3::integer * interval '1 day') / $1::integer AS received_at,
             abs(hashint4(i)) AS h
    ) draw
    CROSS JOIN LATERAL (
      SELECT * FROM bench_sites ORDER BY abs(hashint8(draw.h::bigint * 16 + n)) % 1000 * invalid_per_mille DESC
      LIMIT 1
    ) s
    CROSS JOIN LATERAL (SELECT * FROM bench_channels WHERE n = draw.h % ${String(CHANNELS)}) c
    CROSS JOIN LATERAL (
      SELECT CASE WHEN draw.h / 100 % 100 < 60 THEN 'schema-violation'
                  WHEN draw.h / 100 % 100 < 80 THEN 'bad-parameter'
                  WHEN draw.h / 100 % 100 < 90 THEN 'encoding'
                  WHEN draw.h / 100 % 100 < 95 THEN 'payload-too-large'
                  ELSE 'unknown-topic' END AS error_kind
    ) kind
  ORDER BY received_at`;

/** Two contract versions per site, and the contracts in force each site published. */
const CONTRACTS_SQL = `
  INSERT INTO contracts (site, title, version, source, channels, first_loaded_at, last_loaded_at)
  SELECT s.site, 'UNS welding plant', version, 'uns-welding.asyncapi.yaml@' || version,
         (SELECT array_agg(channel ORDER BY n) FROM bench_channels),
         $1::timestamptz + (CASE version WHEN '1.2.0' THEN 0 ELSE 10 + s.n END) * interval '1 day',
         $1::timestamptz + (CASE version WHEN '1.2.0' THEN 10 + s.n ELSE 30 END) * interval '1 day'
  FROM bench_sites s CROSS JOIN (VALUES ('1.2.0'), ('1.3.0')) AS v (version);
  INSERT INTO contracts_in_force (site, published_at, report)
  SELECT s.site, $1::timestamptz + interval '30 days',
         jsonb_build_object(
           'enforcement', jsonb_build_object('defaultMode', 'monitor',
             'quarantinePrefix', '_quarantine', 'validatedPrefix', '_validated'),
           'inForce', jsonb_build_array(jsonb_build_object(
             'title', 'UNS welding plant', 'version', '1.3.0', 'asyncapiVersion', '3.0.0',
             'source', 'uns-welding.asyncapi.yaml@1.3.0',
             'channels', (SELECT jsonb_agg(jsonb_build_object('id', channel,
               'address', 'acme/' || s.site || '/' || area || '/' || line || '/' || channel,
               'enforcement', 'monitor') ORDER BY n) FROM bench_channels),
             'warnings', '[]'::jsonb)))
  FROM bench_sites s`;

/** How long each part of the generation took, seconds. */
export interface Generation {
  readonly countsSeconds: number;
  readonly samplesSeconds: number;
  readonly vacuumSeconds: number;
}

/**
 * Fills the store (migrated, empty) with the month, one statement per day; `progress` hears of
 * every fifth day. Ends with `VACUUM ANALYZE`, as autovacuum would have left a store written over
 * a month.
 */
export async function generateMonth(
  store: SqlClient,
  progress: (message: string) => void,
): Promise<Generation> {
  const secondsSince = (began: number) => (performance.now() - began) / 1000;
  await store.query(REFERENCE_TABLES[0] ?? '', [
    SITES.map((s) => s.site),
    SITES.map((s) => s.invalidPerMille),
  ]);
  await store.query(REFERENCE_TABLES[1] ?? '');

  const countsBegan = performance.now();
  for (let day = 0; day < DAYS; day += 1) {
    await store.query(ONE_DAY, [new Date(START.getTime() + day * 86_400_000), START]);
    if ((day + 1) % 5 === 0) progress(`${String(day + 1)} of ${String(DAYS)} days of counts`);
  }
  const countsSeconds = secondsSince(countsBegan);

  const samplesBegan = performance.now();
  await store.query(SAMPLES_SQL, [SAMPLES, START, DAYS]);
  for (const statement of CONTRACTS_SQL.split(';')) await store.query(statement, [START]);
  await store.exec('DROP TABLE bench_sites; DROP TABLE bench_channels');
  const samplesSeconds = secondsSince(samplesBegan);

  const vacuumBegan = performance.now();
  await store.exec('VACUUM ANALYZE');
  return { countsSeconds, samplesSeconds, vacuumSeconds: secondsSince(vacuumBegan) };
}
