import { Logger } from '@aws-lambda-powertools/logger';
import { freePort, startPostgres, type PostgresServer } from '@uns-mlops/test-services';
import {
  applyMigrations,
  connectPostgres,
  readMigrations,
  type SqlClient,
} from '@uns-mlops/validation-store';
import type { MSKEvent } from 'aws-lambda';
import { DEFAULTS, SERVICE_NAME } from '../src/config';
import { createIngestHandler, createIngestMetrics, type KafkaBatchResponse } from '../src/handler';
import {
  bridgedRecord,
  mskEvent,
  publishedSummaries,
  quarantineRecord,
  summaryRecords,
  summaryTopic,
} from './events';

/** One EMF document as Powertools Metrics prints it. */
interface EmfDocument {
  _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  [key: string]: unknown;
}

/** What one invocation answered, printed as EMF and logged. */
interface Invocation {
  response: KafkaBatchResponse;
  /** Metric name → value, over the documents without a Reason. */
  counts: Record<string, unknown>;
  /** `PoisonRecords` by `Reason`. */
  poisonByReason: Record<string, unknown>;
  warnings: unknown[][];
}

/** One row of `validation_counts`, compactly. */
type Row = [
  site: string,
  bucketStart: string,
  bucketSeconds: number,
  channel: string,
  contractVersion: string,
  errorKind: string,
  valid: number,
  invalid: number,
];

const ZWICKAU = 'zwickau';
const MLADA = 'mlada-boleslav';
const T0 = '2025-11-25T08:15:00.000Z';
const T1 = '2025-11-25T08:15:30.000Z';
const T2 = '2025-11-25T08:16:00.000Z';

/** Zwickau's first interval: two channels, invalid messages of two kinds. */
const firstInterval = () =>
  publishedSummaries(T0, T1, [
    {
      site: ZWICKAU,
      channel: 'telemetry',
      valid: 950,
      invalid: { 'schema-violation': 25, encoding: 5 },
    },
    { site: ZWICKAU, channel: 'state', valid: 20 },
  ]);
const firstIntervalRows: Row[] = [
  [ZWICKAU, T0, 30, 'state', '1.1.0', '', 20, 0],
  [ZWICKAU, T0, 30, 'telemetry', '1.1.0', '', 950, 0],
  [ZWICKAU, T0, 30, 'telemetry', '1.1.0', 'encoding', 0, 5],
  [ZWICKAU, T0, 30, 'telemetry', '1.1.0', 'schema-violation', 0, 25],
];
/** Zwickau's next interval. */
const secondInterval = () =>
  publishedSummaries(T1, T2, [
    { site: ZWICKAU, channel: 'telemetry', valid: 900, invalid: { 'schema-violation': 10 } },
  ]);
const secondIntervalRows: Row[] = [
  [ZWICKAU, T1, 30, 'telemetry', '1.1.0', '', 900, 0],
  [ZWICKAU, T1, 30, 'telemetry', '1.1.0', 'schema-violation', 0, 10],
];

