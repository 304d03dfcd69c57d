import type { MSKRecord } from 'aws-lambda';
import { decodeHeaders } from '@uns-mlops/msk-records';
import { jsonObjectValue, RejectedRecord } from './kafka-record';
import {
  type BridgeHeartbeat,
  readAnomalyScore,
  readHeartbeat,
  readModelStatusEvent,
  readValidationSummary,
} from './payloads';
import { parseUnsTopic } from './uns-topics';

/**
 * The Kafka topics the function measures (contract: `lib/streaming/topics.ts`), one event source
 * mapping each: the validator's summaries, the inference runtime's messages, the bridge's
 * heartbeats.
 */
export const MEASURED_TOPICS = ['uns.validation', 'uns.ml', 'uns.heartbeat'] as const;

const HEARTBEAT_TOPIC: (typeof MEASURED_TOPICS)[number] = 'uns.heartbeat';

/**
 * What one record tells about its site:
 *
 * - `verdicts`: a validation summary's counts.
 * - `serving-window`: a window scored by the serving model.
 * - `refusal`: a model status `refused` (a model bundle failed validation and was not loaded).
 * - `inference-message`: any other message of the inference runtime (shadow score, anomaly
 *   event, drift statistics, other model status): the runtime reports, with nothing more to count.
 * - `heartbeat`: a bridge heartbeat.
 * - `not-measured`: a message no KPI counts (the validator's quarantine envelopes, violation samples
 *   and contracts in force).
 */
export type Observation =
  | {
      readonly kind: 'verdicts';
      readonly site: string;
      readonly valid: number;
      readonly checked: number;
    }
  | { readonly kind: 'serving-window'; readonly site: string; readonly anomaly: boolean }
  | { readonly kind: 'refusal' | 'inference-message'; readonly site: string }
  | { readonly kind: 'heartbeat'; readonly heartbeat: BridgeHeartbeat }
  | { readonly kind: 'not-measured' };

/**
 * Reads one record of a measured topic: a heartbeat from `uns.heartbeat`; from the other topics
 * a UNS message, whose kind and site come from the original MQTT topic in `mqttTopicHeader`.
 *
 * @throws RejectedRecord when the record cannot be measured; the reason says why.
 */
export function observe(record: MSKRecord, mqttTopicHeader: string): Observation {
  if (!(MEASURED_TOPICS as readonly string[]).includes(record.topic)) {
    throw new RejectedRecord('unknown-topic', `Kafka topic ${record.topic} is not measured`);
  }
  if (record.topic === HEARTBEAT_TOPIC) {
    return { kind: 'heartbeat', heartbeat: readHeartbeat(jsonObjectValue(record)) };
  }
  const topic = decodeHeaders(record.headers).get(mqttTopicHeader);
  if (topic === undefined) {
    throw new RejectedRecord('unknown-topic', `header ${mqttTopicHeader} is missing`);
  }
  const address = parseUnsTopic(topic);
  if (address === undefined) {
    throw new RejectedRecord(
      'unknown-topic',
      `UNS topic ${JSON.stringify(topic)} is no validator or inference runtime address`,
    );
  }
  if (
    address.kind === 'quarantine' ||
    address.kind === 'violation-sample' ||
    address.kind === 'contracts-in-force'
  ) {
    return { kind: 'not-measured' };
  }
  const { kind, site } = address;
  const payload = jsonObjectValue(record);
  switch (kind) {
    case 'validation-summary':
      return { kind: 'verdicts', site, ...readValidationSummary(payload) };
    case 'anomaly-score':
    case 'shadow-score': {
      const window = readAnomalyScore(payload);
      return kind === 'anomaly-score' && !window.shadow
        ? { kind: 'serving-window', site, anomaly: window.anomaly }
        : { kind: 'inference-message', site };
    }
    case 'anomaly-event':
    case 'model-drift':
      return { kind: 'inference-message', site };
    case 'model-status':
      return readModelStatusEvent(payload) === 'refused'
        ? { kind: 'refusal', site }
        : { kind: 'inference-message', site };
  }
}
