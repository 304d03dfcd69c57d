/**
 * The compliance API at the scale of ten plants over a month, on a local PostgreSQL: 30 days ×
 * 10 sites × 20 channels of 1-minute buckets (about 9 M `validation_counts` rows with the invalid
 * ones) and 300,000 violation samples, generated in the database ({@link generateMonth}). Then
 * every read the dashboard makes, through the function's handler (routes, authorization, SQL,
 * JSON) with one connection as in Lambda, repeated for p50/p95; the storage per site and month;
 * and the ingestion's rows per second through `validation-ingest`'s write path with the roll-ups'
 * triggers in place (and, for their cost, without them).
 *
 *   npm run bench:compliance-api
 *
 * Ends with one JSON line `{"bench":"compliance-api",...}`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { mskEvent, mskRecord } from '@uns-mlops/msk-records';
import { startPostgres } from '@uns-mlops/test-services';
import {
  createIngestMetrics,
  ingestBatch,
  type IngestDependencies,
} from '@uns-mlops/validation-ingest/src/handler';
import {
  DEFAULTS as INGEST_DEFAULTS,
  SERVICE_NAME as INGEST_SERVICE,
} from '@uns-mlops/validation-ingest/src/config';
import {
  applyMigrations,
  connectPostgres,
  readMigrations,
  type SqlClient,
} from '@uns-mlops/validation-store';
import type { MSKEvent } from 'aws-lambda';
import { DEFAULTS, SERVICE_NAME } from '../src/config';
import { createApiMetrics, createComplianceApiHandler } from '../src/handler';
import { httpApiEvent } from '../test/events';
import { CHANNELS, DAYS, generateMonth, SAMPLES, SITES, START } from './generate';

/** Timed runs of each read, after {@link WARM_UP} untimed ones. */
const RUNS = 25;
const WARM_UP = 3;
/** The p95 every read must stay within, ms. */
const READ_TARGET_MS = 200;
/** The ingestion rate to reach, summary rows per second. */
const INGEST_TARGET_ROWS_PER_SEC = 5_000;
/** Batches per ingestion path, each of 100 summaries (the event source mapping's default). */
const INGEST_BATCHES = 20;
const SUMMARIES_PER_BATCH = 100;

const DAY_MS = 86_400_000;
/** The bench's now: the end of the month, off the hour, as a dashboard's clock would be. */
const NOW = new Date(START.getTime() + DAYS * DAY_MS - 7 * 60_000 - 13_000);
const QUALITY_TEAM = { 'cognito:groups': '[uns-quality]' };
const SITE = 'zwickau';
const ENGINEER = { 'cognito:groups': `[uns-site-${SITE}]` };

const iso = (time: number) => new Date(time).toISOString();
const range = (ms: number) => `since=${iso(NOW.getTime() - ms)}&until=${NOW.toISOString()}`;
const HOUR_RANGE = range(3_600_000);
const DAY_RANGE = range(DAY_MS);
const MONTH_RANGE = range(DAYS * DAY_MS);

/** Figures of one read. */
interface ReadFigures {
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly bytes: number;
}

type Handler = ReturnType<typeof createComplianceApiHandler>;

/** The value at percentile `p` of `values`. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Runs `work` with standard output (Powertools' EMF lines) silenced. */
async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = () => true;
  try {
    return await work();
  } finally {
    process.stdout.write = write;
  }
}

/** Times GET `url` as `claims`: {@link WARM_UP} + {@link RUNS} requests, each must answer 200. */
async function timeRead(
  handler: Handler,
  url: string,
  claims: Record<string, unknown>,
): Promise<ReadFigures> {
  const durations: number[] = [];
  let bytes = 0;
  for (let run = 0; run < WARM_UP + RUNS; run += 1) {
    const began = performance.now();
    const answer = await quietly(() => handler(httpApiEvent({ url, claims })));
    const elapsed = performance.now() - began;
    if (answer.statusCode !== 200) {
      throw new Error(`${url} answered ${String(answer.statusCode)}: ${answer.body ?? ''}`);
    }
    bytes = answer.body?.length ?? 0;
    if (run >= WARM_UP) durations.push(elapsed);
  }
  return {
    p50Ms: Number(percentile(durations, 50).toFixed(1)),
    p95Ms: Number(percentile(durations, 95).toFixed(1)),
    bytes,
  };
}

