/**
 * Ingestion throughput of the consumer on a real PostgreSQL: batches of the size the event source
 * mapping delivers by default (100 records), each record a site's summary of 20 channels with two
 * error kinds (60 rows), run through the whole handler (decode, check, map, one upsert
 * transaction, metrics). Measured three ways: first delivery (inserts), redelivery of the same
 * batches (nothing changes), and summaries whose counts changed (updates).
 *
 *   npm run bench:ingest -w @uns-mlops/validation-ingest
 *
 * Ends with one JSON line `{"bench":"validation-ingest",...}`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { mskEvent, mskRecord } from '@uns-mlops/msk-records';
import { startPostgres } from '@uns-mlops/test-services';
import { applyMigrations, connectPostgres, readMigrations } from '@uns-mlops/validation-store';
import type { MSKEvent } from 'aws-lambda';
import { DEFAULTS, SERVICE_NAME } from '../src/config';
import { createIngestMetrics, ingestBatch, type IngestDependencies } from '../src/handler';

const SITES = 10;
const CHANNELS = 20;
const RECORDS_PER_BATCH = 100;
const BATCHES = 40;
const INTERVAL_MS = 30_000;
const START = Date.parse('2025-11-25T00:00:00.000Z');

/** Batch `b`: 100 summaries, 10 intervals of the 10 sites (`bump` shifts every count). */
function batch(b: number, bump = 0): MSKEvent {
  const records = [];
  for (let r = 0; r < RECORDS_PER_BATCH; r += 1) {
    const site = `site-${String(r % SITES).padStart(2, '0')}`;
    const interval = b * (RECORDS_PER_BATCH / SITES) + Math.floor(r / SITES);
    const start = START + interval * INTERVAL_MS;
    const payload = JSON.stringify({
      intervalStart: new Date(start).toISOString(),
      intervalEnd: new Date(start + INTERVAL_MS).toISOString(),
      contractVersion: '1.1.0',
      channels: Array.from({ length: CHANNELS }, (_, c) => ({
        channel: `channel-${c}`,
        valid: 900 + c + bump,
        invalid: 7,
        byErrorKind: { 'schema-violation': 5, encoding: 2 },
      })),
    });
    records.push(
      mskRecord({
        topic: 'uns.validation',
        key: `acme/${site}`,
        value: payload,
        headers: { 'uns-topic': `acme/${site}/_validation` },
        partition: r % 4,
        offset: b * RECORDS_PER_BATCH + r,
        timestamp: start + INTERVAL_MS,
      }),
    );
  }
  return mskEvent(records);
}

interface PathFigures {
  rowsPerSec: number;
  summariesPerSec: number;
  p50Ms: number;
  p95Ms: number;
  rowsChanged: number;
}

async function run(deps: IngestDependencies, events: readonly MSKEvent[]): Promise<PathFigures> {
  const durations: number[] = [];
  let rows = 0;
  let summaries = 0;
  let rowsChanged = 0;
  // Powertools Metrics prints one EMF line per batch on standard output: not part of the report.
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = () => true;
  try {
    for (const event of events) {
      const began = performance.now();
      const outcome = await ingestBatch(deps, event);
      durations.push(performance.now() - began);
      rows += outcome.rows;
      summaries += outcome.summaries;
      rowsChanged += outcome.rowsChanged;
    }
  } finally {
    process.stdout.write = write;
  }
  const seconds = durations.reduce((sum, ms) => sum + ms, 0) / 1000;
  const sorted = [...durations].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  return {
    rowsPerSec: Math.round(rows / seconds),
    summariesPerSec: Math.round(summaries / seconds),
    p50Ms: Number(at(50).toFixed(1)),
    p95Ms: Number(at(95).toFixed(1)),
    rowsChanged,
  };
}

async function main(): Promise<void> {
  const server = await startPostgres();
  const store = connectPostgres(server.connectionString);
  try {
    await applyMigrations(store, readMigrations());
    const deps: IngestDependencies = {
      settings: DEFAULTS,
      store,
      logger: new Logger({ serviceName: SERVICE_NAME, logLevel: 'SILENT' }),
      metrics: createIngestMetrics(DEFAULTS.namespace),
    };
    const events = Array.from({ length: BATCHES }, (_, b) => batch(b));
    await run(deps, [batch(BATCHES + 1)]); // warm-up: connection, JIT
    const insert = await run(deps, events);
    const redeliver = await run(deps, events);
    const update = await run(
      deps,
      Array.from({ length: BATCHES }, (_, b) => batch(b, 1)),
    );
    const rowsPerBatch = RECORDS_PER_BATCH * CHANNELS * 3;
    for (const [name, figures] of Object.entries({ insert, redeliver, update })) {
      console.log(
        `${name}: ${figures.rowsPerSec} rows/s (${figures.summariesPerSec} summaries/s), batch of ${rowsPerBatch} rows p50 ${figures.p50Ms} ms, p95 ${figures.p95Ms} ms, rows changed ${figures.rowsChanged}`,
      );
    }
    const [{ rows = 0 } = {}] = await store.query(
      'SELECT count(*)::integer AS rows FROM validation_counts',
    );
    console.log(
      JSON.stringify({
        bench: 'validation-ingest',
        batches: BATCHES,
        recordsPerBatch: RECORDS_PER_BATCH,
        rowsPerBatch,
        insertRowsPerSec: insert.rowsPerSec,
        redeliverRowsPerSec: redeliver.rowsPerSec,
        updateRowsPerSec: update.rowsPerSec,
        insertP95Ms: insert.p95Ms,
        redeliverP95Ms: redeliver.p95Ms,
        updateP95Ms: update.p95Ms,
        redeliverRowsChanged: redeliver.rowsChanged,
        tableRows: rows,
        target: 5000,
        meetsTarget: Math.min(insert.rowsPerSec, redeliver.rowsPerSec, update.rowsPerSec) >= 5000,
      }),
    );
  } finally {
    await store.close();
    await server.stop();
  }
}

void main();
