/**
 * A validated model bundle with its ONNX Runtime session: normalizes raw windows as the manifest
 * says and scores them in batches. Reference-counted, so a swap releases the old session only
 * once the batches that took it have finished.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { baselineProblems, type DriftBaseline } from '../drift/baseline';
import { openWorkerSession, type WorkerSession } from '../inference/ort-thread';
import { type Manifest, type MissingValuePolicy, parseManifest } from './manifest';

/** What windows a model reads; a hot swap must keep it (a change needs a restart). */
export interface WindowGeometry {
  readonly channels: readonly string[];
  readonly length: number;
  readonly stride: number;
  readonly sampleRateHz: number;
  readonly missingValues: { readonly policy: MissingValuePolicy; readonly maxGapSamples: number };
}

/** A bundle that failed validation: why, and the version it claimed when the manifest was read. */
export class BundleRefusedError extends Error {
  constructor(
    readonly reason: string,
    readonly modelVersion: string | undefined,
  ) {
    super(reason);
    this.name = 'BundleRefusedError';
  }
}

/** What a bundle is checked against before it may serve. */
export interface LoadOptions {
  /** Telemetry signals of the UNS contract: every manifest channel must be one. */
  readonly signals: readonly string[];
  /** The serving geometry a replacement must keep; absent for the first bundle. */
  readonly geometry?: WindowGeometry;
  /** Raw windows (channel-major, geometry order) for the smoke inference; one synthetic if empty. */
  readonly smokeWindows: readonly Float32Array[];
}

/** A bundle that passed validation and serves (or shadows) until released. */
export class ScoringModel {
  readonly loadedAt = new Date();
  private refs = 1;
  private released = false;

  private constructor(
    readonly manifest: Manifest,
    /** sha256 over manifest.json and model.onnx. */
    readonly fingerprint: string,
    readonly geometry: WindowGeometry,
    private readonly session: WorkerSession,
  ) {}

  get modelName(): string {
    return this.manifest.modelName;
  }
  get modelVersion(): string {
    return this.manifest.modelVersion;
  }
  get threshold(): number {
    return this.manifest.threshold.value;
  }
  /** The drift baseline of the bundle; undefined when it carries none. */
  get baseline(): DriftBaseline | undefined {
    return this.manifest.baseline;
  }

  /**
   * Loads and validates the bundle in `dir`: manifest schema, channels, geometry, the rules of
   * the drift baseline (when it has one), the ONNX model's input and output names and shapes, and
   * a smoke inference giving finite scores >= 0.
   *
   * @throws BundleRefusedError naming the first problem found.
   */
  static async load(dir: string, options: LoadOptions): Promise<ScoringModel> {
    const read = (name: string) =>
      readFile(join(dir, name)).catch((error: unknown) => {
        throw new BundleRefusedError(`${name} unreadable: ${(error as Error).message}`, undefined);
      });
    const manifestBytes = await read('manifest.json');
    const modelBytes = await read('model.onnx');
    const fingerprint = createHash('sha256').update(manifestBytes).update(modelBytes).digest('hex');
    const parsed = parseManifest(manifestBytes.toString('utf8'));
    if ('problems' in parsed) {
      throw new BundleRefusedError(
        `manifest.json invalid: ${parsed.problems.join('; ')}`,
        undefined,
      );
    }
    const manifest = parsed.manifest;
    const refuse = (reason: string) => new BundleRefusedError(reason, manifest.modelVersion);
    const geometry = geometryOf(manifest);
    const geometryProblem = checkGeometry(geometry, options);
    if (geometryProblem !== undefined) throw refuse(geometryProblem);
    const baselineProblem =
      manifest.baseline === undefined ? [] : baselineProblems(manifest.baseline, geometry.channels);
    if (baselineProblem.length > 0) {
      throw refuse(`manifest.json baseline invalid: ${baselineProblem.join('; ')}`);
    }

    let session: WorkerSession;
    try {
      session = await openWorkerSession(modelBytes);
    } catch (error) {
      throw refuse(`model.onnx cannot be loaded: ${(error as Error).message}`);
    }
    const model = new ScoringModel(manifest, fingerprint, geometry, session);
    try {
      const ioProblem = model.checkInputsAndOutputs();
      if (ioProblem !== undefined) throw refuse(ioProblem);
      await model.smokeTest(options.smokeWindows, refuse);
    } catch (error) {
      await session.release();
      throw error instanceof BundleRefusedError
        ? error
        : refuse(`smoke inference failed: ${(error as Error).message}`);
    }
    return model;
  }

  /**
   * Scores raw windows (each channel-major in geometry order, raw units; already gap-filled).
   * @returns one score per window, in order.
   */
  async score(windows: readonly Float32Array[]): Promise<Float32Array> {
    const { channels, length } = this.geometry;
    const size = channels.length * length;
    const input = new Float32Array(windows.length * size);
    const stats = this.manifest.channels.map((c) => c.normalization);
    windows.forEach((raw, w) => {
      for (let c = 0; c < channels.length; c++) {
        const { mean, std } = stats[c] ?? { mean: 0, std: 1 };
        const inverse = 1 / std;
        const from = c * length;
        const to = w * size + from;
        for (let t = 0; t < length; t++) input[to + t] = ((raw[from + t] ?? 0) - mean) * inverse;
      }
    });
    const { input: inputSpec, outputs } = this.manifest.model;
    const dims = [windows.length, channels.length, length];
    const result = await this.session.run({ [inputSpec.name]: { data: input, dims } }, [
      outputs.score,
    ]);
    const scores = result[outputs.score];
    if (scores === undefined) throw new Error(`no "${outputs.score}" output`);
    return scores.data;
  }

