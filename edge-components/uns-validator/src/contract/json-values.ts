/** What schemas and payloads hold, as the contract code tells JSON values apart. */

/** A JSON value that compares with `===`. */
export type Primitive = string | number | boolean | null;

/** Whether a value is a JSON object (not an array, not null). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isPrimitive(value: unknown): value is Primitive {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}