describe('validation-ingest handler on PostgreSQL', () => {
  let server: PostgresServer;
  let store: SqlClient;

  beforeAll(async () => {
    server = await startPostgres();
    store = connectPostgres(server.connectionString);
    await applyMigrations(store, readMigrations());
  });
  beforeEach(async () => {
    await store.exec('TRUNCATE validation_counts');
  });
  afterAll(async () => {
    await store.close();
    await server.stop();
  });

  /**
   * Runs the handler on the event as the Lambda runtime would, capturing standard output, where
   * Powertools Metrics prints its EMF documents, and standard error (nothing may appear there).
   */
  async function invoke(event: MSKEvent, target: SqlClient = store): Promise<Invocation> {
    const logger = new Logger({ serviceName: SERVICE_NAME, logLevel: 'SILENT' });
    const warn = jest.spyOn(logger, 'warn');
    const metrics = createIngestMetrics(DEFAULTS.namespace);
    const printed = { stdout: [] as string[], stderr: [] as string[] };
    const captures = (['stdout', 'stderr'] as const).map((stream) =>
      jest.spyOn(process[stream], 'write').mockImplementation((chunk) => {
        printed[stream].push(String(chunk));
        return true;
      }),
    );
    let response: KafkaBatchResponse;
    try {
      response = await createIngestHandler({ settings: DEFAULTS, store: target, logger, metrics })(
        event,
      );
    } finally {
      for (const capture of captures) capture.mockRestore();
    }
    expect(printed.stderr).toEqual([]);
    const emf = printed.stdout
      .join('')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as EmfDocument);
    const counts: Record<string, unknown> = {};
    const poisonByReason: Record<string, unknown> = {};
    for (const document of emf) {
      if (typeof document.Reason === 'string') {
        poisonByReason[document.Reason] = document.PoisonRecords;
        continue;
      }
      for (const { Name } of document._aws.CloudWatchMetrics.flatMap((entry) => entry.Metrics)) {
        counts[Name] = document[Name];
      }
    }
    return { response, counts, poisonByReason, warnings: warn.mock.calls };
  }

  async function storedRows(): Promise<Row[]> {
    const rows = await store.query(
      `SELECT site, to_char(bucket_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS start,
              bucket_seconds, area, line, channel, contract_version, error_kind,
              valid_count::integer AS valid, invalid_count::integer AS invalid
         FROM validation_counts
        ORDER BY site, bucket_start, channel, contract_version, error_kind`,
    );
    for (const row of rows) expect([row.area, row.line]).toEqual(['', '']);
    return rows.map((row) => [
      row.site as string,
      row.start as string,
      row.bucket_seconds as number,
      row.channel as string,
      row.contract_version as string,
      row.error_kind as string,
      row.valid as number,
      row.invalid as number,
    ]);
  }

  it('writes one row per channel and error kind of each summary, in the bucket of its interval', async () => {
    const { response, counts } = await invoke(mskEvent(summaryRecords(firstInterval())));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(await storedRows()).toEqual(firstIntervalRows);
    expect(counts).toEqual({
      SummariesIngested: 1,
      RowsUpserted: 4,
      RowsChanged: 4,
      QuarantineCopiesSkipped: 0,
    });
  });

  it('keeps one summary per site and contract version apart when the validator judged by two contracts', async () => {
    const summaries = publishedSummaries(T0, T1, [
      { site: ZWICKAU, channel: 'telemetry', valid: 100, contractVersion: '1.1.0' },
      { site: ZWICKAU, channel: 'telemetry', valid: 7, contractVersion: '1.0.0' },
    ]);
    expect(summaries).toHaveLength(2);

    await invoke(mskEvent(summaryRecords(summaries)));

    expect(await storedRows()).toEqual([
      [ZWICKAU, T0, 30, 'telemetry', '1.0.0', '', 7, 0],
      [ZWICKAU, T0, 30, 'telemetry', '1.1.0', '', 100, 0],
    ]);
  });

  it('leaves the same counts when the same batch is delivered twice', async () => {
    const event = mskEvent(summaryRecords([...firstInterval(), ...secondInterval()]));

    await invoke(event);
    const again = await invoke(event);

    expect(await storedRows()).toEqual([...firstIntervalRows, ...secondIntervalRows]);
    expect(again.counts).toMatchObject({ SummariesIngested: 2, RowsUpserted: 6, RowsChanged: 0 });
  });

  it('leaves the same counts when a batch is redelivered after a later batch', async () => {
    const first = mskEvent(summaryRecords(firstInterval()));
    const second = mskEvent(summaryRecords(secondInterval()));

    await invoke(first);
    await invoke(second);
    await invoke(first);

    expect(await storedRows()).toEqual([...firstIntervalRows, ...secondIntervalRows]);
  });

  it('leaves the same counts when batches arrive out of order', async () => {
    await invoke(mskEvent(summaryRecords(secondInterval())));
    await invoke(mskEvent(summaryRecords(firstInterval())));

    expect(await storedRows()).toEqual([...firstIntervalRows, ...secondIntervalRows]);
  });

  it('counts a summary delivered twice within one batch once', async () => {
    const [summary] = firstInterval();
    // The bridge forwarded it again after a reconnect: the broker redelivered it.
    const records = summaryRecords([summary!, ...secondInterval(), summary!]);

    const { response, counts } = await invoke(mskEvent(records));

    expect(response.batchItemFailures).toEqual([]);
    expect(await storedRows()).toEqual([...firstIntervalRows, ...secondIntervalRows]);
    expect(counts).toMatchObject({ SummariesIngested: 3, RowsUpserted: 6, RowsChanged: 6 });
  });

  it('keeps the counts of two sites apart, the same channels in the same interval', async () => {
    const summaries = publishedSummaries(T0, T1, [
      { site: ZWICKAU, channel: 'telemetry', valid: 950, invalid: { 'schema-violation': 30 } },
      { site: MLADA, channel: 'telemetry', valid: 500, invalid: { 'schema-violation': 2 } },
    ]);
    // Each site's records are keyed by enterprise/site, so they may come on different partitions.
    const records = summaries.map(({ topic, payload }, index) =>
      bridgedRecord(topic, payload, { partition: index }),
    );

    await invoke(mskEvent(records));

    expect(await storedRows()).toEqual([
      [MLADA, T0, 30, 'telemetry', '1.1.0', '', 500, 0],
      [MLADA, T0, 30, 'telemetry', '1.1.0', 'schema-violation', 0, 2],
      [ZWICKAU, T0, 30, 'telemetry', '1.1.0', '', 950, 0],
      [ZWICKAU, T0, 30, 'telemetry', '1.1.0', 'schema-violation', 0, 30],
    ]);
  });

  it('skips the quarantine copies on the same topic and counts them', async () => {
    const records = [quarantineRecord(ZWICKAU), ...summaryRecords(firstInterval())];

    const { response, counts } = await invoke(mskEvent(records));

    expect(response.batchItemFailures).toEqual([]);
    expect(await storedRows()).toEqual(firstIntervalRows);
    expect(counts).toMatchObject({ SummariesIngested: 1, QuarantineCopiesSkipped: 1 });
  });

  it('writes the good records of a batch with poison, and names each poison record for the dead letter', async () => {
    const [good] = firstInterval();
    const valid = JSON.parse(good!.payload) as Record<string, unknown>;
    const topic = summaryTopic(ZWICKAU);
    const poison = [
      bridgedRecord(topic, 'intervalStart=2025-11-25', { offset: 70 }),
      bridgedRecord(topic, JSON.stringify({ ...valid, channels: 'telemetry' }), { offset: 71 }),
      bridgedRecord(
        topic,
        JSON.stringify({
          ...valid,
          channels: [{ channel: 'x', valid: -1, invalid: 0, byErrorKind: {} }],
        }),
        { offset: 72 },
      ),
      bridgedRecord(topic, JSON.stringify({ ...valid, intervalEnd: '2025-11-25T08:14:00.000Z' }), {
        offset: 73,
      }),
      bridgedRecord('acme/zwickau/body-shop/_validation', good!.payload, { offset: 74 }),
      bridgedRecord(undefined, good!.payload, { offset: 75 }),
    ];
    const later = secondInterval()[0]!;
    const records = [
      poison[0]!,
      bridgedRecord(good!.topic, good!.payload, { offset: 80 }),
      ...poison.slice(1),
      bridgedRecord(later.topic, later.payload, { offset: 81 }),
    ];

    const { response, counts, poisonByReason, warnings } = await invoke(mskEvent(records));

    expect(await storedRows()).toEqual([...firstIntervalRows, ...secondIntervalRows]);
    expect(response.batchItemFailures).toEqual(
      [70, 71, 72, 73, 74, 75].map((offset) => ({
        itemIdentifier: { partition: 'uns.validation-0', offset },
      })),
    );
    expect(counts).toMatchObject({ SummariesIngested: 2 });
    expect(poisonByReason).toEqual({
      'not-json': 1,
      'not-a-summary': 2,
      'absurd-values': 1,
      'unknown-topic': 2,
    });
    // Logged by topic, partition and offset, never with the payload.
    const logged = JSON.stringify(warnings);
    expect(logged).toContain('"offset":73');
    expect(logged).toContain('"partition":0');
    expect(logged).not.toContain('intervalStart=');
    expect(logged).not.toContain('"channels"');
  });

  it('fails the invocation when the store is unreachable, and the retried batch then counts once', async () => {
    const unreachable = connectPostgres(
      `postgres://postgres@127.0.0.1:${await freePort()}/postgres`,
    );
    const event = mskEvent(summaryRecords([...firstInterval(), ...secondInterval()]));

    try {
      await expect(invoke(event, unreachable)).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      await unreachable.close();
    }
    expect(await storedRows()).toEqual([]);

    await invoke(event);
    expect(await storedRows()).toEqual([...firstIntervalRows, ...secondIntervalRows]);
  });

  it('commits nothing of a batch whose write fails part way, so that its retry counts once', async () => {
    // A fault on the rows of one site only: the other site's rows come first in the statement
    // (key order) and are written, then the statement fails.
    await store.exec(`
      CREATE FUNCTION refuse_zwickau() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.site = '${ZWICKAU}' THEN RAISE EXCEPTION 'disk full'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_zwickau BEFORE INSERT ON validation_counts
        FOR EACH ROW EXECUTE FUNCTION refuse_zwickau();`);
    const event = mskEvent(
      summaryRecords([
        ...firstInterval(),
        ...publishedSummaries(T0, T1, [{ site: MLADA, channel: 'telemetry', valid: 500 }]),
      ]),
    );

    try {
      await expect(invoke(event)).rejects.toThrow('disk full');
      expect(await storedRows()).toEqual([]);
    } finally {
      await store.exec(
        'DROP TRIGGER refuse_zwickau ON validation_counts; DROP FUNCTION refuse_zwickau',
      );
    }

    await invoke(event);
    expect(await storedRows()).toEqual([
      [MLADA, T0, 30, 'telemetry', '1.1.0', '', 500, 0],
      ...firstIntervalRows,
    ]);
  });
});
