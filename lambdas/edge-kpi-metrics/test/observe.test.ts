import { UNS_KAFKA_TOPICS, UNS_RECORD_HEADERS } from '../../../lib/streaming/topics';
import { DEFAULT_CONFIG } from '../src/config';
import { RejectedRecord } from '../src/kafka-record';
import { MEASURED_TOPICS, observe } from '../src/observe';
import { anomalyScore, bridgedRecord, heartbeat, heartbeatRecord, siteTopics } from './events';

const zwickau = siteTopics('zwickau');

describe('observe', () => {
  it('measures only Kafka topics the streaming stack creates', () => {
    expect(UNS_KAFKA_TOPICS).toEqual(expect.arrayContaining([...MEASURED_TOPICS]));
  });

  it('reads the UNS topic from the header the bridge sets', () => {
    expect(DEFAULT_CONFIG.mqttTopicHeader).toBe(UNS_RECORD_HEADERS.mqttTopic);
  });

  it('takes a score on the serving topic that says shadow as a shadow result', () => {
    const record = bridgedRecord('uns.ml', zwickau.score, anomalyScore(true, 'shadow'));
    expect(observe(record, DEFAULT_CONFIG.mqttTopicHeader)).toEqual({
      kind: 'inference-message',
      site: 'zwickau',
    });
  });

  it('takes the site of a heartbeat from its payload, not from its key (the client id)', () => {
    const record = heartbeatRecord(heartbeat({ bridge: 'gg-core-17', site: 'zwickau' }));
    expect(observe(record, DEFAULT_CONFIG.mqttTopicHeader)).toMatchObject({
      kind: 'heartbeat',
      heartbeat: { site: 'zwickau', bridge: 'gg-core-17' },
    });
  });

  it.each([
    ['a heartbeat with site null', heartbeatRecord({ ...heartbeat({}), site: null }), 'no-site'],
    [
      'a heartbeat without spool',
      heartbeatRecord({ ...heartbeat({ site: 'zwickau' }), spool: undefined }),
      'bad-payload',
    ],
    [
      'a heartbeat with a negative stall',
      heartbeatRecord(heartbeat({ site: 'zwickau', stalledForMs: -1 })),
      'bad-payload',
    ],
    [
      'a validation summary with a negative count',
      bridgedRecord('uns.validation', zwickau.validation, {
        contractVersion: '1.1.0',
        channels: [{ channel: 'telemetry', valid: 10, invalid: -1, byErrorKind: {} }],
      }),
      'bad-payload',
    ],
    [
      'a model status without event',
      bridgedRecord('uns.ml', zwickau.status, { swaps: 1 }),
      'bad-payload',
    ],
    ['a JSON array', bridgedRecord('uns.ml', zwickau.score, [anomalyScore(true)]), 'not-json'],
    [
      'a record without value',
      { ...bridgedRecord('uns.ml', zwickau.event, {}), value: '' },
      'not-json',
    ],
  ])('rejects %s', (_, record, reason) => {
    const reading = () => observe(record, DEFAULT_CONFIG.mqttTopicHeader);
    expect(reading).toThrow(RejectedRecord);
    expect(reading).toThrow(new RegExp(`^${reason}: `));
  });
});
