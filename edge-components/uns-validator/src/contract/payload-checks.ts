/**
 * A message's payload schema turned into checks on the properties of a flat JSON object, for the
 * schemas nearly every UNS contract has (objects of numbers, strings, booleans, arrays of numbers,
 * with ranges, lengths, enums and `date-time`): judging a payload against them needs no parsed
 * value. A schema using anything else gets no checks, and its messages are judged by ajv alone.
 */
import type { AnySchema } from 'ajv';
import { isObject, isPrimitive, type Primitive } from './json-values';

/** What a property's value must satisfy (the keywords of its schema, each optional). */
export interface ValueCheck {
  /** Allowed JSON types, a sum of {@link TYPE} bits ({@link ANY_TYPE} without `type`). */
  readonly types: number;
  /** Each list (`enum`, `const`) must contain the value. */
  readonly allowed: readonly (readonly Primitive[])[];
  readonly minimum: number;
  readonly maximum: number;
  readonly exclusiveMinimum: number;
  readonly exclusiveMaximum: number;
  readonly minLength: number;
  readonly maxLength: number;
  /** `format: date-time`. */
  readonly dateTime: boolean;
  readonly minItems: number;
  readonly maxItems: number;
  /** What every item of an array must satisfy (`items`). */
  readonly items?: ValueCheck;
  /** `false` schema: no value passes. */
  readonly never: boolean;
}

/** What an object must satisfy: one per schema of an `allOf` chain (all must hold). */
export interface ObjectCheck {
  readonly required: readonly string[];
  readonly properties: ReadonlyMap<string, ValueCheck>;
  /** `additionalProperties: false`: only `properties` may be present. */
  readonly closed: boolean;
}

/** A payload schema as checks: every object check must hold. `never`: the `false` schema. */
export interface PayloadChecks {
  readonly objects: readonly ObjectCheck[];
  readonly never: boolean;
}

/** The JSON types as bits of {@link ValueCheck.types}. */
export const TYPE = {
  string: 1,
  number: 2,
  integer: 4,
  boolean: 8,
  null: 16,
  array: 32,
  object: 64,
} as const;
export const ANY_TYPE = 127;

/** Keywords that only annotate: ajv ignores them, so do the checks (and every `x-` extension). */
const ANNOTATIONS = new Set([
  'title',
  'description',
  '$comment',
  'examples',
  'example',
  'default',
  'readOnly',
  'writeOnly',
  'deprecated',
  'externalDocs',
  'contentEncoding',
  'contentMediaType',
]);
const OBJECT_KEYWORDS = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'allOf',
]);
const VALUE_KEYWORDS = new Set([
  'type',
  'enum',
  'const',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'format',
  'items',
  'minItems',
  'maxItems',
]);
/** Property names the byte scanner compares as they are: printable ASCII, no quote or backslash. */
const PLAIN_NAME = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * The checks of a payload schema, or `undefined` when it uses a keyword (or form of one) the checks
 * do not cover: then only ajv can judge its payloads. A message without a schema accepts any JSON.
 */
export function payloadChecks(schema: AnySchema | undefined): PayloadChecks | undefined {
  if (schema === undefined || schema === true) return { objects: [], never: false };
  if (schema === false) return { objects: [], never: true };
  const objects: ObjectCheck[] = [];
  return collectObjects(schema, objects) ? { objects, never: false } : undefined;
}

function collectObjects(schema: unknown, objects: ObjectCheck[]): boolean {
  if (schema === true) return true;
  if (!isObject(schema) || !onlyKeywords(schema, OBJECT_KEYWORDS)) return false;
  const { type, properties = {}, required = [], additionalProperties = true, allOf = [] } = schema;
  if (type !== undefined && type !== 'object') return false;
  if (!isObject(properties) || !Array.isArray(allOf) || typeof additionalProperties !== 'boolean') {
    return false;
  }
  if (!isStringList(required) || !required.every((name) => PLAIN_NAME.test(name))) return false;
  const checks = new Map<string, ValueCheck>();
  for (const [name, property] of Object.entries(properties)) {
    const check = valueCheck(property);
    if (check === undefined || !PLAIN_NAME.test(name)) return false;
    checks.set(name, check);
  }
  objects.push({ required, properties: checks, closed: !additionalProperties });
  return allOf.every((branch) => collectObjects(branch, objects));
}

function valueCheck(schema: unknown): ValueCheck | undefined {
  if (typeof schema === 'boolean') return { ...ANY_VALUE, never: !schema };
  if (!isObject(schema) || !onlyKeywords(schema, VALUE_KEYWORDS)) return undefined;
  const types = typeBits(schema.type);
  const allowed: Primitive[][] = [];
  if ('enum' in schema) {
    if (!Array.isArray(schema.enum) || !schema.enum.every(isPrimitive)) return undefined;
    allowed.push(schema.enum);
  }
  if ('const' in schema) {
    if (!isPrimitive(schema.const)) return undefined;
    allowed.push([schema.const]);
  }
  const bounds = [
    schema.minimum,
    schema.maximum,
    schema.exclusiveMinimum,
    schema.exclusiveMaximum,
    schema.minLength,
    schema.maxLength,
    schema.minItems,
    schema.maxItems,
  ];
  if (!bounds.every((bound) => bound === undefined || typeof bound === 'number')) return undefined;
  if (schema.format !== undefined && schema.format !== 'date-time') return undefined;
  const items = schema.items === undefined ? undefined : valueCheck(schema.items);
  if (types === null || (schema.items !== undefined && items === undefined)) return undefined;
  return {
    types,
    allowed,
    minimum: number(schema.minimum, -Infinity),
    maximum: number(schema.maximum, Infinity),
    exclusiveMinimum: number(schema.exclusiveMinimum, -Infinity),
    exclusiveMaximum: number(schema.exclusiveMaximum, Infinity),
    minLength: number(schema.minLength, 0),
    maxLength: number(schema.maxLength, Infinity),
    dateTime: schema.format === 'date-time',
    minItems: number(schema.minItems, 0),
    maxItems: number(schema.maxItems, Infinity),
    items,
    never: false,
  };
}

const ANY_VALUE: ValueCheck = {
  types: ANY_TYPE,
  allowed: [],
  minimum: -Infinity,
  maximum: Infinity,
  exclusiveMinimum: -Infinity,
  exclusiveMaximum: Infinity,
  minLength: 0,
  maxLength: Infinity,
  dateTime: false,
  minItems: 0,
  maxItems: Infinity,
  never: false,
};

/** The {@link TYPE} bits `type` allows; `null` when `type` is not a valid list of types. */
function typeBits(type: unknown): number | null {
  if (type === undefined) return ANY_TYPE;
  const types = typeof type === 'string' ? [type] : type;
  if (!isStringList(types) || types.length === 0) return null;
  let bits = 0;
  for (const name of types) {
    if (!Object.hasOwn(TYPE, name)) return null;
    bits |= TYPE[name as keyof typeof TYPE];
  }
  return bits;
}

function onlyKeywords(schema: Record<string, unknown>, keywords: ReadonlySet<string>): boolean {
  return Object.keys(schema).every(
    (keyword) => keywords.has(keyword) || ANNOTATIONS.has(keyword) || keyword.startsWith('x-'),
  );
}

function number(value: unknown, otherwise: number): number {
  return typeof value === 'number' ? value : otherwise;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
