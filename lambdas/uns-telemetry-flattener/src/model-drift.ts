import { utcDay } from './delivery';
import { modelColumns, type ModelColumns } from './ml-address';
import { count, finite, flag, isObject, type JsonObject, oneOf, text, timestamp } from './payload';
import { RejectedRecord } from './record';
import type { AssetColumns, MessageColumns } from './uns-message';

/** The Lakehouse table of drift statistics (lib/lakehouse/tables.ts). */
export const MODEL_DRIFT_TABLE = 'model_drift';

/** `subject` of the row about the anomaly scores; the other rows name an input channel. */
export const SCORE_SUBJECT = 'score';

/** The drift statistics of the contract's `ModelDrift`. */
const STATISTICS = ['psi'] as const;

/** One row of `model_drift`: one distribution of one evaluation, plus its partition values. */
export interface ModelDriftRow extends AssetColumns, ModelColumns, MessageColumns {
  /** The drift window, epoch milliseconds. */
  readonly window_start: number;
  readonly window_end: number;
  readonly statistic: (typeof STATISTICS)[number];
  /** The input channel, or {@link SCORE_SUBJECT} for the anomaly scores. */
  readonly subject: string;
  readonly value: number;
  readonly samples: number;
  readonly threshold: number;
  readonly drifted: boolean;
  /** UTC day of `window_start`. */
  readonly dt: string;
}

/**
 * The rows of a `ModelDrift` message (channel `anomalyDrift`): one per entry of `channels`, and
 * one with subject `score` when the message has the scores' statistic. Its own `ts` (when the
 * runtime evaluated) and overall `drifted` (any row drifted) are not kept: the window dates the
 * rows, and the rows tell which distribution drifted.
 *
 * @throws RejectedRecord when the payload is no `ModelDrift`, or names a channel `score`.
 */
export function modelDriftRows(
  asset: AssetColumns,
  columns: MessageColumns,
  payload: JsonObject,
): ModelDriftRow[] {
  const windowStart = timestamp(payload.windowStart, 'windowStart');
  const evaluation = {
    ...asset,
    ...modelColumns(payload),
    window_start: windowStart,
    window_end: timestamp(payload.windowEnd, 'windowEnd'),
    statistic: oneOf(payload.statistic, 'statistic', STATISTICS),
    threshold: finite(payload.threshold, 'threshold'),
    ...columns,
    dt: utcDay(windowStart),
  };
  const { channels, score } = payload;
  if (!Array.isArray(channels) || channels.length === 0) {
    throw new RejectedRecord('channels must be a non-empty list');
  }
  const rows = (channels as unknown[]).map((entry, index) => {
    const where = `channels[${index}]`;
    if (!isObject(entry)) throw new RejectedRecord(`${where} is not an object`);
    const subject = text(entry.name, `${where}.name`);
    if (subject === SCORE_SUBJECT) {
      throw new RejectedRecord(`${where}.name "${SCORE_SUBJECT}" would pass for the scores' row`);
    }
    return { ...evaluation, subject, ...distribution(entry, where) };
  });
  if (score === undefined) return rows;
  if (!isObject(score)) throw new RejectedRecord('score is not an object');
  return [...rows, { ...evaluation, subject: SCORE_SUBJECT, ...distribution(score, 'score') }];
}

/** The contract's `DriftValue`: the statistic of one distribution. */
function distribution(entry: JsonObject, where: string) {
  return {
    value: finite(entry.value, `${where}.value`),
    samples: count(entry.samples, `${where}.samples`),
    drifted: flag(entry.drifted, `${where}.drifted`),
  };
}
