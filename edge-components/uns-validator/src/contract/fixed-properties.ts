/**
 * Which messages of a channel a payload cannot be, known before their schemas run: a channel with
 * several messages (one per signal, say) must test the payload against each, and the messages
 * usually differ in a property that each fixes to a constant (`unit: A`, `unit: V`, ...).
 */
import type { AnySchema } from 'ajv';
import { isObject, isPrimitive, type Primitive } from './json-values';

/** A top-level property that a message's payload schema allows only a few primitive values for. */
export interface FixedProperty {
  readonly name: string;
  readonly values: readonly Primitive[];
}

/**
 * The top-level properties that `schema` fixes to a primitive `const`, or to an `enum` of
 * primitives, wherever a payload has them: in its own `properties` or those of an `allOf` branch
 * (nested `allOf` too: every branch applies). Constraints under `anyOf`, `oneOf`, `not`, `if` or
 * a property's own combinators are not looked at, so what is returned always holds.
 */
export function fixedProperties(schema: AnySchema | undefined): FixedProperty[] {
  const fixed: FixedProperty[] = [];
  collect(schema, fixed);
  return fixed;
}

function collect(schema: unknown, fixed: FixedProperty[]): void {
  if (!isObject(schema)) return;
  const { properties, allOf } = schema;
  if (isObject(properties)) {
    for (const [name, property] of Object.entries(properties)) {
      const values = allowedValues(property);
      if (values !== undefined) fixed.push({ name, values });
    }
  }
  if (Array.isArray(allOf)) {
    for (const branch of allOf) collect(branch, fixed);
  }
}

function allowedValues(property: unknown): Primitive[] | undefined {
  if (!isObject(property)) return undefined;
  if ('const' in property) {
    return isPrimitive(property.const) ? [property.const] : undefined;
  }
  const { enum: values } = property;
  return Array.isArray(values) && values.every(isPrimitive) ? values : undefined;
}

/**
 * Whether `data` cannot match a schema with these fixed properties: it is a JSON object with one
 * of them as its own property, set to a value the schema does not allow. A payload without the
 * property is never ruled out (the schema may not require it).
 */
export function ruledOut(fixed: readonly FixedProperty[], data: unknown): boolean {
  if (fixed.length === 0 || !isObject(data)) return false;
  for (const { name, values } of fixed) {
    if (Object.hasOwn(data, name) && !values.includes(data[name] as Primitive)) return true;
  }
  return false;
}
