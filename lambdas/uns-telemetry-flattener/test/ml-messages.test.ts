import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { channelTopic, conforming, contractExample } from '@uns-mlops/test-services';
import { flattenMlRecord, mlFlattener } from '../src/ml-messages';
import { deliveredRecords, flattenerHandler, stubDelivery } from './delivery-stubs';
import {
  ADDRESS,
  ASSET_COLUMNS,
  bridgedRecord,
  deliveryColumns,
  HEADERS,
  mskEvent,
  rejection,
} from './events';

const TOPICS = {
  score: channelTopic('anomaly', ADDRESS),
  shadow: channelTopic('anomalyShadow', ADDRESS),
  event: channelTopic('anomalyEvent', ADDRESS),
  drift: channelTopic('anomalyDrift', ADDRESS),
  status: channelTopic('modelStatus', ADDRESS),
};

/** A window the serving model scored (the contract has no example of `AnomalyScore`). */
const SCORE = conforming('AnomalyScore', {
  windowStart: '2025-11-25T08:15:30.000Z',
  windowEnd: '2025-11-25T08:15:30.255Z',
  score: 1.7,
  threshold: 0.8,
  anomaly: true,
  modelName: 'weld-seam-anomaly',
  modelVersion: '2025.11.25-1',
  latencyMs: 3.2,
});
/** The contract's examples. */
const GAS_LOSS = contractExample('anomalyEvent', 'gasLoss');
const CONTACT_TIP_WEAR = contractExample('modelDrift', 'contactTipWear');
const REFUSED = contractExample('modelStatus', 'refused');

const tableRows = (topic: string, payload: unknown, options?: { rawValue?: string }) =>
  flattenMlRecord(bridgedRecord('uns.ml', topic, payload, options), HEADERS);