/** The `nextCursor` after `pages` pages of `url`. */
async function cursorAfter(
  handler: Handler,
  url: string,
  claims: Record<string, unknown>,
  pages: number,
): Promise<string> {
  let cursor = '';
  for (let page = 0; page < pages; page += 1) {
    const answer = await quietly(() =>
      handler(httpApiEvent({ url: `${url}${cursor && `&before=${cursor}`}`, claims })),
    );
    cursor = (JSON.parse(answer.body ?? '{}') as { nextCursor: string }).nextCursor;
  }
  return cursor;
}

/** Every read the dashboard makes, by name. */
async function reads(handler: Handler): Promise<Record<string, ReadFigures>> {
  const api = '/api/v1/compliance';
  const filtered = `${api}/violations?site=${SITE}&errorKind=bad-parameter&limit=50`;
  const laterCursor = await cursorAfter(handler, filtered, QUALITY_TEAM, 20);
  const plan: [string, string, Record<string, unknown>][] = [
    ['sites', `${api}/sites`, QUALITY_TEAM],
    ['overview 1 h, every site', `${api}/overview?${HOUR_RANGE}`, QUALITY_TEAM],
    ['overview 1 h, one site', `${api}/overview?${HOUR_RANGE}&site=${SITE}`, QUALITY_TEAM],
    ['overview 24 h, every site', `${api}/overview?${DAY_RANGE}`, QUALITY_TEAM],
    ['overview 24 h, one site', `${api}/overview?${DAY_RANGE}&site=${SITE}`, QUALITY_TEAM],
    ['overview 30 d, every site', `${api}/overview?${MONTH_RANGE}`, QUALITY_TEAM],
    ['overview 30 d, one site', `${api}/overview?${MONTH_RANGE}&site=${SITE}`, QUALITY_TEAM],
    ['overview 30 d, a plant engineer', `${api}/overview?${MONTH_RANGE}`, ENGINEER],
    ['facilities 24 h', `${api}/facilities?${DAY_RANGE}`, QUALITY_TEAM],
    ['facilities 30 d', `${api}/facilities?${MONTH_RANGE}`, QUALITY_TEAM],
    ['violations, first page', `${api}/violations`, QUALITY_TEAM],
    ['violations, first page, a plant engineer', `${api}/violations`, ENGINEER],
    ['violations, site and kind, first page', filtered, QUALITY_TEAM],
    ['violations, site and kind, page 21', `${filtered}&before=${laterCursor}`, QUALITY_TEAM],
    ['facets', `${api}/facets`, QUALITY_TEAM],
    ['facets, one site', `${api}/facets?site=${SITE}`, QUALITY_TEAM],
    ['contracts', `${api}/contracts?site=${SITE}`, QUALITY_TEAM],
  ];
  const figures: Record<string, ReadFigures> = {};
  for (const [name, url, claims] of plan) {
    figures[name] = await timeRead(handler, url, claims);
    const { p50Ms, p95Ms, bytes } = figures[name];
    console.log(
      `${name.padEnd(42)} p50 ${p50Ms.toFixed(1).padStart(6)} ms  p95 ${p95Ms.toFixed(1).padStart(6)} ms  ${String(bytes).padStart(7)} bytes`,
    );
  }
  return figures;
}

