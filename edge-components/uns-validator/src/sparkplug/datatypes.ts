import { org } from 'sparkplug-payload/lib/sparkplugPayloadProto';

const { DataSet, Template } = org.eclipse.tahu.protobuf.Payload;

/** Sparkplug B datatype names; the name at index `i` has the datatype code `i + 1`. */
export const SPARKPLUG_DATATYPES = [
  'Int8',
  'Int16',
  'Int32',
  'Int64',
  'UInt8',
  'UInt16',
  'UInt32',
  'UInt64',
  'Float',
  'Double',
  'Boolean',
  'String',
  'DateTime',
  'Text',
  'UUID',
  'DataSet',
  'Bytes',
  'File',
  'Template',
  'PropertySet',
  'PropertySetList',
  'Int8Array',
  'Int16Array',
  'Int32Array',
  'Int64Array',
  'UInt8Array',
  'UInt16Array',
  'UInt32Array',
  'UInt64Array',
  'FloatArray',
  'DoubleArray',
  'BooleanArray',
  'StringArray',
  'DateTimeArray',
] as const;

/** A Sparkplug B datatype name, e.g. `'Int32'`. */
export type SparkplugDataType = (typeof SPARKPLUG_DATATYPES)[number];

/** The datatype named by a code, or undefined for 0 (Unknown) and codes outside the enumeration. */
export function dataTypeOf(code: number): SparkplugDataType | undefined {
  return SPARKPLUG_DATATYPES[code - 1];
}

function isIntegerIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

function isInt64(value: unknown): boolean {
  if (typeof value === 'bigint') return value >= INT64_MIN && value <= INT64_MAX;
  return typeof value === 'number' && Number.isInteger(value);
}

function isUInt64(value: unknown): boolean {
  if (typeof value === 'bigint') return value >= 0n && value <= UINT64_MAX;
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/**
 * Whether a decoded metric value (see `DecodedMetric.value`) can be a value of the datatype: an
 * integer in range for the integer types, a number for Float/Double, a boolean, a string for
 * String/Text/UUID, bytes for Bytes/File and the array types, a DataSet or a Template message.
 * PropertySet and PropertySetList are property-value types no metric value can carry.
 */
export function valueFitsDataType(type: SparkplugDataType, value: unknown): boolean {
  switch (type) {
    case 'Int8':
      return isIntegerIn(value, -128, 127);
    case 'Int16':
      return isIntegerIn(value, -32_768, 32_767);
    case 'Int32':
      return isIntegerIn(value, -2_147_483_648, 2_147_483_647);
    case 'UInt8':
      return isIntegerIn(value, 0, 255);
    case 'UInt16':
      return isIntegerIn(value, 0, 65_535);
    case 'UInt32':
      return isIntegerIn(value, 0, 4_294_967_295);
    case 'Int64':
      return isInt64(value);
    case 'UInt64':
    case 'DateTime':
      return isUInt64(value);
    case 'Float':
    case 'Double':
      return typeof value === 'number';
    case 'Boolean':
      return typeof value === 'boolean';
    case 'String':
    case 'Text':
    case 'UUID':
      return typeof value === 'string';
    case 'DataSet':
      return value instanceof DataSet;
    case 'Template':
      return value instanceof Template;
    case 'PropertySet':
    case 'PropertySetList':
      return false;
    default:
      return value instanceof Uint8Array; // Bytes, File and the packed array types
  }
}
