import { utcDay } from './delivery';
import { modelColumns, type ModelColumns } from './ml-address';
import { finite, flag, type JsonObject, timestamp } from './payload';
import type { AssetColumns, MessageColumns } from './uns-message';

/** The Lakehouse table of anomaly scores, serving and shadow (lib/lakehouse/tables.ts). */
export const INFERENCE_RESULTS_TABLE = 'inference_results';

/** One row of `inference_results`: one scored window, plus its partition values. */
export interface InferenceResultRow extends AssetColumns, ModelColumns, MessageColumns {
  /** First and last sample time of the window, epoch milliseconds. */
  readonly window_start: number;
  readonly window_end: number;
  readonly score: number;
  readonly threshold: number;
  /** `anomaly` of the message. */
  readonly is_anomaly: boolean;
  /** Scored by a shadow (candidate) model. */
  readonly shadow: boolean;
  readonly latency_ms: number;
  /** UTC day of `window_start`. */
  readonly dt: string;
}

/**
 * The row of an `AnomalyScore`, of the serving model (channel `anomaly`) or of a shadow model
 * (`anomalyShadow`). `shadow` is true on the shadow channel, and for a score that says so itself.
 *
 * @throws RejectedRecord when the payload is no `AnomalyScore`.
 */
export function inferenceResultRow(
  asset: AssetColumns,
  columns: MessageColumns,
  payload: JsonObject,
  onShadowChannel: boolean,
): InferenceResultRow {
  const windowStart = timestamp(payload.windowStart, 'windowStart');
  return {
    ...asset,
    ...modelColumns(payload),
    window_start: windowStart,
    window_end: timestamp(payload.windowEnd, 'windowEnd'),
    score: finite(payload.score, 'score'),
    threshold: finite(payload.threshold, 'threshold'),
    is_anomaly: flag(payload.anomaly, 'anomaly'),
    shadow: onShadowChannel || (payload.shadow !== undefined && flag(payload.shadow, 'shadow')),
    latency_ms: finite(payload.latencyMs, 'latencyMs'),
    ...columns,
    dt: utcDay(windowStart),
  };
}
