import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { defaultCells, writeDataset } from '@uns-mlops/welding-simulator';

/** The repository root, where `npm run ml` is defined. */
export const REPOSITORY_ROOT = resolve(__dirname, '../..');

/** Channels the first-start model reads, in order (the pipeline's welding defaults). */
export const WELDING_CHANNELS = ['arc_current', 'arc_voltage', 'wire_feed_speed', 'gas_flow'];

/** Options of {@link ensureModelBundle}. */
export interface ModelBootstrapOptions {
  /** A bundle the user points to; used as it is. */
  readonly bundleDir?: string;
  /** The plant's data directory; the trained bundle lives in `<dataDir>/model`. */
  readonly dataDir: string;
  /** Simulated seconds of telemetry per cell to train on. */
  readonly trainingSeconds: number;
  readonly cells: number;
  /** Seed of the live simulation: the training data come from the same cells. */
  readonly seed: number;
  /** The simulator's contact-tip wear per arc-on second, as live. */
  readonly wearPerArcSecond: number;
  readonly logger: Logger;
  /** Where the training's progress output goes (default: this process's stdout). */
  readonly progress?: NodeJS.WritableStream;
}

/**
 * Returns the directory of the model bundle to serve: the user's, or `<dataDir>/model`, which is
 * trained on first start by the pipeline's local entry point (`npm run ml -- train`) on a labelled
 * simulator dataset, with the training's progress shown as it runs.
 *
 * @throws when the user's bundle has no manifest, or training fails (with its exit code).
 */
export async function ensureModelBundle(options: ModelBootstrapOptions): Promise<string> {
  if (options.bundleDir !== undefined) {
    if (!existsSync(join(options.bundleDir, 'manifest.json'))) {
      throw new Error(`model bundle ${options.bundleDir} has no manifest.json`);
    }
    return options.bundleDir;
  }
  const bundleDir = join(options.dataDir, 'model');
  if (existsSync(join(bundleDir, 'manifest.json'))) return bundleDir;

  const datasetDir = join(options.dataDir, 'training-data');
  rmSync(datasetDir, { recursive: true, force: true });
  mkdirSync(datasetDir, { recursive: true });
  options.logger.info(
    { seconds: options.trainingSeconds, cells: options.cells },
    'no model bundle yet: simulating labelled training data and training one (first start only)',
  );
  writeDataset({
    outDir: datasetDir,
    formats: ['parquet'],
    durationMs: options.trainingSeconds * 1000,
    simulatorOptions: {
      // The same seed as live gives the same cells (set points): a plant's first model learns
      // its own cells, and the drift baselines in its bundle are theirs.
      seed: options.seed,
      cells: defaultCells(options.cells),
      wearPerArcSecond: options.wearPerArcSecond,
      // More defect episodes than live, so the held-out period has labelled windows of each class.
      defectRate: 0.3,
    },
  });
  const trainingOut = join(options.dataDir, 'model.training');
  rmSync(trainingOut, { recursive: true, force: true });
  await runModelTraining(
    [
      '--input',
      datasetDir,
      '--channels',
      WELDING_CHANNELS.join(','),
      '--label-column',
      'label',
      '--seed',
      String(options.seed),
      '--out',
      trainingOut,
    ],
    options.progress ?? process.stdout,
  );
  // Only a complete bundle gets the name the plant looks for, so an interrupted run retrains.
  rmSync(bundleDir, { recursive: true, force: true });
  renameSync(trainingOut, bundleDir);
  return bundleDir;
}

/**
 * Runs the pipeline's local training (`npm run ml -- train <args>`) from the repository root, its
 * progress going to `output`; `signal` stops it.
 *
 * @throws when the training fails (with its exit code) or is stopped.
 */
export function runModelTraining(
  args: readonly string[],
  output: NodeJS.WritableStream,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('npm', ['run', '--silent', 'ml', '--', 'train', ...args], {
      cwd: REPOSITORY_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(signal === undefined ? {} : { signal }),
    });
    child.stdout.pipe(output, { end: false });
    child.stderr.pipe(output, { end: false });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolvePromise();
      else reject(new Error(`model training failed (npm run ml exited with ${String(code)})`));
    });
  });
}
