/**
 * The Greengrass artifact: reproducible (same sources, same bytes), with onnxruntime-node's native
 * libraries for linux x64 and arm64, and it serves from the unpacked directory alone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildArtifact,
  mallocTrimFromArtifact,
  runComponent,
  startMosquitto,
  useArtifact,
} from '@uns-mlops/test-services';
import { fixtureBundleDir } from '../fixtures/model-fixture';
import { COMPONENT_DIR, FIXTURE_CHANNELS } from '../fixtures/paths';
import { testClient, waitUntil } from '../support/harness';
import { asset, blocks, publish } from '../support/telemetry';

describe('the Greengrass artifact', () => {
  const artifact = useArtifact(COMPONENT_DIR, 'anomaly-inference');

  it('is reproducible: the same sources build the same bytes', () => {
    expect(buildArtifact(COMPONENT_DIR)).toBe(artifact.sha256);
  }, 180_000);

  it('gives freed native memory back through the koffi it ships (glibc malloc_trim)', () => {
    expect(mallocTrimFromArtifact(artifact.dir)).toMatch(/^[01]$/);
  });

  it('builds the model component artifact reproducibly from a bundle', () => {
    const script = join(COMPONENT_DIR, 'scripts', 'build-model-artifact.sh');
    const hash = () => {
      const run = spawnSync('bash', [script, fixtureBundleDir()], { encoding: 'utf8' });
      if (run.status !== 0) throw new Error(run.stderr);
      return run.stdout.split(/\s+/)[0];
    };
    expect(hash()).toBe(hash());
  });

  it('carries the ONNX Runtime native libraries for linux x64 and arm64', () => {
    for (const arch of ['x64', 'arm64']) {
      const dir = join(
        artifact.dir,
        'node_modules',
        'onnxruntime-node',
        'bin',
        'napi-v6',
        'linux',
        arch,
      );
      expect(existsSync(join(dir, 'onnxruntime_binding.node'))).toBe(true);
      expect(existsSync(join(dir, 'libonnxruntime.so.1'))).toBe(true);
    }
  });

  it('scores telemetry from the unpacked directory and stops cleanly on SIGTERM', async () => {
    const broker = await startMosquitto();
    const client = await testClient(broker.url);
    let exitCode: number | null | undefined;
    try {
      const runtime = await runComponent({
        name: 'anomaly-inference',
        command: 'node',
        args: ['main.js', 'serve'],
        cwd: artifact.dir,
        env: {
          ...process.env,
          ANOMALY_INFERENCE_BROKER_URL: broker.url,
          ANOMALY_INFERENCE_MODEL_DIR: fixtureBundleDir(),
          ANOMALY_INFERENCE_HTTP_PORT: '0',
          ANOMALY_INFERENCE_LOG_LEVEL: 'info',
        },
      });
      try {
        await publish(client, asset('cell-artifact'), blocks(FIXTURE_CHANNELS, [0, 1, 2, 3, 4, 5]));
        await waitUntil(async () =>
          /anomaly_inference_windows_scored_total\{role="serving"\} [1-9]/.test(
            await (await fetch(`${runtime.http}/metrics`)).text(),
          ),
        );
      } finally {
        exitCode = await runtime.stop();
      }
    } finally {
      await client.endAsync();
      await broker.stop();
    }
    expect(exitCode).toBe(0);
  });
});