/** Storage of each table with its indexes and TOAST, and of all, MiB per site and month. */
async function storage(store: SqlClient): Promise<Record<string, number>> {
  const tables = [
    'validation_counts',
    'validation_counts_hourly',
    'validation_counts_daily',
    'validation_site_counts_5m',
    'validation_site_counts_hourly',
    'violation_samples',
  ];
  const rows = await store.query(
    `SELECT relname, pg_total_relation_size(oid)::bigint AS bytes FROM pg_class
     WHERE relname = ANY($1::text[])`,
    [tables],
  );
  const months = DAYS / 30;
  const perSiteMonth = (bytes: number) =>
    Number((bytes / 2 ** 20 / SITES.length / months).toFixed(1));
  const sizes = Object.fromEntries(
    rows
      .map((row) => [String(row.relname), Number(row.bytes)] as const)
      .sort(([a], [b]) => tables.indexOf(a) - tables.indexOf(b)),
  );
  return {
    ...Object.fromEntries(
      Object.entries(sizes).map(([table, bytes]) => [table, perSiteMonth(bytes)]),
    ),
    total: perSiteMonth(Object.values(sizes).reduce((sum, bytes) => sum + bytes, 0)),
  };
}

/**
 * Batch `b` of an ingestion path: 100 summaries (ten 30-second intervals of the ten sites) after
 * the generated month, each of 20 channels with two error kinds (60 rows); `bump` changes every
 * count (the update path).
 */
function summaryBatch(first: Date, b: number, bump: number): MSKEvent {
  const records = Array.from({ length: SUMMARIES_PER_BATCH }, (_, r) => {
    const { site } = SITES[r % SITES.length] ?? { site: '' };
    const interval = b * (SUMMARIES_PER_BATCH / SITES.length) + Math.floor(r / SITES.length);
    const start = first.getTime() + interval * 30_000;
    return mskRecord({
      topic: 'uns.validation',
      key: `acme/${site}`,
      value: JSON.stringify({
        intervalStart: iso(start),
        intervalEnd: iso(start + 30_000),
        contractVersion: '1.3.0',
        channels: Array.from({ length: CHANNELS }, (_, c) => ({
          channel: `cell-${String(c).padStart(2, '0')}-telemetry`,
          valid: 30 + c + bump,
          invalid: 3 + bump,
          byErrorKind: { 'schema-violation': 2 + bump, encoding: 1 },
        })),
      }),
      headers: { 'uns-topic': `acme/${site}/_validation` },
      partition: r % 4,
      offset: b * SUMMARIES_PER_BATCH + r,
      timestamp: start + 30_000,
    });
  });
  return mskEvent(records);
}

/** Figures of one ingestion path. */
interface IngestFigures {
  readonly rowsPerSec: number;
  readonly batchP95Ms: number;
}

/** Runs `events` through the ingestion's batch function, one after the other. */
async function ingest(
  deps: IngestDependencies,
  events: readonly MSKEvent[],
): Promise<IngestFigures> {
  const durations: number[] = [];
  let rows = 0;
  for (const event of events) {
    const began = performance.now();
    const outcome = await quietly(() => ingestBatch(deps, event));
    durations.push(performance.now() - began);
    if (outcome.poison.length > 0) throw new Error(`poison: ${JSON.stringify(outcome.poison[0])}`);
    rows += outcome.rows;
  }
  const seconds = durations.reduce((sum, ms) => sum + ms, 0) / 1000;
  return {
    rowsPerSec: Math.round(rows / seconds),
    batchP95Ms: Number(percentile(durations, 95).toFixed(1)),
  };
}

/** The ingestion paths on the month's store. */
interface IngestionFigures {
  readonly insert: IngestFigures;
  readonly redelivery: IngestFigures;
  readonly update: IngestFigures;
  readonly insertWithoutRollUps: IngestFigures;
}

