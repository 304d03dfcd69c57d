import { isUtf8 } from 'node:buffer';

/** A telemetry block as the contract defines it, parsed for windowing. */
export interface TelemetryBlock {
  /** Time of the first sample, ms since the epoch. */
  readonly t0Ms: number;
  readonly dtMs: number;
  /** Samples; non-finite entries (and all of a `bad` block) are missing values. */
  readonly values: Float64Array;
  readonly seq: number;
}

/** Bounds on the work one telemetry message may cost (`limits` of the configuration). */
export interface BlockLimits {
  /** Larger payloads are skipped without being decoded or parsed. */
  readonly maxPayloadBytes: number;
  /** Blocks with more samples are skipped (before any windowing). */
  readonly maxBlockSamples: number;
}

/** Why a payload was not taken as a block (the `reason` of the skipped-messages counter). */
export type BlockRejection =
  /** Over `maxPayloadBytes`: not even decoded. */
  | 'payload-too-large'
  /** Not valid UTF-8 (JSON text must be). */
  | 'invalid-utf8'
  /** JSON nested deeper than a block ever is ({@link MAX_NESTING}): not parsed. */
  | 'too-deep'
  /** Not JSON. */
  | 'unparseable'
  /** JSON, but not a block: not an object, or `t0`, `dtMs`, `seq` or `values` unusable. */
  | 'invalid'
  /** More than `maxSamples` values. */
  | 'too-many-samples';

/**
 * Deepest nesting of objects and arrays parsed. A contract block has two levels (the object and
 * its `values`); V8's `JSON.parse` takes time superlinear in the depth (measured in Node 20: a
 * 1 MB array nested 500,000 deep blocked the event loop for about 200 ms).
 */
export const MAX_NESTING = 8;

const OPENING = [0x7b, 0x5b] as const; // { [

/**
 * Parses a telemetry payload: `{t0, dtMs, values, seq, quality?}`. Non-number or non-finite
 * values (e.g. `1e999` parses as Infinity, `null`) become NaN, and so does every value of a block
 * of quality `bad`; the counts are returned so they can be reported.
 *
 * The cost is bounded before anything is parsed: a payload over `limits.maxPayloadBytes` is
 * rejected on its length, one that is not UTF-8 or nests deeper than {@link MAX_NESTING} on a
 * scan of its bytes (native unless it has more than {@link MAX_NESTING} brackets at all), and a
 * block of more than `limits.maxBlockSamples` values before its samples are copied. It never throws.
 */
export function parseBlock(
  payload: Buffer,
  limits: BlockLimits,
): { block: TelemetryBlock; missing: number } | { rejected: BlockRejection; reason: string } {
  if (payload.length > limits.maxPayloadBytes) {
    return {
      rejected: 'payload-too-large',
      reason: `${payload.length} bytes, more than limits.maxPayloadBytes (${limits.maxPayloadBytes})`,
    };
  }
  if (!isUtf8(payload)) return { rejected: 'invalid-utf8', reason: 'payload is not UTF-8' };
  if (nestedDeeperThan(payload, MAX_NESTING)) {
    return { rejected: 'too-deep', reason: `JSON nested deeper than ${MAX_NESTING} levels` };
  }
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
  if (values.length > limits.maxBlockSamples) {
    return {
      rejected: 'too-many-samples',
      reason: `${values.length} values, more than limits.maxBlockSamples (${limits.maxBlockSamples})`,
    };
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

/**
 * Whether JSON text nests objects and arrays deeper than `max`. Counting the opening brackets
 * (`Buffer.indexOf`, native) settles it for any text with at most `max` of them, as every block
 * has; only other texts are walked byte by byte, skipping strings.
 */
function nestedDeeperThan(text: Buffer, max: number): boolean {
  let brackets = 0;
  for (const bracket of OPENING) {
    for (let at = text.indexOf(bracket); at >= 0; at = text.indexOf(bracket, at + 1)) {
      brackets += 1;
      if (brackets > max) return depthExceeds(text, max);
    }
  }
  return false;
}

function depthExceeds(text: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const byte = text[i];
    if (inString) {
      if (byte === 0x5c)
        i += 1; // backslash: skip the escaped byte
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x7b || byte === 0x5b) {
      depth += 1;
      if (depth > max) return true;
    } else if (byte === 0x7d || byte === 0x5d) depth -= 1;
  }
  return false;
}