describe('flattenMlRecord', () => {
  it('puts a window the serving model scored into inference_results, dated by the window start', () => {
    expect(tableRows(TOPICS.score, SCORE)).toEqual({
      table: 'inference_results',
      rows: [
        {
          ...ASSET_COLUMNS,
          model_name: 'weld-seam-anomaly',
          model_version: '2025.11.25-1',
          window_start: Date.parse('2025-11-25T08:15:30.000Z'),
          window_end: Date.parse('2025-11-25T08:15:30.255Z'),
          score: 1.7,
          threshold: 0.8,
          is_anomaly: true,
          shadow: false,
          latency_ms: 3.2,
          ...deliveryColumns(TOPICS.score),
          dt: '2025-11-25',
        },
      ],
    });
  });

  it('marks the scores of the shadow channel, and a score that says it is a shadow’s, as shadow', () => {
    const onShadowChannel = tableRows(TOPICS.shadow, SCORE);
    expect(onShadowChannel.table).toBe('inference_results');
    expect(onShadowChannel.rows[0]).toMatchObject({ shadow: true, mqtt_topic: TOPICS.shadow });
    const flagged = conforming('AnomalyScore', { ...SCORE, shadow: true });
    expect(tableRows(TOPICS.shadow, flagged).rows[0]).toMatchObject({ shadow: true });
    expect(tableRows(TOPICS.score, { ...SCORE, shadow: false }).rows[0]).toMatchObject({
      shadow: false,
    });
  });

  it('puts an anomaly event into anomaly_events, dated by its start', () => {
    expect(tableRows(TOPICS.event, GAS_LOSS)).toEqual({
      table: 'anomaly_events',
      rows: [
        {
          ...ASSET_COLUMNS,
          model_name: 'weld-seam-anomaly',
          model_version: '2025.11.25-1',
          event_start: Date.parse('2025-11-25T08:15:30.000Z'),
          event_end: Date.parse('2025-11-25T08:15:31.280Z'),
          peak_score: 4.2,
          peak_at: Date.parse('2025-11-25T08:15:30.640Z'),
          windows: 9,
          threshold: 0.8,
          ...deliveryColumns(TOPICS.event),
          dt: '2025-11-25',
        },
      ],
    });
  });

  it('puts drift statistics into model_drift: a row per channel and one with subject score', () => {
    const evaluation = {
      ...ASSET_COLUMNS,
      model_name: 'weld-seam-anomaly',
      model_version: '2025.11.25-1',
      window_start: Date.parse('2025-11-25T08:15:00.000Z'),
      window_end: Date.parse('2025-11-25T08:20:00.000Z'),
      statistic: 'psi',
      threshold: 0.25,
      ...deliveryColumns(TOPICS.drift),
      dt: '2025-11-25',
    };
    expect(tableRows(TOPICS.drift, CONTACT_TIP_WEAR)).toEqual({
      table: 'model_drift',
      rows: [
        { ...evaluation, subject: 'arc_voltage', value: 0.41, samples: 299968, drifted: true },
        { ...evaluation, subject: 'arc_current', value: 0.03, samples: 299968, drifted: false },
        { ...evaluation, subject: 'score', value: 0.18, samples: 4686, drifted: false },
      ],
    });
  });

  it('writes no score row for drift statistics without the scores’ statistic', () => {
    const channelsOnly = contractExample('modelDrift', 'contactTipWear');
    delete channelsOnly.score;
    const { rows } = tableRows(TOPICS.drift, conforming('ModelDrift', channelsOnly));
    expect(rows).toEqual([
      expect.objectContaining({ subject: 'arc_voltage' }),
      expect.objectContaining({ subject: 'arc_current' }),
    ]);
  });

  it('puts a site’s model status into model_status, the model from the topic, dated by ts', () => {
    expect(tableRows(TOPICS.status, REFUSED)).toEqual({
      table: 'model_status',
      rows: [
        {
          enterprise: 'acme',
          model_name: 'weld-seam-anomaly',
          status_time: Date.parse('2025-11-25T08:15:30.000Z'),
          event: 'refused',
          serving_version: '2025.11.25-1',
          shadow_version: null,
          swaps: 3,
          refused_role: 'serving',
          refused_version: '2025.11.26-1',
          refusal_reason:
            'model.onnx: input "input" has shape [batch, 4, 128], the manifest needs [batch, 4, 256]',
          ...deliveryColumns(TOPICS.status),
          dt: '2025-11-25',
        },
      ],
    });
  });

  it('writes null for the bundles and the refusal a status does not hold', () => {
    const shadowLoaded = conforming('ModelStatus', {
      ts: '2025-11-25T09:00:00.000Z',
      event: 'shadow-loaded',
      serving: REFUSED.serving,
      shadow: {
        modelName: 'weld-seam-anomaly',
        modelVersion: '2025.11.26-2',
        threshold: 0.7,
        loadedAt: '2025-11-25T09:00:00.000Z',
      },
      swaps: 3,
    });
    expect(tableRows(TOPICS.status, shadowLoaded).rows[0]).toMatchObject({
      event: 'shadow-loaded',
      serving_version: '2025.11.25-1',
      shadow_version: '2025.11.26-2',
      refused_role: null,
      refused_version: null,
      refusal_reason: null,
    });
  });

  it.each([
    ['an address below the model the contract does not have', `${TOPICS.score}/other`, SCORE],
    ['a model status one level too deep', `${TOPICS.status}/old`, REFUSED],
    ['an _ml level in the wrong place', 'acme/zwickau/body-shop/_ml/weld-seam-anomaly', SCORE],
  ])('rejects %s, naming the addresses it knows', (_, topic, payload) => {
    expect(rejection(() => tableRows(topic, payload))).toBe(
      `MQTT topic ${topic} is no inference runtime topic (…/{asset}/_ml/{model}[/shadow|/events|/drift], {enterprise}/{site}/_ml/{model}/status)`,
    );
  });

  it.each([
    ['a score as text', TOPICS.score, { ...SCORE, score: '1.7' }, 'score must be a number'],
    [
      'a score without its model',
      TOPICS.score,
      { ...SCORE, modelName: undefined },
      'modelName must be a string',
    ],
    [
      'a window start that is no time',
      TOPICS.shadow,
      { ...SCORE, windowStart: 'now' },
      'windowStart must be an RFC 3339 date-time',
    ],
    [
      'a shadow flag as text',
      TOPICS.score,
      { ...SCORE, shadow: 'yes' },
      'shadow must be true or false',
    ],
    [
      'an event of 2.5 windows',
      TOPICS.event,
      { ...GAS_LOSS, windows: 2.5 },
      'windows is not a count',
    ],
    [
      'drift of no channel',
      TOPICS.drift,
      { ...CONTACT_TIP_WEAR, channels: [] },
      'channels must be a non-empty list',
    ],
    [
      'drift of a channel called score',
      TOPICS.drift,
      {
        ...CONTACT_TIP_WEAR,
        channels: [{ name: 'score', value: 0.1, samples: 10, drifted: false }],
      },
      'channels[0].name "score" would pass for the scores\' row',
    ],
    [
      'drift of an unknown statistic',
      TOPICS.drift,
      { ...CONTACT_TIP_WEAR, statistic: 'ks' },
      'statistic must be one of psi',
    ],
    [
      'drift with samples below 0',
      TOPICS.drift,
      { ...CONTACT_TIP_WEAR, score: { value: 0.1, samples: -1, drifted: false } },
      'score.samples is not a count',
    ],
    [
      'a status of an unknown event',
      TOPICS.status,
      { ...REFUSED, event: 'exploded' },
      'event must be one of loaded, swapped, refused, shadow-loaded, shadow-removed, stopped',
    ],
    [
      'a refusal without its reason',
      TOPICS.status,
      { ...REFUSED, refusal: { role: 'serving' } },
      'refusal.reason must be a string',
    ],
    [
      'a serving bundle that is no object',
      TOPICS.status,
      { ...REFUSED, serving: '2025.11.25-1' },
      'serving is not an object',
    ],
  ])('rejects %s, naming why', (_, topic, payload, reason) => {
    expect(rejection(() => tableRows(topic, payload))).toBe(reason);
  });

  it('rejects a value that is no JSON object, naming the message its topic calls for', () => {
    expect(rejection(() => tableRows(TOPICS.drift, [CONTACT_TIP_WEAR]))).toBe(
      'value is not a model drift object',
    );
    expect(rejection(() => tableRows(TOPICS.event, undefined, { rawValue: 'peak!' }))).toBe(
      'value is not JSON',
    );
  });
});

