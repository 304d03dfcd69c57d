/**
 * Registered bundles as the SageMaker pipeline writes them: `model.tar.gz` made by the pipeline's
 * own `write_bundle` (pipelines/src/uns_anomaly/bundle.py, run with the project's Python
 * environment) from the shipped model and a manifest of the test's choosing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..', '..');
export const SHIPPED_BUNDLE = join(ROOT, 'models', 'weld-seam-anomaly');
const PYTHON = join(ROOT, '.venv', 'bin', 'python');

/** The shipped bundle's manifest. */
export function shippedManifest(): Record<string, any> {
  return JSON.parse(readFileSync(join(SHIPPED_BUNDLE, 'manifest.json'), 'utf8'));
}

/** The shipped bundle's model.onnx. */
export function shippedModel(): Buffer {
  return readFileSync(join(SHIPPED_BUNDLE, 'model.onnx'));
}

const WRITE_BUNDLES = `
import json, pathlib, sys
sys.path.insert(0, sys.argv[1])
from uns_anomaly.bundle import write_bundle
request = json.load(sys.stdin)
onnx = pathlib.Path(request["onnx"]).read_bytes()
for name, manifest in request["manifests"].items():
    write_bundle(pathlib.Path(request["out"]) / name, onnx, manifest)
`;

/**
 * One `model.tar.gz` per named manifest, each with the shipped model.onnx, written by the
 * pipeline in one Python run.
 */
export function registryArchives(
  manifests: Record<string, Record<string, unknown>>,
): Record<string, Buffer> {
  const out = mkdtempSync(join(tmpdir(), 'registry-bundles-'));
  execFileSync(PYTHON, ['-c', WRITE_BUNDLES, join(ROOT, 'pipelines', 'src')], {
    input: JSON.stringify({ onnx: join(SHIPPED_BUNDLE, 'model.onnx'), out, manifests }),
    stdio: ['pipe', 'inherit', 'inherit'],
  });
  return Object.fromEntries(
    Object.keys(manifests).map((name) => [name, readFileSync(join(out, name, 'model.tar.gz'))]),
  );
}

/** An S3 GetObject body over `data`, as the SDK hands it out. */
export function objectBody(data: Buffer): any {
  return { transformToByteArray: () => Promise.resolve(new Uint8Array(data)) };
}
