import { DEFAULT_CONFIG } from '../../src/config/config';
import { Router } from '../../src/mapping/router';

const router = new Router(DEFAULT_CONFIG.mapping.routes, DEFAULT_CONFIG.mapping.fallbackTopic);
const ASSET = 'acme/zwickau/body-shop/body-weld-1/cell-1/welder-1';

describe('the default mapping of UNS topics to Kafka', () => {
  it.each([
    [`${ASSET}/telemetry/arc_current`, 'uns.telemetry', ASSET],
    [`${ASSET}/state`, 'uns.state', ASSET],
    [`${ASSET}/alarm`, 'uns.alarm', ASSET],
    [`${ASSET}/_ml/weld-anomaly`, 'uns.ml', ASSET],
    ['acme/zwickau/_validation', 'uns.validation', 'acme/zwickau'],
    ['spBv1.0/welding/NBIRTH/edge-1', 'uns.sparkplug', 'welding/edge-1'],
    ['spBv1.0/welding/DDATA/edge-1/welder-1', 'uns.sparkplug', 'welding/edge-1'],
    ['spBv1.0/STATE/scada-1', 'uns.sparkplug', 'STATE/scada-1'],
    [`_quarantine/${ASSET}/state`, 'uns.other', `_quarantine/${ASSET}/state`],
    [`${ASSET}/state/extra`, 'uns.other', `${ASSET}/state/extra`],
  ])('sends %s to %s keyed %s', (topic, kafkaTopic, key) => {
    expect(router.route(topic)).toEqual({ topic: kafkaTopic, key });
  });

  it('takes the first matching route and fills {topic} with the whole MQTT topic', () => {
    const custom = new Router(
      [
        { filter: 'a/+/special', topic: 'first', key: '{topic}' },
        { filter: 'a/+/#', topic: 'second', key: '{0}-{1}' },
      ],
      'fallback',
    );
    expect(custom.route('a/b/special')).toEqual({ topic: 'first', key: 'a/b/special' });
    expect(custom.route('a/b/other')).toEqual({ topic: 'second', key: 'a-b' });
    expect(custom.route('$SYS/broker')).toEqual({ topic: 'fallback', key: '$SYS/broker' });
  });
});
