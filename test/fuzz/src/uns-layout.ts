/**
 * Where the fuzz run publishes: topics of the welding contract (`asyncapi/uns-welding.asyncapi.yaml`)
 * of a site of its own, `acme/fuzz`, plus a root outside the contract for unknown topics, and the
 * filters each component subscribes to. The components' own publications (anomaly scores on
 * `…/_ml/…`, model status, validation summaries) match none of the validator's and the bridge's
 * filters, so their counters count exactly what the run published.
 */

export const ENTERPRISE = 'acme';
export const SITE = 'fuzz';
export const AREA = 'body-shop';
export const LINE = 'body-weld-1';
/** Root of topics no contract channel has (the validator judges them `unknown-topic`). */
export const UNKNOWN_ROOT = 'fuzz-raw';
/** Sparkplug B group of the run, and the host id of its `STATE` topic. */
export const SPARKPLUG_GROUP = 'fuzz';
export const SPARKPLUG_HOST = 'fuzz-host';

/** The telemetry signals of the contract (`{signal}` enum) and the unit each must carry. */
export const SIGNAL_UNITS: Readonly<Record<string, string>> = {
  arc_current: 'A',
  arc_voltage: 'V',
  wire_feed_speed: 'm/min',
  gas_flow: 'l/min',
  travel_speed: 'cm/min',
  contact_tip_temperature: 'degC',
};
export const SIGNALS = Object.keys(SIGNAL_UNITS);
/** The signals the test model bundle reads (`TEST_MODEL_CHANNELS`): the inference subscribes to these. */
export const MODEL_SIGNALS = ['arc_current', 'arc_voltage', 'wire_feed_speed', 'gas_flow'];

/** `acme/fuzz/body-shop/body-weld-1/<cell>/<asset>`. */
export function assetPath(cell: string, asset = 'welder-1'): string {
  return `${ENTERPRISE}/${SITE}/${AREA}/${LINE}/${cell}/${asset}`;
}

/** What the validator and the bridge subscribe to: everything the run publishes, nothing else. */
export const PUBLISHED_FILTERS: readonly string[] = [
  `${ENTERPRISE}/${SITE}/+/+/+/+/telemetry/+`,
  `${ENTERPRISE}/${SITE}/+/+/+/+/state`,
  `${ENTERPRISE}/${SITE}/+/+/+/+/alarm`,
  `spBv1.0/${SPARKPLUG_GROUP}/#`,
  `spBv1.0/STATE/${SPARKPLUG_HOST}`,
  `${UNKNOWN_ROOT}/#`,
];

/** What the inference runtime subscribes to (its `uns.site` is {@link SITE}). */
export const INFERENCE_FILTERS: readonly string[] = MODEL_SIGNALS.map(
  (signal) => `${ENTERPRISE}/${SITE}/+/+/+/+/telemetry/${signal}`,
);

/** Whether an MQTT topic filter (`+`, `#`) matches a topic name. */
export function topicMatches(filter: string, topic: string): boolean {
  const filterLevels = filter.split('/');
  const topicLevels = topic.split('/');
  for (let i = 0; i < filterLevels.length; i++) {
    const level = filterLevels[i];
    if (level === '#') return true;
    if (i >= topicLevels.length) return false;
    if (level !== '+' && level !== topicLevels[i]) return false;
  }
  return filterLevels.length === topicLevels.length;
}

/** Whether any of `filters` matches `topic`. */
export function matchesAny(filters: readonly string[], topic: string): boolean {
  return filters.some((filter) => topicMatches(filter, topic));
}
