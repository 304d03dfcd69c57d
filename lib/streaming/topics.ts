/**
 * The Kafka topics of the UNS bridge (contract, produced by `edge-components/uns-kafka-bridge`):
 * one per UNS data class, the bridge's heartbeats, and its dead letter. Key = asset path
 * `enterprise/site/area/line/cell/asset`; value = the MQTT payload unchanged.
 */
export const UNS_KAFKA_TOPICS = [
  'uns.telemetry',
  'uns.state',
  'uns.alarm',
  'uns.inspection',
  'uns.ml',
  'uns.validation',
  'uns.sparkplug',
  'uns.heartbeat',
  'uns.dead-letter',
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

/**
 * The bridge's dead letter: UNS messages no route maps (header `uns-dead-letter-reason:
 * unmapped`) and records Kafka refused for their own topic (the reason, and the topic in
 * `uns-intended-topic`). Nothing consumes it automatically: it is for people to look into.
 */
export const DEAD_LETTER_TOPIC: UnsKafkaTopic = 'uns.dead-letter';

/** The topic the Lakehouse telemetry delivery consumes. */
export const TELEMETRY_TOPIC: UnsKafkaTopic = 'uns.telemetry';
