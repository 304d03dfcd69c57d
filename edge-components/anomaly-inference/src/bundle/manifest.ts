/**
 * The model bundle manifest, validated against the repository's JSON Schema
 * (`pipelines/model-bundle/manifest.schema.json`, compiled into the build: one source of truth).
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import manifestSchema from '../../../../pipelines/model-bundle/manifest.schema.json';
import type { DriftBaseline } from '../drift/baseline';

/** How gaps were filled in training; the runtime fills them the same way. */
export type MissingValuePolicy = 'forward-fill' | 'linear' | 'reject';

/** The parts of a manifest the runtime reads (the schema checks all of it). */
export interface Manifest {
  readonly modelName: string;
  readonly modelVersion: string;
  readonly model: {
    readonly input: { readonly name: string };
    readonly outputs: { readonly score: string; readonly reconstruction: string };
  };
  readonly channels: readonly {
    readonly name: string;
    readonly normalization: { readonly mean: number; readonly std: number };
  }[];
  readonly window: { readonly length: number; readonly stride: number };
  readonly sampleRateHz: number;
  readonly missingValues?: { readonly policy: MissingValuePolicy; readonly maxGapSamples?: number };
  readonly threshold: { readonly value: number };
  /** Histograms of the training inputs and validation scores; absent: no drift is computed. */
  readonly baseline?: DriftBaseline;
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validateManifest = ajv.compile<Manifest>(manifestSchema);

/**
 * Parses and validates `manifest.json` text.
 *
 * @returns the manifest, or the list of problems (JSON syntax or schema violations).
 */
export function parseManifest(text: string): { manifest: Manifest } | { problems: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problems: [`not JSON: ${(error as Error).message}`] };
  }
  if (!validateManifest(value)) {
    return {
      problems: (validateManifest.errors ?? []).map((error) =>
        ajv.errorsText([error], { dataVar: 'manifest' }),
      ),
    };
  }
  return { manifest: value };
}
