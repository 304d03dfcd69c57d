import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';

/** A configuration that cannot run; the message names the component and lists every problem. */
export class ConfigError extends Error {
  constructor(
    readonly component: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid ${component} configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Where a component's configuration comes from, lowest precedence first after the defaults. */
export interface LayeredConfigSources<T> {
  /** Component name used in error messages, e.g. `uns-validator`. */
  readonly component: string;
  /** The JSON Schema the merged configuration must satisfy. */
  readonly schema: object;
  /** The configuration a component runs with when nothing is set. */
  readonly defaults: T;
  /** A YAML or JSON file (`--config`). */
  readonly file?: string;
  /**
   * An environment variable carrying any part of the configuration as JSON (a Greengrass recipe
   * sets it from the component configuration).
   */
  readonly jsonVariable?: { readonly name: string; readonly value: string | undefined };
  /**
   * Single-value layers that win over the JSON variable, in precedence order (e.g. environment
   * variables, then command-line flags). Build them with {@link setPath}; report unusable values
   * in `problems`.
   */
  readonly overrides?: (problems: string[]) => readonly unknown[];
  /** Rules a schema cannot state (cross-field checks) on the valid result; returns the problems. */
  readonly check?: (config: T) => string[];
  /**
   * The component's work folder and the settings (dotted paths) that name data folders: a
   * relative path in one of them is taken relative to the work folder, so the data stays with the
   * component wherever the device keeps it (a Greengrass recipe sets the folder to `{work:path}`).
   * Without a folder, or without this option, relative paths stay relative to the current
   * directory.
   */
  readonly workFolder?: { readonly path: string | undefined; readonly settings: readonly string[] };
}

/**
 * Loads a component's configuration: defaults, then the file, then the JSON variable, then the
 * overrides; validates the merged result against the schema, then the cross-field checks.
 *
 * @throws ConfigError listing every problem (unreadable file, bad JSON, bad values, schema violations).
 */
export function loadLayeredConfig<T>(sources: LayeredConfigSources<T>): T {
  const layers: unknown[] = [sources.defaults];
  const problems: string[] = [];
  if (sources.file !== undefined) {
    try {
      layers.push(parseYaml(readFileSync(sources.file, 'utf8')));
    } catch (error) {
      problems.push(`config file ${sources.file}: ${(error as Error).message}`);
    }
  }
  const json = sources.jsonVariable;
  if (json?.value !== undefined && json.value !== '') {
    try {
      layers.push(JSON.parse(json.value));
    } catch (error) {
      problems.push(`${json.name}: ${(error as Error).message}`);
    }
  }
  layers.push(...(sources.overrides?.(problems) ?? []));
  if (problems.length > 0) throw new ConfigError(sources.component, problems);

  const merged = layers.reduce(deepMerge);
  const validate = new Ajv({ allErrors: true }).compile(sources.schema);
  if (!validate(merged)) {
    throw new ConfigError(
      sources.component,
      (validate.errors ?? []).map((error) => describeSchemaError(error)),
    );
  }
  const semanticProblems = sources.check?.(merged as T) ?? [];
  if (semanticProblems.length > 0) throw new ConfigError(sources.component, semanticProblems);
  return inWorkFolder(merged, sources.workFolder) as T;
}

/**
 * `config` with the relative data folders of `workFolder.settings` taken relative to its path: a
 * copy, since the merged configuration shares nested objects with the layers (the defaults).
 */
function inWorkFolder(config: unknown, workFolder: LayeredConfigSources<unknown>['workFolder']) {
  if (workFolder?.path === undefined || workFolder.path === '') return config;
  const resolved = structuredClone(config) as Record<string, unknown>;
  for (const setting of workFolder.settings) {
    const value = getPath(resolved, setting);
    if (typeof value === 'string' && !isAbsolute(value))
      setPath(resolved, setting, resolve(workFolder.path, value));
  }
  return resolved;
}

/**
 * Sets `value` at a dotted `path` (`broker.url`) of `layer`, creating the objects on the way.
 * `undefined` values are skipped, so optional inputs can be passed straight through.
 */
export function setPath(layer: Record<string, unknown>, path: string, value: unknown): void {
  if (value === undefined) return;
  const keys = path.split('.');
  const last = keys.pop() as string;
  let node = layer;
  for (const key of keys) {
    const child = node[key];
    node[key] = isPlainObject(child) ? child : {};
    node = node[key] as Record<string, unknown>;
  }
  node[last] = value;
}

/**
 * Parses a number-valued setting given as text (environment variable or flag). Returns undefined
 * when the text is absent or empty; records a problem naming `source` when it is not a number.
 */
export function parseNumberSetting(
  text: string | undefined,
  source: string,
  problems: string[],
  options: { integer?: boolean } = {},
): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  const valid = options.integer === true ? Number.isInteger(value) : Number.isFinite(value);
  if (!valid) {
    problems.push(
      `${source} ${JSON.stringify(text)} is not ${options.integer === true ? 'an integer' : 'a number'}`,
    );
    return undefined;
  }
  return value;
}

/** The value at a dotted `path` of `value`, or undefined where the path does not lead. */
function getPath(value: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((node, key) => (isPlainObject(node) ? node[key] : undefined), value);
}

/** Objects merge key by key; arrays and scalars of the later layer replace the earlier ones. */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override))
    return override === undefined ? base : override;
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    result[key] = deepMerge(base[key], value);
  }
  return result;
}

/**
 * One ajv error in words, named by its dotted path: below `prefix` when given
 * (`options.units.A.factor must be number`), else from the root (`pool.workers must be >= 1`).
 */
export function describeSchemaError(error: ErrorObject, prefix?: string): string {
  const path = error.instancePath.replaceAll('/', '.');
  const where = prefix !== undefined ? `${prefix}${path}` : path === '' ? '(root)' : path.slice(1);
  const extra =
    error.keyword === 'additionalProperties'
      ? ` (${(error.params as { additionalProperty: string }).additionalProperty})`
      : error.keyword === 'enum'
        ? ` (${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')})`
        : '';
  return `${where} ${error.message ?? 'is invalid'}${extra}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