describe('the uns.ml flattener', () => {
  const STREAMS = {
    inference_results: 'inference-results-to-lakehouse',
    anomaly_events: 'anomaly-events-to-lakehouse',
    model_drift: 'model-drift-to-lakehouse',
    model_status: 'model-status-to-lakehouse',
  };
  const { firehose, s3 } = stubDelivery();
  const handler = () =>
    flattenerHandler(mlFlattener, {
      deliveryStreams: STREAMS,
      rejectsPrefix: 'errors/uns.ml/rejected/',
    });

  /** The rows each delivery stream received, by stream name. */
  function deliveredByStream(): Record<string, Record<string, unknown>[]> {
    const delivered: Record<string, Record<string, unknown>[]> = {};
    for (const { stream, rows } of deliveredRecords(firehose)) {
      (delivered[stream] ??= []).push(...rows);
    }
    return delivered;
  }

  it('delivers each message kind of a batch into its own table’s stream and keeps the broken one', async () => {
    const result = await handler()(
      mskEvent([
        bridgedRecord('uns.ml', TOPICS.score, SCORE, { offset: 10 }),
        bridgedRecord('uns.ml', TOPICS.shadow, SCORE, { offset: 11 }),
        bridgedRecord('uns.ml', TOPICS.event, GAS_LOSS, { offset: 12 }),
        bridgedRecord('uns.ml', TOPICS.drift, CONTACT_TIP_WEAR, { offset: 13 }),
        bridgedRecord('uns.ml', TOPICS.status, REFUSED, { offset: 14, partition: 0 }),
        bridgedRecord('uns.ml', TOPICS.score, undefined, { offset: 15, rawValue: '{"score":' }),
      ]),
    );

    expect(result).toEqual({ records: 6, rows: 7, rejected: 1 });
    const delivered = deliveredByStream();
    expect(
      Object.fromEntries(
        Object.entries(delivered).map(([stream, rows]) => [
          stream,
          rows.map((row) => [row.site, row.dt, row.mqtt_topic]),
        ]),
      ),
    ).toEqual({
      [STREAMS.inference_results]: [
        ['zwickau', '2025-11-25', TOPICS.score],
        ['zwickau', '2025-11-25', TOPICS.shadow],
      ],
      [STREAMS.anomaly_events]: [['zwickau', '2025-11-25', TOPICS.event]],
      [STREAMS.model_drift]: Array(3).fill(['zwickau', '2025-11-25', TOPICS.drift]),
      [STREAMS.model_status]: [['zwickau', '2025-11-25', TOPICS.status]],
    });
    const [put] = s3.commandCalls(PutObjectCommand);
    expect(put!.args[0].input.Key).toBe('errors/uns.ml/rejected/dt=2025-11-25/uns.ml-2-15.jsonl');
    expect(JSON.parse(put!.args[0].input.Body as string)).toMatchObject({
      topic: 'uns.ml',
      offset: 15,
      headers: { [HEADERS.mqttTopic]: TOPICS.score },
      reason: 'value is not JSON',
    });
  });

  it('fails the batch when one table’s stream still refuses its rows, so that it is retried', async () => {
    firehose.on(PutRecordBatchCommand, { DeliveryStreamName: STREAMS.model_drift }).resolves({
      FailedPutCount: 1,
      RequestResponses: [{ ErrorCode: 'ServiceUnavailableException' }],
    });
    await expect(
      handler()(
        mskEvent([
          bridgedRecord('uns.ml', TOPICS.score, SCORE),
          bridgedRecord('uns.ml', TOPICS.drift, CONTACT_TIP_WEAR),
        ]),
      ),
    ).rejects.toThrow(/Firehose refused 1 of 1 records after 2 attempts/);
  });
});
