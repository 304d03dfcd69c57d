/**
 * `normalise`: converts the numbers of valid JSON messages to the plant's units and flags (or
 * clamps) values outside configured ranges, into a mirror topic or for the rest of the chain.
 */
import type { JSONSchemaType } from 'ajv';
import { checkOptions, jsonObjectOf, PREFIX_SCHEMA } from './options';
import type { ProcessorFactory, ProcessorOutcome } from './processor';

/** A unit conversion: `converted = value * factor + offset`. */
export interface UnitConversion {
  /** The unit after conversion, written to the unit field. */
  to: string;
  factor: number;
  /** @default 0 */
  offset: number;
}

/** Bounds of a unit's values, inclusive; either may be absent. */
export interface ValueRange {
  min?: number;
  max?: number;
}

/** Options of `normalise`. */
export interface NormaliseOptions {
  /**
   * Mirror namespace when `output` is `mirror`: the message is published to `<prefix>/<topic>`.
   * @default '_normalised'
   */
  prefix: string;
  /**
   * `mirror` publishes the normalised message to `<prefix>/<topic>` and hands the message on
   * unchanged; `next` publishes nothing and hands the normalised message to the rest of the chain
   * (e.g. to `downsample`).
   * @default 'mirror'
   */
  output: 'mirror' | 'next';
  /**
   * The payload property naming the unit of its values (the telemetry blocks' `unit`).
   * @default 'unit'
   */
  unitField: string;
  /**
   * Payload properties holding the values: a number, or an array whose numbers are converted.
   * @default ['values']
   */
  valueFields: string[];
  /**
   * Conversions by the unit the payload names, e.g. `{ A: { to: kA, factor: 0.001 } }` or
   * `{ degF: { to: degC, factor: 0.5555555556, offset: -17.7777777778 } }`.
   * @default {} - no conversion.
   */
  units: Record<string, UnitConversion>;
  /**
   * Ranges by unit (after conversion): values outside are listed in the payload's `outOfRange`,
   * as JSON Pointers (`/values/3`).
   * @default {} - no range check.
   */
  ranges: Record<string, ValueRange>;
  /**
   * Replace each value outside its range by the nearest bound (still listed in `outOfRange`).
   * @default false - values are only flagged.
   */
  clamp: boolean;
}

const finite = { type: 'number' } as const;

const schema: JSONSchemaType<NormaliseOptions> = {
  type: 'object',
  additionalProperties: false,
  required: ['prefix', 'output', 'unitField', 'valueFields', 'units', 'ranges', 'clamp'],
  properties: {
    prefix: { ...PREFIX_SCHEMA, default: '_normalised' },
    output: { type: 'string', enum: ['mirror', 'next'], default: 'mirror' },
    unitField: { type: 'string', minLength: 1, default: 'unit' },
    valueFields: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', minLength: 1 },
      default: ['values'],
    },
    units: {
      type: 'object',
      required: [],
      default: {},
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['to', 'factor', 'offset'],
        properties: {
          to: { type: 'string', minLength: 1 },
          factor: finite,
          offset: { ...finite, default: 0 },
        },
      },
    },
    ranges: {
      type: 'object',
      required: [],
      default: {},
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: [],
        minProperties: 1,
        properties: { min: { ...finite, nullable: true }, max: { ...finite, nullable: true } },
      },
    },
    clamp: { type: 'boolean', default: false },
  },
};

/**
 * Creates the `normalise` processor. For a valid message whose payload is a JSON object: when the
 * unit field names a unit of `units`, every number of the value fields is converted and the unit
 * field set to the new unit; then, when `ranges` has the (new) unit, values outside it are listed
 * in `outOfRange` (and clamped when `clamp`). Other properties are kept. With `output: mirror` the
 * result is published to `<prefix>/<topic>` (a message nothing applied to, unchanged: the mirror
 * holds every valid message of the chain); with `output: next` it replaces the payload for the
 * rest of the chain (the verdict stays the original's). Invalid messages and payloads that are not
 * a JSON object (Sparkplug B protobuf) are `skipped`.
 *
 * @throws Error when an option is wrong.
 */
export const createNormalise: ProcessorFactory = (options) => {
  const settings = checkOptions(schema, options);
  const { prefix, output, unitField, valueFields, clamp } = settings;
  const units = new Map(Object.entries(settings.units));
  const ranges = new Map(Object.entries(settings.ranges));
  return {
    name: 'normalise',
    outputPrefixes: output === 'mirror' ? [prefix] : [],
    process(message): ProcessorOutcome | undefined {
      if (!message.verdict.valid) return undefined;
      const body = jsonObjectOf(message.payload);
      if (body === undefined) return undefined;
      const unit = body[unitField];
      const conversion = typeof unit === 'string' ? units.get(unit) : undefined;
      if (conversion !== undefined) {
        body[unitField] = conversion.to;
        const convert = (value: number) => value * conversion.factor + conversion.offset;
        for (const field of valueFields) mapNumbers(body, field, convert);
      }
      const range = ranges.get(conversion?.to ?? (typeof unit === 'string' ? unit : ''));
      if (range !== undefined) flagOutOfRange(body, valueFields, range, clamp);
      const changed = conversion !== undefined || body.outOfRange !== undefined;
      if (output === 'next') {
        return changed ? { next: { ...message, payload: Buffer.from(JSON.stringify(body)) } } : {};
      }
      const payload = changed ? JSON.stringify(body) : message.payload;
      return { publications: [{ topic: `${prefix}/${message.topic}`, payload }] };
    },
  };
};

/** Replaces the number at `body[field]`, or each number of the array there, by `map(value)`. */
function mapNumbers(body: Record<string, unknown>, field: string, map: (value: number) => number) {
  const value = body[field];
  if (typeof value === 'number') body[field] = map(value);
  else if (Array.isArray(value)) {
    value.forEach((item: unknown, index) => {
      if (typeof item === 'number') value[index] = map(item);
    });
  }
}

/** Lists the values outside `range` in `body.outOfRange` (JSON Pointers), clamping them if asked. */
function flagOutOfRange(
  body: Record<string, unknown>,
  fields: readonly string[],
  range: ValueRange,
  clamp: boolean,
): void {
  // YAML `min: null` is no bound, as an absent one.
  const min = range.min ?? -Infinity;
  const max = range.max ?? Infinity;
  const outOfRange: string[] = [];
  const outside = (value: unknown): value is number =>
    typeof value === 'number' && (value < min || value > max);
  const bound = (value: number) => Math.min(max, Math.max(min, value));
  for (const field of fields) {
    const value = body[field];
    if (outside(value)) {
      outOfRange.push(`/${field}`);
      if (clamp) body[field] = bound(value);
    } else if (Array.isArray(value)) {
      value.forEach((item: unknown, index) => {
        if (!outside(item)) return;
        outOfRange.push(`/${field}/${index}`);
        if (clamp) value[index] = bound(item);
      });
    }
  }
  if (outOfRange.length > 0) body.outOfRange = outOfRange;
}
