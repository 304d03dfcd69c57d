import { org } from 'sparkplug-payload/lib/sparkplugPayloadProto';
import type { VerdictError } from '../verdict';
import { dataTypeOf, type SparkplugDataType } from './datatypes';

const { Payload } = org.eclipse.tahu.protobuf;

/** One metric of a decoded Sparkplug B payload. */
export interface DecodedMetric {
  readonly name?: string;
  /** uint64 on the wire; above 2^53 precision is lost. */
  readonly alias?: number;
  /** The datatype name for a Sparkplug datatype code, the raw code otherwise, undefined when absent. */
  readonly datatype?: SparkplugDataType | number;
  /**
   * The value from whichever protobuf `value` field is set: `null` when `is_null` is true,
   * `undefined` when no value field is set. Integer fields become a number, or a bigint beyond
   * 2^53 (Int8/16/32 and Int64 read as signed, everything else as unsigned); bytes stay a
   * Uint8Array; DataSet and Template values stay the decoded protobuf messages.
   */
  readonly value: unknown;
  readonly isNull?: boolean;
}

/** A decoded Sparkplug B payload with 64-bit fields as numbers. */
export interface DecodedPayload {
  readonly timestamp?: number;
  readonly seq?: number;
  readonly metrics: readonly DecodedMetric[];
}

/** The decoded payload, or why the bytes are not a Sparkplug B payload. */
export type DecodeResult = { readonly payload: DecodedPayload } | { readonly error: VerdictError };

/** protobufjs returns uint64 fields as a number or, when `long` is installed, as a Long. */
type Uint64Field = number | { readonly low: number; readonly high: number };

/**
 * The fields read from a decoded `org.eclipse.tahu.protobuf.Payload.Metric`. The generated typings
 * name `Long` as a global this project does not load, so decoded messages are read through this.
 */
interface WireMetric {
  readonly name?: string;
  readonly alias?: Uint64Field;
  readonly datatype?: number;
  readonly isNull?: boolean;
  /** The name of the `value` oneof member that is set. */
  readonly value?: string;
  readonly intValue?: number;
  readonly longValue?: Uint64Field;
  readonly floatValue?: number;
  readonly doubleValue?: number;
  readonly booleanValue?: boolean;
  readonly stringValue?: string;
  readonly bytesValue?: Uint8Array;
  readonly datasetValue?: object;
  readonly templateValue?: object;
  readonly extensionValue?: object;
}

/** The fields read from a decoded `org.eclipse.tahu.protobuf.Payload`. */
interface WirePayload {
  readonly timestamp?: Uint64Field;
  readonly seq?: Uint64Field;
  readonly metrics: readonly WireMetric[];
}

const TWO_32 = 2 ** 32;
const SAFE_HIGH = 0x20_0000; // high words below this keep high * 2^32 + low under 2^53

function unsigned64(field: Uint64Field): number | bigint {
  if (typeof field === 'number') return field;
  const high = field.high >>> 0;
  const low = field.low >>> 0;
  if (high < SAFE_HIGH) return high * TWO_32 + low;
  return (BigInt(high) << 32n) | BigInt(low);
}

function signed64(field: Uint64Field): number | bigint {
  if (typeof field === 'number') return field;
  const high = field.high | 0;
  const low = field.low >>> 0;
  if (high >= -SAFE_HIGH && high < SAFE_HIGH) return high * TWO_32 + low;
  return BigInt.asIntN(64, (BigInt(high >>> 0) << 32n) | BigInt(low));
}

/** A uint64 field that was on the wire, as a number; undefined for an absent field. */
function ownUint64<K extends 'timestamp' | 'seq' | 'alias'>(
  message: { readonly [key in K]?: Uint64Field },
  key: K,
): number | undefined {
  const field = message[key];
  return field !== undefined && Object.hasOwn(message, key) ? Number(unsigned64(field)) : undefined;
}

function metricValue(
  metric: WireMetric,
  datatype: SparkplugDataType | number | undefined,
): unknown {
  if (metric.isNull === true) return null;
  switch (metric.value) {
    case 'intValue': {
      const raw = metric.intValue ?? 0;
      const signed = datatype === 'Int8' || datatype === 'Int16' || datatype === 'Int32';
      return signed ? raw | 0 : raw;
    }
    case 'longValue': {
      const raw = metric.longValue ?? 0;
      return datatype === 'Int64' ? signed64(raw) : unsigned64(raw);
    }
    case 'floatValue':
      return metric.floatValue;
    case 'doubleValue':
      return metric.doubleValue;
    case 'booleanValue':
      return metric.booleanValue;
    case 'stringValue':
      return metric.stringValue;
    case 'bytesValue':
      return metric.bytesValue;
    case 'datasetValue':
      return metric.datasetValue;
    case 'templateValue':
      return metric.templateValue;
    case 'extensionValue':
      return metric.extensionValue;
    default:
      return undefined;
  }
}

/** Decoded messages carry proto2 defaults on their prototype: only own properties were on the wire. */
function datatypeOf(metric: WireMetric): SparkplugDataType | number | undefined {
  if (metric.datatype === undefined || !Object.hasOwn(metric, 'datatype')) return undefined;
  return dataTypeOf(metric.datatype) ?? metric.datatype;
}

function decodeMetric(metric: WireMetric): DecodedMetric {
  const datatype = datatypeOf(metric);
  return {
    name: Object.hasOwn(metric, 'name') ? metric.name : undefined,
    alias: ownUint64(metric, 'alias'),
    datatype,
    value: metricValue(metric, datatype),
    isNull: metric.isNull === true,
  };
}

function unparseable(reason: string): { readonly error: VerdictError } {
  return {
    error: {
      kind: 'unparseable-payload',
      path: '',
      message: `not a Sparkplug B protobuf payload: ${reason}`,
    },
  };
}

/**
 * Decodes a Sparkplug B payload with the Eclipse Tahu codec of `sparkplug-payload`. Never throws:
 * empty, truncated or otherwise undecodable bytes give an `unparseable-payload` error.
 */
export function decodeSparkplugPayload(bytes: Uint8Array): DecodeResult {
  if (bytes.length === 0) return unparseable('the payload is empty');
  let proto: WirePayload;
  try {
    proto = Payload.decode(bytes) as unknown as WirePayload;
  } catch (error) {
    return unparseable(error instanceof Error ? error.message : String(error));
  }
  return {
    payload: {
      timestamp: ownUint64(proto, 'timestamp'),
      seq: ownUint64(proto, 'seq'),
      metrics: proto.metrics.map(decodeMetric),
    },
  };
}
