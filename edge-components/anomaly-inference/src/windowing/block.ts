/** A telemetry block as the contract defines it, parsed for windowing. */
export interface TelemetryBlock {
  /** Time of the first sample, ms since the epoch. */
  readonly t0Ms: number;
  readonly dtMs: number;
  /** Samples; non-finite entries (and all of a `bad` block) are missing values. */
  readonly values: Float64Array;
  readonly seq: number;
}

/** Why a payload could not be read as a block. */
export type BlockRejection = 'unparseable' | 'invalid';

/**
 * Parses a telemetry payload: `{t0, dtMs, values, seq, quality?}`. Non-number or non-finite
 * values (e.g. `1e999` parses as Infinity, `null`) become NaN, and so does every value of a block
 * of quality `bad`; the counts are returned so they can be reported.
 */
export function parseBlock(
  payload: Buffer,
): { block: TelemetryBlock; missing: number } | { rejected: BlockRejection; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch (error) {
    return { rejected: 'unparseable', reason: (error as Error).message };
  }
  if (typeof value !== 'object' || value === null) {
    return { rejected: 'invalid', reason: 'payload is not an object' };
  }
  const { t0, dtMs, values, seq, quality } = value as Record<string, unknown>;
  const t0Ms = typeof t0 === 'string' ? Date.parse(t0) : Number.NaN;
  if (!Number.isFinite(t0Ms)) return { rejected: 'invalid', reason: 't0 is not a date-time' };
  if (typeof dtMs !== 'number' || !(dtMs > 0) || !Number.isFinite(dtMs)) {
    return { rejected: 'invalid', reason: 'dtMs is not a positive number' };
  }
  if (!Number.isSafeInteger(seq) || (seq as number) < 0) {
    return { rejected: 'invalid', reason: 'seq is not an integer >= 0' };
  }
  if (!Array.isArray(values) || values.length === 0) {
    return { rejected: 'invalid', reason: 'values is not a non-empty array' };
  }
  const bad = quality === 'bad';
  const samples = new Float64Array(values.length);
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const v: unknown = values[i];
    if (!bad && typeof v === 'number' && Number.isFinite(v)) samples[i] = v;
    else {
      samples[i] = Number.NaN;
      missing += 1;
    }
  }
  return { block: { t0Ms, dtMs, values: samples, seq: seq as number }, missing };
}
