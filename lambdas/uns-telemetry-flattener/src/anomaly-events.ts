import { utcDay } from './delivery';
import { modelColumns, type ModelColumns } from './ml-address';
import { count, finite, type JsonObject, timestamp } from './payload';
import type { AssetColumns, MessageColumns } from './uns-message';

/** The Lakehouse table of anomaly events (lib/lakehouse/tables.ts). */
export const ANOMALY_EVENTS_TABLE = 'anomaly_events';

/** One row of `anomaly_events`: one run of anomalous windows, plus its partition values. */
export interface AnomalyEventRow extends AssetColumns, ModelColumns, MessageColumns {
  /** `start`, `end` and `peakAt` of the message, epoch milliseconds. */
  readonly event_start: number;
  readonly event_end: number;
  readonly peak_score: number;
  readonly peak_at: number;
  readonly windows: number;
  readonly threshold: number;
  /** UTC day of `event_start`. */
  readonly dt: string;
}

/**
 * The row of an `AnomalyEvent` (channel `anomalyEvent`).
 *
 * @throws RejectedRecord when the payload is no `AnomalyEvent`.
 */
export function anomalyEventRow(
  asset: AssetColumns,
  columns: MessageColumns,
  payload: JsonObject,
): AnomalyEventRow {
  const start = timestamp(payload.start, 'start');
  return {
    ...asset,
    ...modelColumns(payload),
    event_start: start,
    event_end: timestamp(payload.end, 'end'),
    peak_score: finite(payload.peakScore, 'peakScore'),
    peak_at: timestamp(payload.peakAt, 'peakAt'),
    windows: count(payload.windows, 'windows'),
    threshold: finite(payload.threshold, 'threshold'),
    ...columns,
    dt: utcDay(start),
  };
}
