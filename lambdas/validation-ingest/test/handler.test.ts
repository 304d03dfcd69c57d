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
  contractsTopic,
  mskEvent,
  publishedContracts,
  publishedSamples,
  publishedSummaries,
  quarantineRecord,
  recordsOf,
  summaryTopic,
  violationTopic,
  type PublishedMessage,
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
    await store.exec(
      'TRUNCATE validation_counts, violation_samples, contracts, contracts_in_force',
    );
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
    const { response, counts } = await invoke(mskEvent(recordsOf(firstInterval())));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(await storedRows()).toEqual(firstIntervalRows);
    expect(counts).toEqual({
      SummariesIngested: 1,
      RowsUpserted: 4,
      RowsChanged: 4,
      ViolationSamplesIngested: 0,
      ViolationSamplesInserted: 0,
      ContractsMessagesIngested: 0,
      ContractsInForceChanged: 0,
      QuarantineCopiesSkipped: 0,
    });
  });

  it('keeps one summary per site and contract version apart when the validator judged by two contracts', async () => {
    const summaries = publishedSummaries(T0, T1, [
      { site: ZWICKAU, channel: 'telemetry', valid: 100, contractVersion: '1.1.0' },
      { site: ZWICKAU, channel: 'telemetry', valid: 7, contractVersion: '1.0.0' },
    ]);
    expect(summaries).toHaveLength(2);

    await invoke(mskEvent(recordsOf(summaries)));

    expect(await storedRows()).toEqual([
      [ZWICKAU, T0, 30, 'telemetry', '1.0.0', '', 7, 0],
      [ZWICKAU, T0, 30, 'telemetry', '1.1.0', '', 100, 0],
    ]);
  });

  it('leaves the same counts when the same batch is delivered twice', async () => {
    const event = mskEvent(recordsOf([...firstInterval(), ...secondInterval()]));

    await invoke(event);
    const again = await invoke(event);

    expect(await storedRows()).toEqual([...firstIntervalRows, ...secondIntervalRows]);
    expect(again.counts).toMatchObject({ SummariesIngested: 2, RowsUpserted: 6, RowsChanged: 0 });
  });

  it('leaves the same counts when a batch is redelivered after a later batch', async () => {
    const first = mskEvent(recordsOf(firstInterval()));
    const second = mskEvent(recordsOf(secondInterval()));

    await invoke(first);
    await invoke(second);
    await invoke(first);

    expect(await storedRows()).toEqual([...firstIntervalRows, ...secondIntervalRows]);
  });

  it('leaves the same counts when batches arrive out of order', async () => {
    await invoke(mskEvent(recordsOf(secondInterval())));
    await invoke(mskEvent(recordsOf(firstInterval())));

    expect(await storedRows()).toEqual([...firstIntervalRows, ...secondIntervalRows]);
  });

  it('counts a summary delivered twice within one batch once', async () => {
    const [summary] = firstInterval();
    // The bridge forwarded it again after a reconnect: the broker redelivered it.
    const records = recordsOf([summary!, ...secondInterval(), summary!]);

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
    const records = [quarantineRecord(ZWICKAU), ...recordsOf(firstInterval())];

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
    const event = mskEvent(recordsOf([...firstInterval(), ...secondInterval()]));

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
      recordsOf([
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

  /** The stored violation samples, oldest first: site, sample id and what the sample says. */
  async function storedSamples(): Promise<Record<string, unknown>[]> {
    return store.query(
      `SELECT site, sample_id::text AS "sampleId",
              to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "receivedAt",
              topic, channel, contract_version AS "contractVersion", error_kind AS "errorKind",
              error_count AS "errorCount", schema_path AS "schemaPath",
              payload_path AS "payloadPath", message, assertion, payload_size AS "payloadSize",
              payload_encoding AS "payloadEncoding", payload_excerpt AS "payloadExcerpt"
         FROM violation_samples ORDER BY received_at, sample_id`,
    ) as Promise<Record<string, unknown>[]>;
  }

  /** The contracts in force per site, and the contracts history, compactly. */
  async function storedContracts(): Promise<{
    inForce: [site: string, publishedAt: string, report: unknown][];
    history: [site: string, version: string, first: string, last: string, defaultMode?: string][];
  }> {
    const time = (column: string) =>
      `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
    const inForce = await store.query(
      `SELECT site, ${time('published_at')} AS at, report FROM contracts_in_force ORDER BY site`,
    );
    const history = await store.query(
      `SELECT site, title, version, source, channels, ${time('first_loaded_at')} AS first,
              ${time('last_loaded_at')} AS last
         FROM contracts ORDER BY site, title, version`,
    );
    for (const row of history) {
      expect(row.title).toBe('UNS welding plant');
      expect(row.channels).toContain('validationContracts');
    }
    return {
      inForce: inForce.map((row) => [row.site as string, row.at as string, row.report]),
      history: history.map((row) => [
        row.site as string,
        row.version as string,
        row.first as string,
        row.last as string,
      ]),
    };
  }

  /** What the validator published, as the store should hold it: `{enforcement, inForce}`. */
  const reportOf = (message: PublishedMessage) => {
    const { enforcement, inForce } = JSON.parse(message.payload) as Record<string, unknown>;
    return { enforcement, inForce };
  };

  describe('violation samples', () => {
    it('stores each sample of each site with its id, in the site of its topic', async () => {
      const samples = publishedSamples(T1, [
        { site: ZWICKAU },
        { site: ZWICKAU, kind: 'encoding', payload: '\uFEFF{}' },
        { site: MLADA },
      ]);

      const { response, counts } = await invoke(mskEvent(recordsOf(samples)));

      expect(response.batchItemFailures).toEqual([]);
      const stored = await storedSamples();
      expect(stored).toEqual(
        expect.arrayContaining(
          samples.map(({ payload }) => JSON.parse(payload) as Record<string, unknown>),
        ),
      );
      expect(stored).toHaveLength(3);
      expect(stored.map((sample) => sample.site).sort()).toEqual([MLADA, ZWICKAU, ZWICKAU]);
      expect(counts).toMatchObject({
        SummariesIngested: 0,
        ViolationSamplesIngested: 3,
        ViolationSamplesInserted: 3,
      });
    });

    it('stores a sample delivered twice in one batch, or again in a later batch, once', async () => {
      const samples = publishedSamples(T1, [{ site: ZWICKAU }, { site: ZWICKAU }]);
      const later = publishedSamples(T2, [{ site: ZWICKAU }]);
      const event = mskEvent(recordsOf([samples[0]!, ...samples, samples[1]!]));

      const first = await invoke(event);
      await invoke(mskEvent(recordsOf(later)));
      const again = await invoke(event);

      expect((await storedSamples()).map((sample) => sample.sampleId).sort()).toEqual(
        [...samples, ...later].map(({ payload }) => JSON.parse(payload).sampleId).sort(),
      );
      expect(first.counts).toMatchObject({
        ViolationSamplesIngested: 4,
        ViolationSamplesInserted: 2,
      });
      expect(again.counts).toMatchObject({
        ViolationSamplesIngested: 4,
        ViolationSamplesInserted: 0,
      });
    });
  });

  describe('contracts in force', () => {
    it('keeps what each site’s validator published last, and the history of its contracts', async () => {
      const zwickau = await publishedContracts(ZWICKAU, T0);
      const mlada = await publishedContracts(MLADA, T1, { defaultMode: 'quarantine' });

      const { response, counts } = await invoke(mskEvent(recordsOf([zwickau, mlada])));

      expect(response.batchItemFailures).toEqual([]);
      expect(await storedContracts()).toEqual({
        inForce: [
          [MLADA, T1, reportOf(mlada)],
          [ZWICKAU, T0, reportOf(zwickau)],
        ],
        history: [
          [MLADA, '1.3.0', T1, T1],
          [ZWICKAU, '1.3.0', T0, T0],
        ],
      });
      expect(counts).toMatchObject({ ContractsMessagesIngested: 2, ContractsInForceChanged: 2 });
    });

    it('never lets an older message win: delivered again, late, or in one batch with a newer one', async () => {
      const loaded = await publishedContracts(ZWICKAU, T0);
      const reloaded = await publishedContracts(ZWICKAU, T1, { version: '1.4.0' });
      const reloadedAgain = await publishedContracts(ZWICKAU, T2, { version: '1.4.0' });
      const expected = {
        inForce: [[ZWICKAU, T2, reportOf(reloadedAgain)]],
        history: [
          [ZWICKAU, '1.3.0', T0, T0],
          [ZWICKAU, '1.4.0', T1, T2],
        ],
      };

      await invoke(mskEvent(recordsOf([reloadedAgain])));
      const late = await invoke(mskEvent(recordsOf([reloaded, loaded])));
      expect(await storedContracts()).toEqual(expected);
      expect(late.counts).toMatchObject({ ContractsInForceChanged: 0 });

      await store.exec('TRUNCATE contracts, contracts_in_force');
      await invoke(mskEvent(recordsOf([loaded, reloadedAgain, reloaded])));
      // The bridge subscribing anew gets the retained message once more.
      const redelivered = await invoke(mskEvent(recordsOf([reloadedAgain])));
      expect(await storedContracts()).toEqual(expected);
      expect(redelivered.counts).toMatchObject({ ContractsInForceChanged: 0 });
    });
  });

  it('writes the summaries, samples and contracts of a batch all together, or none of them', async () => {
    const records = recordsOf([
      ...firstInterval(),
      ...publishedSamples(T1, [{ site: ZWICKAU }]),
      await publishedContracts(ZWICKAU, T0),
    ]);
    await store.exec(`
      CREATE FUNCTION refuse_samples() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'disk full'; END $$;
      CREATE TRIGGER refuse_samples BEFORE INSERT ON violation_samples
        FOR EACH ROW EXECUTE FUNCTION refuse_samples();`);
    try {
      await expect(invoke(mskEvent(records))).rejects.toThrow('disk full');
      expect(await storedRows()).toEqual([]);
      expect(await storedContracts()).toEqual({ inForce: [], history: [] });
    } finally {
      await store.exec(
        'DROP TRIGGER refuse_samples ON violation_samples; DROP FUNCTION refuse_samples',
      );
    }

    await invoke(mskEvent(records));
    expect(await storedRows()).toEqual(firstIntervalRows);
    expect(await storedSamples()).toHaveLength(1);
    expect((await storedContracts()).inForce).toHaveLength(1);
  });

  it('names poison samples and contracts for the dead letter by reason, and writes the rest', async () => {
    const [sample] = publishedSamples(T1, [{ site: ZWICKAU }]);
    const contracts = await publishedContracts(ZWICKAU, T0);
    const validSample = JSON.parse(sample!.payload) as Record<string, unknown>;
    const validContracts = JSON.parse(contracts.payload) as Record<string, unknown>;
    const poison = [
      bridgedRecord(violationTopic(ZWICKAU), JSON.stringify({ ...validSample, errorCount: 0 }), {
        offset: 90,
      }),
      bridgedRecord(violationTopic(ZWICKAU), JSON.stringify({ ...validSample, sampleId: 'x' }), {
        offset: 91,
      }),
      // Published under another site's topic than the one it names.
      bridgedRecord(violationTopic(MLADA), sample!.payload, { offset: 92 }),
      bridgedRecord(
        violationTopic(ZWICKAU),
        JSON.stringify({ ...validSample, message: 'a\u0000b' }),
        { offset: 93 },
      ),
      bridgedRecord(
        contractsTopic(ZWICKAU),
        JSON.stringify({ ...validContracts, publishedAt: 'yesterday' }),
        { offset: 94 },
      ),
      bridgedRecord(contractsTopic(ZWICKAU), '[]', { offset: 95 }),
      bridgedRecord(`${violationTopic(ZWICKAU)}/extra`, sample!.payload, { offset: 96 }),
    ];
    const records = [
      ...poison.slice(0, 3),
      bridgedRecord(sample!.topic, sample!.payload, { offset: 97 }),
      ...poison.slice(3),
      bridgedRecord(contracts.topic, contracts.payload, { offset: 98 }),
    ];

    const { response, counts, poisonByReason, warnings } = await invoke(mskEvent(records));

    expect(response.batchItemFailures).toEqual(
      [90, 91, 92, 93, 94, 95, 96].map((offset) => ({
        itemIdentifier: { partition: 'uns.validation-0', offset },
      })),
    );
    expect(poisonByReason).toEqual({
      'not-a-violation-sample': 2,
      'absurd-values': 2,
      'not-contracts-in-force': 1,
      'not-json': 1,
      'unknown-topic': 1,
    });
    expect(await storedSamples()).toEqual([validSample]);
    expect((await storedContracts()).inForce).toEqual([[ZWICKAU, T0, reportOf(contracts)]]);
    expect(counts).toMatchObject({ ViolationSamplesInserted: 1, ContractsInForceChanged: 1 });
    expect(JSON.stringify(warnings)).not.toContain('payloadExcerpt');
  });
});