  /** Takes a reference for a batch; give it back with {@link release}. */
  acquire(): this {
    this.refs += 1;
    return this;
  }

  /** Gives back a reference; the last one releases the ONNX Runtime session. */
  async release(): Promise<void> {
    this.refs -= 1;
    if (this.refs > 0 || this.released) return;
    this.released = true;
    await this.session.release();
  }

  private checkInputsAndOutputs(): string | undefined {
    const { input, outputs } = this.manifest.model;
    const { channels, length } = this.geometry;
    const inputNames = this.session.inputs.map((m) => m.name);
    const outputNames = this.session.outputs.map((m) => m.name);
    if (inputNames.length !== 1 || inputNames[0] !== input.name) {
      return `model.onnx inputs [${inputNames.join(', ')}] are not the manifest's ["${input.name}"]`;
    }
    for (const name of [outputs.score, outputs.reconstruction]) {
      if (!outputNames.includes(name)) {
        return `model.onnx has no output "${name}" (outputs: ${outputNames.join(', ')})`;
      }
    }
    const metadata = this.session.inputs[0];
    if (metadata?.isTensor === true) {
      const shape = metadata.shape ?? [];
      const expected = [channels.length, length];
      const fixed = shape
        .slice(1)
        .every((dim, i) => typeof dim !== 'number' || dim === expected[i]);
      if (metadata.type !== 'float32' || shape.length !== 3 || !fixed) {
        return `model.onnx input "${input.name}" is ${metadata.type} [${shape.join(', ')}], the manifest needs float32 [batch, ${channels.length}, ${length}]`;
      }
    }
    return undefined;
  }

  private async smokeTest(
    recorded: readonly Float32Array[],
    refuse: (reason: string) => BundleRefusedError,
  ): Promise<void> {
    const { channels, length } = this.geometry;
    // A copy: the recorded windows keep changing while the smoke inference runs.
    const windows =
      recorded.length > 0
        ? [...recorded]
        : [
            Float32Array.from({ length: channels.length * length }, (_, i) => {
              const channel = this.manifest.channels[Math.floor(i / length)];
              return channel?.normalization.mean ?? 0;
            }),
          ];
    const { input, outputs } = this.manifest.model;
    const size = channels.length * length;
    const batch = new Float32Array(windows.length * size);
    windows.forEach((w, i) => {
      batch.set(w.subarray(0, size), i * size);
    });
    const dims = [windows.length, channels.length, length];
    const result = await this.session.run({ [input.name]: { data: batch, dims } });
    const score = result[outputs.score];
    const reconstruction = result[outputs.reconstruction];
    if (score?.dims.length !== 1 || score.dims[0] !== windows.length) {
      return Promise.reject(
        refuse(
          `output "${outputs.score}" has shape [${score?.dims.join(', ') ?? ''}], expected [${windows.length}]`,
        ),
      );
    }
    const expected = [windows.length, channels.length, length].join(', ');
    if (reconstruction?.dims.join(', ') !== expected) {
      return Promise.reject(
        refuse(
          `output "${outputs.reconstruction}" has shape [${reconstruction?.dims.join(', ') ?? ''}], expected [${expected}]`,
        ),
      );
    }
    // The smoke batch goes through score() too, so the serving path is what was checked.
    const scores = await this.score(windows);
    const bad = Array.from(scores).find((s) => !Number.isFinite(s) || s < 0);
    if (bad !== undefined) {
      return Promise.reject(
        refuse(`smoke inference on ${windows.length} window(s) gave a score of ${bad}`),
      );
    }
    return undefined;
  }
}

function geometryOf(manifest: Manifest): WindowGeometry {
  return {
    channels: manifest.channels.map((c) => c.name),
    length: manifest.window.length,
    stride: manifest.window.stride,
    sampleRateHz: manifest.sampleRateHz,
    missingValues: {
      policy: manifest.missingValues?.policy ?? 'reject',
      maxGapSamples: manifest.missingValues?.maxGapSamples ?? 0,
    },
  };
}

function checkGeometry(geometry: WindowGeometry, options: LoadOptions): string | undefined {
  const unknown = geometry.channels.filter((c) => !options.signals.includes(c));
  if (unknown.length > 0) {
    return `channels ${unknown.join(', ')} are not telemetry signals of the UNS contract (${options.signals.join(', ')})`;
  }
  if (new Set(geometry.channels).size !== geometry.channels.length) {
    return `channels ${geometry.channels.join(', ')} name a channel twice`;
  }
  const serving = options.geometry;
  if (serving === undefined) return undefined;
  const describe = (g: WindowGeometry) =>
    `channels [${g.channels.join(', ')}], window ${g.length}/${g.stride} at ${g.sampleRateHz} Hz`;
  if (describe(geometry) !== describe(serving)) {
    return `bundle reads ${describe(geometry)} but the runtime serves ${describe(serving)}; a different input needs a restart`;
  }
  return undefined;
}