/** The ingestion paths on the month's store: first delivery, redelivery, changed counts. */
async function ingestion(store: SqlClient): Promise<IngestionFigures> {
  const deps: IngestDependencies = {
    settings: INGEST_DEFAULTS,
    store,
    logger: new Logger({ serviceName: INGEST_SERVICE, logLevel: 'SILENT' }),
    metrics: createIngestMetrics(INGEST_DEFAULTS.namespace),
  };
  const after = new Date(START.getTime() + DAYS * DAY_MS);
  const batches = (first: Date, bump: number) =>
    Array.from({ length: INGEST_BATCHES }, (_, b) => summaryBatch(first, b, bump));
  await ingest(deps, batches(new Date(after.getTime() + DAY_MS), 0)); // warm-up
  const figures = {
    insert: await ingest(deps, batches(after, 0)),
    redelivery: await ingest(deps, batches(after, 0)),
    update: await ingest(deps, batches(after, 1)),
  };
  // The roll-ups' cost: the same first delivery, on other intervals, without their triggers.
  await store.exec('ALTER TABLE validation_counts DISABLE TRIGGER USER');
  const withoutRollUps = await ingest(deps, batches(new Date(after.getTime() + 2 * DAY_MS), 0));
  await store.exec('ALTER TABLE validation_counts ENABLE TRIGGER USER');
  for (const [name, { rowsPerSec, batchP95Ms }] of Object.entries({
    ...figures,
    'insert without roll-ups': withoutRollUps,
  })) {
    console.log(
      `ingest ${name.padEnd(24)} ${String(rowsPerSec).padStart(7)} rows/s  batch of ${String(SUMMARIES_PER_BATCH * CHANNELS * 3)} rows p95 ${batchP95Ms} ms`,
    );
  }
  return { ...figures, insertWithoutRollUps: withoutRollUps };
}

async function main(): Promise<void> {
  const began = performance.now();
  const server = await startPostgres();
  // One connection, as the function's pool through the RDS Proxy.
  const store = connectPostgres({ connectionString: server.connectionString, max: 1 });
  try {
    await applyMigrations(store, readMigrations());
    const generation = await generateMonth(store, (message) => {
      console.log(message);
    });
    const [{ rows: countRows = 0, samples = 0 } = {}] = await store.query(
      `SELECT (SELECT count(*) FROM validation_counts)::integer AS rows,
              (SELECT count(*) FROM violation_samples)::integer AS samples`,
    );
    console.log(
      `generated ${String(countRows)} validation_counts rows in ${generation.countsSeconds.toFixed(0)} s ` +
        `(${Math.round(Number(countRows) / generation.countsSeconds)} rows/s with the roll-ups), ` +
        `${String(samples)} samples in ${generation.samplesSeconds.toFixed(0)} s, ` +
        `VACUUM ANALYZE ${generation.vacuumSeconds.toFixed(0)} s`,
    );

    const perSiteMonth = await storage(store);
    console.log('storage per site and month, MiB:', perSiteMonth);

    const handler = createComplianceApiHandler({
      store,
      logger: new Logger({ serviceName: SERVICE_NAME, logLevel: 'SILENT' }),
      metrics: createApiMetrics(DEFAULTS.namespace),
      now: () => NOW,
    });
    const figures = await reads(handler);
    const ingest = await ingestion(store);

    const worstP95 = Math.max(...Object.values(figures).map((f) => f.p95Ms));
    const slowestIngest = Math.min(
      ingest.insert.rowsPerSec,
      ingest.redelivery.rowsPerSec,
      ingest.update.rowsPerSec,
    );
    console.log(
      JSON.stringify({
        bench: 'compliance-api',
        sites: SITES.length,
        channels: CHANNELS,
        days: DAYS,
        countRows,
        samples: SAMPLES,
        generateSeconds: Number((generation.countsSeconds + generation.samplesSeconds).toFixed(0)),
        runs: RUNS,
        reads: Object.fromEntries(
          Object.entries(figures).map(([name, { p50Ms, p95Ms }]) => [name, { p50Ms, p95Ms }]),
        ),
        worstReadP95Ms: worstP95,
        readTargetMs: READ_TARGET_MS,
        storageMiBPerSiteMonth: perSiteMonth,
        ingestRowsPerSec: {
          insert: ingest.insert.rowsPerSec,
          redelivery: ingest.redelivery.rowsPerSec,
          update: ingest.update.rowsPerSec,
          insertWithoutRollUps: ingest.insertWithoutRollUps.rowsPerSec,
        },
        ingestTargetRowsPerSec: INGEST_TARGET_ROWS_PER_SEC,
        meetsTargets: worstP95 <= READ_TARGET_MS && slowestIngest >= INGEST_TARGET_ROWS_PER_SEC,
        seconds: Math.round((performance.now() - began) / 1000),
      }),
    );
  } finally {
    await store.close();
    await server.stop();
  }
}

void main();
