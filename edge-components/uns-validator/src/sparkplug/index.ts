/**
 * Sparkplug B 3.0 checks for the UNS validator: topic parsing, payload decoding and the passive
 * session rules, each violation a `sparkplug-rule` (or `unparseable-payload`) verdict error that
 * cites its specification assertion id.
 */
export { ASSERTION, type SparkplugAssertion } from './assertions';
export {
  SPARKPLUG_DATATYPES,
  dataTypeOf,
  valueFitsDataType,
  type SparkplugDataType,
} from './datatypes';
export {
  decodeSparkplugPayload,
  type DecodeResult,
  type DecodedMetric,
  type DecodedPayload,
} from './decode';
export {
  DEFAULT_MAX_EDGE_NODES,
  SparkplugSessionTracker,
  type SparkplugCheckResult,
  type SparkplugSessionTrackerOptions,
} from './session-tracker';
export type { EdgeNodeSnapshot } from './edge-node-session';
export { checkStatePayload } from './state-payload';
export {
  SPARKPLUG_B_NAMESPACE,
  isDeviceMessageType,
  parseSparkplugTopic,
  type EdgeNodeTopic,
  type SparkplugMessageType,
  type SparkplugTopic,
  type StateTopic,
  type TopicParseResult,
} from './topic';
