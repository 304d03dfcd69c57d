import type { MSKRecord } from 'aws-lambda';
import { ANOMALY_EVENTS_TABLE, anomalyEventRow } from './anomaly-events';
import type { Flattener, TableRows } from './flattener';
import { INFERENCE_RESULTS_TABLE, inferenceResultRow } from './inference-results';
import { type MlMessageKind, mlMessageKind } from './ml-address';
import { MODEL_DRIFT_TABLE, modelDriftRows } from './model-drift';
import { MODEL_STATUS_TABLE, modelStatusRow } from './model-status';
import { readPayload } from './payload';
import { type HeaderNames, RejectedRecord } from './record';
import { assetColumns, readUnsMessage } from './uns-message';

/** What each kind of message is, as a rejection names it. */
const PAYLOADS: Readonly<Record<MlMessageKind, string>> = {
  score: 'an anomaly score',
  'shadow-score': 'an anomaly score',
  event: 'an anomaly event',
  drift: 'a model drift',
  status: 'a model status',
};

/**
 * The rows of one `uns.ml` record, in the table its MQTT topic calls for:
 *
 * | MQTT topic                                   | table               | rows                      | `dt` from     |
 * | -------------------------------------------- | ------------------- | ------------------------- | ------------- |
 * | `…/{asset}/_ml/{model}`, `…/{model}/shadow`  | `inference_results` | one per scored window     | `windowStart` |
 * | `…/{asset}/_ml/{model}/events`               | `anomaly_events`    | one per event             | `start`       |
 * | `…/{asset}/_ml/{model}/drift`                | `model_drift`       | one per channel, + score  | `windowStart` |
 * | `{enterprise}/{site}/_ml/{model}/status`     | `model_status`      | one per status            | `ts`          |
 *
 * @throws RejectedRecord when the record has no MQTT-topic header, the topic is none of these,
 *   or the payload is not the contract's message of that topic.
 */
export function flattenMlRecord(record: MSKRecord, headers: HeaderNames): TableRows {
  const { levels, columns } = readUnsMessage(record, headers);
  const kind = mlMessageKind(levels);
  if (kind === undefined) {
    throw new RejectedRecord(
      `MQTT topic ${columns.mqtt_topic} is no inference runtime topic (…/{asset}/_ml/{model}[/shadow|/events|/drift], {enterprise}/{site}/_ml/{model}/status)`,
    );
  }
  const payload = readPayload(record, PAYLOADS[kind]);
  switch (kind) {
    case 'score':
    case 'shadow-score': {
      const shadow = kind === 'shadow-score';
      const row = inferenceResultRow(assetColumns(levels), columns, payload, shadow);
      return { table: INFERENCE_RESULTS_TABLE, rows: [row] };
    }
    case 'event': {
      const row = anomalyEventRow(assetColumns(levels), columns, payload);
      return { table: ANOMALY_EVENTS_TABLE, rows: [row] };
    }
    case 'drift':
      return {
        table: MODEL_DRIFT_TABLE,
        rows: modelDriftRows(assetColumns(levels), columns, payload),
      };
    case 'status':
      return { table: MODEL_STATUS_TABLE, rows: [modelStatusRow(levels, columns, payload)] };
  }
}

/** `uns.ml` into its four tables. */
export const mlFlattener: Flattener = {
  tables: [INFERENCE_RESULTS_TABLE, ANOMALY_EVENTS_TABLE, MODEL_DRIFT_TABLE, MODEL_STATUS_TABLE],
  flatten: flattenMlRecord,
};
