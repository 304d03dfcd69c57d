import { Logger } from '@aws-lambda-powertools/logger';
import { contractExample } from '@uns-mlops/test-services';
import type { MSKEvent } from 'aws-lambda';
import { configFromEnvironment, DEFAULT_CONFIG, type KpiConfig, SERVICE_NAME } from '../src/config';
import { createHandler, createKpiMetrics, type KpiResult } from '../src/handler';
import {
  anomalyEvent,
  modelDrift,
  anomalyScore,
  bridgedRecord,
  heartbeat,
  heartbeatRecord,
  loadedStatus,
  mskEvent,
  refusedStatus,
  siteTopics,
  validationSummary,
} from './events';

/** One EMF document as Powertools Metrics prints it. */
interface EmfDocument {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

/** What one invocation returned, printed as EMF and logged as warnings. */
interface Invocation {
  result: KpiResult;
  emf: EmfDocument[];
  warnings: unknown[][];
}

/**
 * Runs the handler on the event as the Lambda runtime would, capturing standard output, where
 * Powertools Metrics prints its EMF documents, and standard error, where it prints warnings
 * about its misuse (none may appear).
 */
async function invoke(event: MSKEvent, config: KpiConfig = DEFAULT_CONFIG): Promise<Invocation> {
  const logger = new Logger({ serviceName: SERVICE_NAME, logLevel: 'SILENT' });
  const warn = jest.spyOn(logger, 'warn');
  const metrics = createKpiMetrics(config);
  const printed = { stdout: [] as string[], stderr: [] as string[] };
  const captures = (['stdout', 'stderr'] as const).map((stream) =>
    jest.spyOn(process[stream], 'write').mockImplementation((chunk) => {
      printed[stream].push(String(chunk));
      return true;
    }),
  );
  let result: KpiResult;
  try {
    result = await createHandler({ config, logger, metrics })(event);
  } finally {
    for (const capture of captures) capture.mockRestore();
  }
  expect(printed.stderr).toEqual([]);
  const lines = printed.stdout
    .join('')
    .split('\n')
    .filter((line) => line !== '');
  const emf = lines.map((line) => JSON.parse(line) as EmfDocument);
  expect(emf.every((document) => '_aws' in document)).toBe(true);
  return { result, emf, warnings: warn.mock.calls };
}

/** The metric values of each site's EMF document: site → metric name → value. */
function kpisBySite(emf: EmfDocument[]): Record<string, Record<string, unknown>> {
  const sites: Record<string, Record<string, unknown>> = {};
  for (const document of emf) {
    if (typeof document.Site !== 'string') continue;
    expect(sites).not.toHaveProperty(document.Site);
    const names = document._aws.CloudWatchMetrics.flatMap((entry) => entry.Metrics);
    sites[document.Site] = Object.fromEntries(names.map(({ Name }) => [Name, document[Name]]));
  }
  return sites;
}

/** `RecordsRejected` by `Reason`. */
function rejectedByReason(emf: EmfDocument[]): Record<string, unknown> {
  return Object.fromEntries(
    emf
      .filter((document) => typeof document.Reason === 'string')
      .map((document) => [document.Reason, document.RecordsRejected]),
  );
}

const zwickau = siteTopics('zwickau');
const mlada = siteTopics('mlada-boleslav');

describe('edge KPI metrics handler', () => {
  it('reports the valid share and the messages checked of each site, over every summary of the site in the batch', async () => {
    const { result, emf } = await invoke(
      mskEvent([
        bridgedRecord(
          'uns.validation',
          zwickau.validation,
          validationSummary([
            { channel: 'telemetry', valid: 950, invalid: 30 },
            { channel: 'state', valid: 20, invalid: 0 },
          ]),
        ),
        bridgedRecord(
          'uns.validation',
          mlada.validation,
          validationSummary([{ channel: 'telemetry', valid: 500, invalid: 0 }]),
          { partition: 1 },
        ),
        // The validator publishes one summary per site and contract version.
        bridgedRecord(
          'uns.validation',
          zwickau.validation,
          validationSummary([{ channel: 'telemetry', valid: 180, invalid: 20 }], '1.0.0'),
        ),
      ]),
    );

    expect(result).toEqual({ records: 3, rejected: 0, sites: ['zwickau', 'mlada-boleslav'] });
    const kpis = kpisBySite(emf);
    expect(kpis).toEqual({
      zwickau: { MessagesChecked: 1200, MessagesValid: 1150, ValidShare: expect.any(Number) },
      'mlada-boleslav': { MessagesChecked: 500, MessagesValid: 500, ValidShare: 100 },
    });
    expect(kpis.zwickau!.ValidShare).toBeCloseTo((100 * 1150) / 1200, 10);
  });

  it('writes one EMF document per site in the configured namespace, with the one dimension Site', async () => {
    const config = configFromEnvironment({ METRICS_NAMESPACE: 'UnsMlops/Edge-test' });
    const { emf } = await invoke(
      mskEvent([
        bridgedRecord('uns.ml', zwickau.score, anomalyScore(false)),
        heartbeatRecord(heartbeat({ site: 'zwickau' })),
      ]),
      config,
    );

    expect(emf).toHaveLength(1);
    const [document] = emf;
    expect(document).toMatchObject({ Site: 'zwickau' });
    expect(document).not.toHaveProperty('service');
    expect(document!._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'UnsMlops/Edge-test',
        Dimensions: [['Site']],
        Metrics: [
          { Name: 'InferenceErrors', Unit: 'Count' },
          { Name: 'WindowsScored', Unit: 'Count' },
          { Name: 'AnomalousWindows', Unit: 'Count' },
          { Name: 'AnomalyRate', Unit: 'Percent' },
          { Name: 'BridgeHeartbeats', Unit: 'Count' },
          { Name: 'BridgeSpoolRecords', Unit: 'Count' },
          { Name: 'BridgeStalled', Unit: 'Count' },
        ],
      },
    ]);
  });

