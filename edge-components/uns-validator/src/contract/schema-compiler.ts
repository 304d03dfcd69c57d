/**
 * Compiles the JSON Schemas of a contract with ajv, once per schema: message payloads (untrusted
 * device data, so only own properties count) and channel parameters.
 */
import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { DATE_TIME_FORMAT } from './date-time-format';

/** A schema as compiled, and its validator. */
export interface CompiledSchema {
  readonly schema: AnySchema;
  /** Reports every error (`allErrors`). */
  readonly validate: ValidateFunction;
}

/** A payload schema as compiled, with a second validator that stops at the first error. */
export interface CompiledPayloadSchema extends CompiledSchema {
  /** Same verdict as `validate`, faster on invalid data; to tell which messages a payload matches. */
  readonly test: ValidateFunction;
}

/** Resource keywords dropped from every (sub)schema: the parser has resolved every `$ref`. */
const DROPPED_KEYWORDS = new Set(['$id', '$schema']);
/** Keywords whose value is plain data, never a schema: copied as they are. */
const DATA_KEYWORDS = new Set(['enum', 'const', 'default', 'examples', 'example']);
/** Keywords whose value maps names (property names, definition names) to schemas. */
const SCHEMA_MAP_KEYWORDS = new Set([
  'properties',
  'patternProperties',
  'definitions',
  '$defs',
  'dependencies',
  'dependentSchemas',
]);

/**
 * Turns a schema dereferenced by the AsyncAPI parser into one ajv can compile: a reference cycle
 * (a recursive schema) becomes a local `$ref` to the enclosing schema, and `$id`/`$schema` are
 * dropped, since the parser already resolved every reference and repeated `$id`s (one component
 * inlined into several messages) would clash in ajv's registry. Payloads are judged by the
 * AsyncAPI/JSON Schema draft-07 rules ajv applies by default.
 */
export function toCompilableSchema(schema: unknown): AnySchema {
  const ancestors = new Map<object, string>();
  const visit = (node: unknown, pointer: string, isSchemaMap: boolean): unknown => {
    if (typeof node !== 'object' || node === null) return node;
    const ancestor = ancestors.get(node);
    if (ancestor !== undefined) return { $ref: `#${ancestor}` };
    ancestors.set(node, pointer);
    let copy: unknown;
    if (Array.isArray(node)) {
      copy = node.map((item, index) => visit(item, `${pointer}/${String(index)}`, false));
    } else {
      const isKeyword = !isSchemaMap;
      const entries = Object.entries(node as Record<string, unknown>)
        .filter(
          ([key, value]) => !(isKeyword && DROPPED_KEYWORDS.has(key) && typeof value === 'string'),
        )
        .map(([key, value]): [string, unknown] => [
          key,
          isKeyword && DATA_KEYWORDS.has(key)
            ? value
            : visit(
                value,
                `${pointer}/${pointerSegment(key)}`,
                isKeyword && SCHEMA_MAP_KEYWORDS.has(key),
              ),
        ]);
      // fromEntries, not assignment: a property named `__proto__` stays an own property.
      copy = Object.fromEntries(entries);
    }
    ancestors.delete(node);
    return copy;
  };
  return visit(schema, '', false) as AnySchema;
}

/** A JSON Pointer segment in URI fragment form, as ajv resolves `$ref`s. */
function pointerSegment(key: string): string {
  return encodeURIComponent(key.replaceAll('~', '~0').replaceAll('/', '~1'));
}

/** Compiles payload and parameter schemas, each distinct schema object once. */
export class SchemaCompiler {
  readonly #payloadAjv = withFormats(
    new Ajv({ allErrors: true, strict: false, ownProperties: true }),
  );
  readonly #payloadTestAjv = withFormats(new Ajv({ strict: false, ownProperties: true }));
  readonly #parameterAjv = withFormats(
    new Ajv({ allErrors: true, strict: false, coerceTypes: true }),
  );
  readonly #payloads = new Map<unknown, CompiledPayloadSchema>();

  /** Compiles a payload schema made compilable by {@link toCompilableSchema}, once per schema object. */
  compilePayload(schema: AnySchema): CompiledPayloadSchema {
    let compiled = this.#payloads.get(schema);
    if (compiled === undefined) {
      compiled = {
        schema,
        validate: this.#payloadAjv.compile(schema),
        test: this.#payloadTestAjv.compile(schema),
      };
      this.#payloads.set(schema, compiled);
    }
    return compiled;
  }

  /** Compiles the schema of a channel parameter; topic levels are strings, so types are coerced. */
  compileParameter(schema: AnySchema): CompiledSchema {
    return { schema, validate: this.#parameterAjv.compile(schema) };
  }
}

function withFormats(ajv: Ajv): Ajv {
  addFormats(ajv);
  ajv.addFormat('date-time', DATE_TIME_FORMAT);
  return ajv;
}
