import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_CONFIG } from '../../src/config/config';
import { Router } from '../../src/mapping/router';
import { DEAD_LETTER_TOPIC, UNS_KAFKA_TOPICS } from '../../../../lib/streaming/topics';
import { CONTRACT } from '../harness';

const router = new Router(DEFAULT_CONFIG.mapping);
const ASSET = 'acme/zwickau/body-shop/body-weld-1/cell-1/welder-1';
const DEAD_LETTER = DEFAULT_CONFIG.mapping.fallbackTopic;

/** Every channel address of the UNS contract, each parameter filled with its own name. */
const CONTRACT_TOPICS = Object.values(
  (parseYaml(readFileSync(CONTRACT, 'utf8')) as { channels: Record<string, { address: string }> })
    .channels,
).map((channel) => channel.address.replaceAll(/\{(\w+)\}/g, '$1'));

describe('the default mapping of UNS topics to Kafka', () => {
  it.each([
    [`${ASSET}/telemetry/arc_current`, 'uns.telemetry', ASSET],
    [`${ASSET}/state`, 'uns.state', ASSET],
    [`${ASSET}/alarm`, 'uns.alarm', ASSET],
    [`${ASSET}/inspection`, 'uns.inspection', ASSET],
    [`${ASSET}/_ml/weld-anomaly`, 'uns.ml', ASSET],
    [`${ASSET}/_ml/weld-anomaly/shadow`, 'uns.ml', ASSET],
    [`${ASSET}/_ml/weld-anomaly/events`, 'uns.ml', ASSET],
    [`${ASSET}/_ml/weld-anomaly/drift`, 'uns.ml', ASSET],
    ['acme/zwickau/_ml/weld-anomaly/status', 'uns.ml', 'acme/zwickau'],
    ['acme/zwickau/_validation', 'uns.validation', 'acme/zwickau'],
    ['acme/zwickau/_validation/violations', 'uns.validation', 'acme/zwickau'],
    ['acme/zwickau/_validation/contracts', 'uns.validation', 'acme/zwickau'],
    [`_quarantine/${ASSET}/state`, 'uns.validation', 'acme/zwickau'],
    ['spBv1.0/welding/NBIRTH/edge-1', 'uns.sparkplug', 'welding/edge-1'],
    ['spBv1.0/welding/DDATA/edge-1/welder-1', 'uns.sparkplug', 'welding/edge-1'],
    ['spBv1.0/STATE/scada-1', 'uns.sparkplug', 'STATE/scada-1'],
  ])('sends %s to %s keyed %s', (topic, kafkaTopic, key) => {
    expect(router.route(topic)).toEqual({ topic: kafkaTopic, key });
  });

  it.each([
    `${ASSET}/state/extra`,
    `${ASSET}/inspection/extra`,
    'plant/notes/free-form',
    'acme/zwickau/_ml/model/other',
  ])(
    'sends %s, which no route maps, to the dead letter keyed by its topic, marked unmapped',
    (topic) => {
      expect(router.route(topic)).toEqual({
        topic: DEAD_LETTER,
        key: topic,
        deadLetterReason: 'unmapped',
      });
    },
  );

  it('does not forward the validator’s mirror of valid messages, a copy of forwarded ones', () => {
    expect(router.route(`_validated/${ASSET}/telemetry/arc_current`)).toBeUndefined();
    expect(router.route('_validated/acme/zwickau/_validation')).toBeUndefined();
  });

  it('maps every channel of the contract, and the validator’s quarantine of each, to a data topic', () => {
    expect(CONTRACT_TOPICS.length).toBeGreaterThan(10);
    const published = [...CONTRACT_TOPICS, ...CONTRACT_TOPICS.map((t) => `_quarantine/${t}`)];
    const notToADataTopic = published.filter((topic) =>
      [undefined, DEAD_LETTER].includes(router.route(topic)?.topic),
    );
    expect(notToADataTopic).toEqual([]);
  });

  it('produces only to topics MSK has and the producer policy allows (lib/streaming/topics.ts)', () => {
    const produced = [
      ...DEFAULT_CONFIG.mapping.routes.map((route) => route.topic),
      DEFAULT_CONFIG.heartbeat.topic,
      DEAD_LETTER,
    ];
    expect(UNS_KAFKA_TOPICS).toEqual(expect.arrayContaining(produced));
    expect(DEAD_LETTER).toBe(DEAD_LETTER_TOPIC);
  });
});

describe('a configured mapping', () => {
  it('takes the first matching route and fills {topic} with the whole MQTT topic', () => {
    const custom = new Router({
      routes: [
        { filter: 'a/+/special', topic: 'first', key: '{topic}' },
        { filter: 'a/+/#', topic: 'second', key: '{0}-{1}' },
      ],
      fallbackTopic: 'fallback',
      exclude: [],
    });
    expect(custom.route('a/b/special')).toEqual({ topic: 'first', key: 'a/b/special' });
    expect(custom.route('a/b/other')).toEqual({ topic: 'second', key: 'a-b' });
    expect(custom.route('$SYS/broker')).toEqual({
      topic: 'fallback',
      key: '$SYS/broker',
      deadLetterReason: 'unmapped',
    });
  });

  it('lets an exclusion win over a route that matches the same topic', () => {
    const custom = new Router({
      routes: [{ filter: 'a/#', topic: 'all-of-a', key: '{0}' }],
      fallbackTopic: 'fallback',
      exclude: ['a/private/#'],
    });
    expect(custom.route('a/private/x')).toBeUndefined();
    expect(custom.route('a/public/x')).toEqual({ topic: 'all-of-a', key: 'a' });
  });
});

describe('the answer cache', () => {
  it('holds at most its budget of characters, however long and many the topics', () => {
    const bounded = new Router(DEFAULT_CONFIG.mapping, 100_000, 1_000_000);
    for (let index = 0; index < 100; index++) {
      const longTopic = `fuzz-raw/${String(index).padStart(3, '0')}/${'é'.repeat(65_000)}`;
      expect(bounded.route(longTopic)?.key).toBe(longTopic);
      expect(bounded.cachedCharacters).toBeLessThanOrEqual(1_000_000);
    }
    expect(bounded.route('fuzz-raw/too/long'.padEnd(2_000_000, 'x'))?.key).toHaveLength(2_000_000);
    expect(bounded.cachedCharacters).toBe(0);
  });
});