  it("reports the serving model's anomaly rate, leaving shadow scores, anomaly events and drift out", async () => {
    const { emf } = await invoke(
      mskEvent([
        bridgedRecord('uns.ml', zwickau.score, anomalyScore(false)),
        bridgedRecord('uns.ml', zwickau.score, anomalyScore(false)),
        bridgedRecord('uns.ml', zwickau.score, anomalyScore(false)),
        bridgedRecord('uns.ml', zwickau.score, anomalyScore(true)),
        bridgedRecord('uns.ml', zwickau.shadow, anomalyScore(true, 'shadow')),
        bridgedRecord('uns.ml', zwickau.shadow, anomalyScore(true, 'shadow')),
        bridgedRecord('uns.ml', zwickau.event, anomalyEvent()),
        bridgedRecord('uns.ml', zwickau.drift, modelDrift()),
        // A site whose runtime only has a shadow model's results to report has no serving rate.
        bridgedRecord('uns.ml', mlada.shadow, anomalyScore(true, 'shadow')),
      ]),
    );

    expect(kpisBySite(emf)).toEqual({
      zwickau: { InferenceErrors: 0, WindowsScored: 4, AnomalousWindows: 1, AnomalyRate: 25 },
      'mlada-boleslav': { InferenceErrors: 0 },
    });
  });

  it('counts a refused model bundle as an inference error', async () => {
    const { emf } = await invoke(
      mskEvent([
        bridgedRecord('uns.ml', zwickau.status, refusedStatus()),
        bridgedRecord('uns.ml', zwickau.score, anomalyScore(false)),
        bridgedRecord('uns.ml', mlada.status, loadedStatus()),
      ]),
    );

    expect(kpisBySite(emf)).toEqual({
      zwickau: { InferenceErrors: 1, WindowsScored: 1, AnomalousWindows: 0, AnomalyRate: 0 },
      'mlada-boleslav': { InferenceErrors: 0 },
    });
  });

