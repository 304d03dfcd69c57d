import { readFileSync } from 'node:fs';
import Ajv, { type ErrorObject, type JSONSchemaType } from 'ajv';
import { parse as parseYaml } from 'yaml';

/** A configuration that cannot run; the message lists every problem. */
export class ConfigError extends Error {
  constructor(
    component: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid ${component} configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** How to assemble one component's configuration from its sources. */
export interface LayeredConfig<T> {
  /** Component name, for error messages. */
  component: string;
  schema: JSONSchemaType<T>;
  defaults: T;
  /** A YAML or JSON file (`--config`). */
  file?: string;
  /** Name and value of the variable carrying any part of the configuration as JSON. */
  json?: { variable: string; value: string | undefined };
  /** Single values from environment variables; push a problem for a value that cannot be read. */
  singleValues?: (problems: string[]) => Record<string, unknown>;
  /** Rules a schema cannot state (cross-field checks); returns the problems found. */
  check?: (config: T) => string[];
}

/**
 * Defaults, then the file, then the JSON variable, then single-value variables (objects merge key
 * by key; arrays and scalars replace); the result must satisfy the schema and the checks.
 *
 * @throws ConfigError listing every problem (unreadable file, bad JSON, schema violations).
 */
export function loadLayeredConfig<T>(options: LayeredConfig<T>): T {
  const problems: string[] = [];
  const layers: unknown[] = [options.defaults];
  if (options.file !== undefined) {
    try {
      layers.push(parseYaml(readFileSync(options.file, 'utf8')));
    } catch (error) {
      problems.push(`config file ${options.file}: ${(error as Error).message}`);
    }
  }
  if (options.json?.value !== undefined && options.json.value !== '') {
    try {
      layers.push(JSON.parse(options.json.value));
    } catch (error) {
      problems.push(`${options.json.variable}: ${(error as Error).message}`);
    }
  }
  if (options.singleValues !== undefined) layers.push(options.singleValues(problems));
  if (problems.length > 0) throw new ConfigError(options.component, problems);

  const merged = layers.reduce(deepMerge);
  const validate = new Ajv({ allErrors: true }).compile(options.schema);
  if (!validate(merged)) {
    throw new ConfigError(options.component, (validate.errors ?? []).map(describeSchemaError));
  }
  const semantic = options.check?.(merged) ?? [];
  if (semantic.length > 0) throw new ConfigError(options.component, semantic);
  return merged;
}

/** `a.b.c must be ... (detail)` for one Ajv error. */
function describeSchemaError(error: ErrorObject): string {
  const where =
    error.instancePath === '' ? '(root)' : error.instancePath.slice(1).replaceAll('/', '.');
  const extra =
    error.keyword === 'additionalProperties'
      ? ` (${(error.params as { additionalProperty: string }).additionalProperty})`
      : error.keyword === 'enum'
        ? ` (${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')})`
        : '';
  return `${where} ${error.message ?? 'is invalid'}${extra}`;
}

/** Objects merge key by key; arrays and scalars of the later layer replace the earlier ones. */
function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override))
    return override === undefined ? base : override;
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    result[key] = deepMerge(base[key], value);
  }
  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
