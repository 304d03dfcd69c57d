/**
 * `contextualise`: mirrors each valid JSON message with a `context` object: its ISA-95 levels,
 * channel and contract version, and the attributes a configured asset model gives its asset.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv, { type JSONSchemaType } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { describeSchemaError } from '@uns-mlops/edge-common';
import { checkOptions, jsonObjectOf, PREFIX_SCHEMA } from './options';
import type { ProcessorFactory } from './processor';

/** Options of `contextualise`. */
export interface ContextualiseOptions {
  /**
   * Mirror namespace: the message is published to `<prefix>/<topic>`.
   * @default '_contextualised'
   */
  prefix: string;
  /**
   * A YAML or JSON asset model, relative to the chains file's folder:
   * `assets: { <asset id or topic prefix>: { <attribute>: <value>, ... } }`.
   * @default none - the context has no `attributes`.
   */
  assetModel?: string;
}

/** The asset model: attributes per asset id (a topic level) or per topic prefix (whole levels). */
export interface AssetModel {
  assets: Record<string, Record<string, unknown>>;
}

/** The topic parameters that are ISA-95 levels, copied into the context in this order. */
export const ISA95_LEVELS = ['enterprise', 'site', 'area', 'line', 'cell', 'asset'] as const;

const schema: JSONSchemaType<ContextualiseOptions> = {
  type: 'object',
  additionalProperties: false,
  required: ['prefix'],
  properties: {
    prefix: { ...PREFIX_SCHEMA, default: '_contextualised' },
    assetModel: { type: 'string', minLength: 1, nullable: true },
  },
};

const assetModelSchema: JSONSchemaType<AssetModel> = {
  type: 'object',
  additionalProperties: false,
  required: ['assets'],
  properties: {
    assets: {
      type: 'object',
      required: [],
      additionalProperties: { type: 'object', required: [] },
    },
  },
};

/**
 * Creates the `contextualise` processor. For a valid message whose payload is a JSON object it
 * publishes `<prefix>/<topic>`: the payload with a `context` property (replacing one the payload
 * had; the contract's payloads have none):
 *
 * ```json
 * { "enterprise": "acme", "site": "zwickau", "area": "body-shop", "line": "body-weld-1",
 *   "cell": "cell-010", "asset": "welder-1", "channel": "state", "contractVersion": "1.4.0",
 *   "attributes": { "type": "welding-power-source", "manufacturer": "Fronius" } }
 * ```
 *
 * The levels are the topic parameters of those names (a channel without them has none);
 * `attributes` merges the asset model's entries that match, the asset id's first, then each topic
 * prefix from the shortest to the longest (the more specific wins), and is absent when none
 * matches. Invalid messages and payloads that are not a JSON object (Sparkplug B protobuf) are
 * `skipped`. The message goes on unchanged.
 *
 * @throws Error when an option is wrong or the asset model cannot be read or is malformed.
 */
export const createContextualise: ProcessorFactory = (options, { baseDir }) => {
  const { prefix, assetModel } = checkOptions(schema, options);
  const attributesOf =
    assetModel === undefined ? () => undefined : loadAssetModel(baseDir, assetModel);
  return {
    name: 'contextualise',
    outputPrefixes: [prefix],
    process({ topic, verdict, payload }) {
      if (!verdict.valid) return undefined;
      const body = jsonObjectOf(payload);
      if (body === undefined) return undefined;
      const context: Record<string, unknown> = {};
      for (const level of ISA95_LEVELS) {
        const value = verdict.parameters?.[level];
        if (value !== undefined) context[level] = value;
      }
      context.channel = verdict.channel;
      context.contractVersion = verdict.contractVersion;
      const attributes = attributesOf(topic, verdict.parameters?.asset);
      if (attributes !== undefined) context.attributes = attributes;
      body.context = context;
      return { publications: [{ topic: `${prefix}/${topic}`, payload: JSON.stringify(body) }] };
    },
  };
};

/**
 * Reads the asset model; returns the lookup of a message's attributes.
 *
 * @throws Error naming the file and every problem.
 */
function loadAssetModel(
  baseDir: string,
  file: string,
): (topic: string, asset: string | undefined) => Record<string, unknown> | undefined {
  const path = resolve(baseDir, file);
  let model: unknown;
  try {
    model = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(
      `asset model ${path}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const validate = new Ajv({ allErrors: true }).compile(assetModelSchema);
  if (!validate(model)) {
    const problems = (validate.errors ?? []).map((error) => describeSchemaError(error, 'model'));
    throw new Error(`asset model ${path}: ${problems.join('; ')}`);
  }
  const byKey = new Map(
    Object.entries(model.assets).map(([key, attributes]) => [key.replace(/\/+$/, ''), attributes]),
  );
  return (topic, asset) => {
    let merged: Record<string, unknown> | undefined;
    const merge = (attributes: Record<string, unknown> | undefined) => {
      if (attributes !== undefined) merged = { ...merged, ...attributes };
    };
    if (asset !== undefined) merge(byKey.get(asset));
    for (let end = topic.indexOf('/'); end !== -1; end = topic.indexOf('/', end + 1)) {
      merge(byKey.get(topic.slice(0, end)));
    }
    merge(byKey.get(topic));
    return merged;
  };
}