  it("reports each site's heartbeats, the largest spool and whether a bridge stalled", async () => {
    const { emf } = await invoke(
      mskEvent([
        heartbeatRecord(heartbeat({ site: 'zwickau', bridge: 'bridge-zwickau-1' })),
        // Draining after an outage: the spool is large, but records reach Kafka (no stall).
        heartbeatRecord(
          heartbeat({
            site: 'zwickau',
            bridge: 'bridge-zwickau-2',
            spooling: true,
            stalledForMs: 180,
            spool: { bytes: 9_800_000, records: 31_000 },
          }),
        ),
        // Kafka unreachable for 45 s: nothing produced, the spool grows.
        heartbeatRecord(
          heartbeat({
            site: 'mlada-boleslav',
            spooling: true,
            stalledForMs: 45_000,
            spool: { bytes: 1_600_000, records: 5_000 },
          }),
        ),
      ]),
    );

    expect(kpisBySite(emf)).toEqual({
      zwickau: { BridgeHeartbeats: 2, BridgeSpoolRecords: 31_000, BridgeStalled: 0 },
      'mlada-boleslav': { BridgeHeartbeats: 1, BridgeSpoolRecords: 5_000, BridgeStalled: 1 },
    });
  });

  it('marks a bridge stalled once stalledForMs reaches BRIDGE_STALL_AFTER_MS', async () => {
    const config = configFromEnvironment({ BRIDGE_STALL_AFTER_MS: '60000' });
    const { emf } = await invoke(
      mskEvent([
        heartbeatRecord(heartbeat({ site: 'zwickau', spooling: true, stalledForMs: 59_999 })),
        heartbeatRecord(
          heartbeat({ site: 'mlada-boleslav', spooling: true, stalledForMs: 60_000 }),
        ),
      ]),
      config,
    );

    const kpis = kpisBySite(emf);
    expect(kpis.zwickau).toMatchObject({ BridgeStalled: 0 });
    expect(kpis['mlada-boleslav']).toMatchObject({ BridgeStalled: 1 });
  });

  it('emits no metric the batch had no data for', async () => {
    const heartbeatsOnly = await invoke(
      mskEvent([heartbeatRecord(heartbeat({ site: 'zwickau' }))]),
    );
    expect(kpisBySite(heartbeatsOnly.emf)).toEqual({
      zwickau: { BridgeHeartbeats: 1, BridgeSpoolRecords: 0, BridgeStalled: 0 },
    });

    // The validator's quarantine envelopes share uns.validation with the summaries; no KPI counts them.
    const original = 'acme/zwickau/body-shop/body-weld-1/cell-010/welder-1/state';
    const quarantine = bridgedRecord('uns.validation', `_quarantine/${original}`, {
      topic: original,
      receivedAt: '2025-11-25T08:15:30.100Z',
      channel: 'state',
      contractVersion: '1.1.0',
      errors: [{ kind: 'unparseable-payload', message: 'Unexpected end of JSON input' }],
      payloadBase64: Buffer.from('{"state":"welding"').toString('base64'),
    });
    // Nor its violation samples and contracts in force, on the same topic.
    const sample = bridgedRecord(
      'uns.validation',
      zwickau.violations,
      contractExample('violationSample', 'arcCurrentOutOfRange'),
    );
    const contracts = bridgedRecord(
      'uns.validation',
      zwickau.contracts,
      contractExample('contractsInForce', 'weldingContract'),
    );
    const nothing = await invoke(mskEvent([quarantine, sample, contracts]));
    expect(nothing.result).toEqual({ records: 3, rejected: 0, sites: [] });
    expect(nothing.emf).toEqual([]);

    expect((await invoke(mskEvent([]))).emf).toEqual([]);
  });

