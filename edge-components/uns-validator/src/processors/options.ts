/** What the built-in processors share: checking their options, reading JSON payloads, mirror topics. */
import { describeSchemaError } from '@uns-mlops/edge-common';
import Ajv, { type JSONSchemaType } from 'ajv';

const ajv = new Ajv({ allErrors: true, useDefaults: true });

/** A topic prefix: no wildcard, no empty level at either end. */
export const PREFIX_SCHEMA = { type: 'string', pattern: '^[^#+/]([^#+]*[^#+/])?$' } as const;

/**
 * `options` checked against `schema`, with the schema's defaults filled in (on a copy).
 *
 * @throws Error listing every problem, each naming its option (`options.units.A.factor must be number`).
 */
export function checkOptions<T>(schema: JSONSchemaType<T>, options: Record<string, unknown>): T {
  const validate = ajv.compile(schema);
  const copy: unknown = structuredClone(options);
  if (!validate(copy)) {
    throw new Error(
      (validate.errors ?? []).map((error) => describeSchemaError(error, 'options')).join('; '),
    );
  }
  return copy;
}

/** The payload as a JSON object; undefined when it is not UTF-8 JSON or not an object (Sparkplug B protobuf, say). */
export function jsonObjectOf(payload: Buffer): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : undefined;
}
