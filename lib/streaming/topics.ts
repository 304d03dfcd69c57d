/**
 * The Kafka topics of the UNS bridge (contract, produced by `edge-components/uns-kafka-bridge`):
 * one per UNS data class, plus the bridge's heartbeats. Key = asset path
 * `enterprise/site/area/line/cell/asset`; value = the MQTT payload unchanged.
 */
export const UNS_KAFKA_TOPICS = [
  'uns.telemetry',
  'uns.state',
  'uns.alarm',
  'uns.ml',
  'uns.validation',
  'uns.sparkplug',
  'uns.heartbeat',
] as const;

/** One topic of {@link UNS_KAFKA_TOPICS}. */
export type UnsKafkaTopic = (typeof UNS_KAFKA_TOPICS)[number];

/**
 * Record headers the bridge sets (contract): the original MQTT topic, the time the bridge received
 * the message (ISO-8601 or epoch milliseconds) and the AsyncAPI contract version in force.
 */
export const UNS_RECORD_HEADERS = {
  mqttTopic: 'uns-topic',
  receivedAt: 'uns-received-at',
  contractVersion: 'uns-contract-version',
} as const;

/** The topic the Lakehouse telemetry delivery consumes. */
export const TELEMETRY_TOPIC: UnsKafkaTopic = 'uns.telemetry';