  it('rejects malformed JSON, unknown topics and heartbeats without a site, and measures the rest of the batch', async () => {
    const { result, emf, warnings } = await invoke(
      mskEvent([
        bridgedRecord(
          'uns.validation',
          zwickau.validation,
          validationSummary([{ channel: 'telemetry', valid: 990, invalid: 10 }]),
        ),
        bridgedRecord('uns.ml', zwickau.score, undefined, { rawValue: '{"windowStart":' }),
        bridgedRecord('uns.state', 'acme/zwickau/body-shop/body-weld-1/cell-010/welder-1/state', {
          ts: '2025-11-25T08:15:30.000Z',
          state: 'welding',
        }),
        bridgedRecord('uns.ml', 'acme/zwickau/body-shop/_ml', anomalyScore(false)),
        bridgedRecord('uns.ml', undefined, anomalyScore(false)),
        bridgedRecord('uns.ml', zwickau.score, { ...anomalyScore(true), anomaly: 'yes' }),
        heartbeatRecord(heartbeat({ bridge: 'bridge-old-1' })),
        heartbeatRecord(heartbeat({ bridge: 'bridge-old-2' })),
        heartbeatRecord(heartbeat({ site: 'Zwickau Plant' })),
        heartbeatRecord(heartbeat({ site: 'mlada-boleslav', spool: { bytes: 4096, records: 12 } })),
      ]),
    );

    expect(result).toEqual({ records: 10, rejected: 8, sites: ['zwickau', 'mlada-boleslav'] });
    expect(rejectedByReason(emf)).toEqual({
      'not-json': 1,
      'unknown-topic': 3,
      'bad-payload': 2,
      'no-site': 2,
    });
    expect(kpisBySite(emf)).toEqual({
      zwickau: { MessagesChecked: 1000, MessagesValid: 990, ValidShare: 99 },
      'mlada-boleslav': { BridgeHeartbeats: 1, BridgeSpoolRecords: 12, BridgeStalled: 0 },
    });
    expect(warnings.map(([message]) => message)).toEqual([
      'Rejected 1 record(s) that cannot be measured: not-json',
      'Rejected 3 record(s) that cannot be measured: unknown-topic',
      'Rejected 2 record(s) that cannot be measured: bad-payload',
      'Rejected 2 record(s) that cannot be measured: no-site',
    ]);
    const noSite = warnings.find(
      ([, details]) => (details as { reason: string }).reason === 'no-site',
    );
    expect(noSite?.[1]).toMatchObject({
      count: 2,
      records: [
        { topic: 'uns.heartbeat', detail: expect.stringContaining('"bridge-old-1" names no site') },
        { topic: 'uns.heartbeat', detail: expect.stringContaining('"bridge-old-2" names no site') },
      ],
    });
  });

  it('names the Kafka topic, partition and offset of each record it rejects', async () => {
    const broken = bridgedRecord('uns.ml', zwickau.score, undefined, {
      rawValue: 'not json',
      partition: 5,
    });
    const { emf, warnings } = await invoke(mskEvent([broken]));

    expect(warnings).toEqual([
      [
        'Rejected 1 record(s) that cannot be measured: not-json',
        {
          reason: 'not-json',
          count: 1,
          records: [
            {
              topic: 'uns.ml',
              partition: 5,
              offset: broken.offset,
              detail: 'the value is not JSON',
            },
          ],
        },
      ],
    ]);
    expect(emf).toHaveLength(1);
    expect(emf[0]!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['Reason']]);
  });
});

describe('configFromEnvironment', () => {
  it('defaults to namespace UnsMlops/Edge, header uns-topic and a stall after 30 s', () => {
    expect(configFromEnvironment({})).toEqual({
      namespace: 'UnsMlops/Edge',
      mqttTopicHeader: 'uns-topic',
      stallAfterMs: 30_000,
    });
  });

  it('reads the namespace, the topic header and the stall time', () => {
    expect(
      configFromEnvironment({
        METRICS_NAMESPACE: 'Plant/Kpis',
        HEADER_MQTT_TOPIC: 'mqtt-topic',
        BRIDGE_STALL_AFTER_MS: '10000',
      }),
    ).toEqual({ namespace: 'Plant/Kpis', mqttTopicHeader: 'mqtt-topic', stallAfterMs: 10_000 });
  });

  it.each(['0', '-5', '2.5', 'soon'])('refuses a stall time of %j', (value) => {
    expect(() => configFromEnvironment({ BRIDGE_STALL_AFTER_MS: value })).toThrow(
      `edge-kpi-metrics: BRIDGE_STALL_AFTER_MS "${value}" is not a positive whole number of milliseconds`,
    );
  });
});
