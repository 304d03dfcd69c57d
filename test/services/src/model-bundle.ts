/**
 * The anomaly model bundle tests and benchmarks score with: trained by the ML pipeline's local entry
 * point (`npm run ml -- train`) on a labelled simulator dataset, once per change of its inputs
 * (pipeline code, simulator code, manifest schema, training arguments), into a gitignored cache.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join, relative } from 'node:path';

/** The channels the test model reads, in order. */
export const TEST_MODEL_CHANNELS = ['arc_current', 'arc_voltage', 'wire_feed_speed', 'gas_flow'];

const REPOSITORY_ROOT = join(__dirname, '..', '..', '..');
/** Gitignored cache of trained bundles, one subdirectory per inputs hash. */
const CACHE = join(__dirname, '..', '.model-cache');
const DATASET = { seconds: 60, cells: 4, seed: 11, defectRate: 0.15 };
const TRAIN_ARGS = [
  '--channels',
  TEST_MODEL_CHANNELS.join(','),
  '--label-column',
  'label',
  '--seed',
  '7',
];
const INPUTS = ['pipelines/src', 'pipelines/model-bundle/manifest.schema.json', 'simulator/src'];

function files(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => name !== '__pycache__')
    .sort()
    .flatMap((name) => files(join(path, name)));
}

/** sha256 over the inputs that determine the trained bundle (first 16 hex digits). */
function inputsHash(): string {
  const hash = createHash('sha256').update(JSON.stringify({ DATASET, TRAIN_ARGS }));
  for (const input of INPUTS) {
    for (const file of files(join(REPOSITORY_ROOT, input))) {
      hash.update(relative(REPOSITORY_ROOT, file)).update(readFileSync(file));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** Runs a command in the repository root; throws with its output when it fails. */
export function runInRepository(command: string, args: readonly string[]): void {
  const result = spawnSync(command, args, { cwd: REPOSITORY_ROOT, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (exit ${String(result.status)}):\n${result.stdout}\n${result.stderr}`,
    );
  }
}

/** Directory of the trained bundle of the current inputs (see {@link ensureTrainedModelBundle}). */
export function trainedModelBundleDir(): string {
  return join(CACHE, inputsHash(), 'bundle');
}

/**
 * Trains the test bundle unless the cache holds it: simulates a labelled dataset, then runs
 * `npm run ml -- train` on it (about a minute on 2 cores). Returns its directory
 * (`model.onnx` + `manifest.json`).
 */
export function ensureTrainedModelBundle(): string {
  const bundle = trainedModelBundleDir();
  if (existsSync(join(bundle, 'manifest.json'))) return bundle;
  const work = `${join(bundle, '..')}.partial-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  runInRepository('npx', [
    'tsx',
    'simulator/src/main.ts',
    'dataset',
    '--out',
    join(work, 'dataset'),
    '--format',
    'parquet',
    '--seconds',
    String(DATASET.seconds),
    '--cells',
    String(DATASET.cells),
    '--seed',
    String(DATASET.seed),
    '--defect-rate',
    String(DATASET.defectRate),
  ]);
  runInRepository('npm', [
    'run',
    '--silent',
    'ml',
    '--',
    'train',
    '--input',
    join(work, 'dataset'),
    ...TRAIN_ARGS,
    '--out',
    join(work, 'out'),
  ]);
  mkdirSync(join(bundle, '..'), { recursive: true });
  try {
    renameSync(join(work, 'out'), bundle);
  } catch (error) {
    // Another process trained the same bundle first: theirs is as good as ours.
    if (!existsSync(join(bundle, 'manifest.json'))) throw error;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return bundle;
}
