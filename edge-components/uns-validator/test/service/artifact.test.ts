import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { buildArtifact, startMosquitto, useArtifact, waitUntil } from '@uns-mlops/test-services';
import { RECORDING } from '../fixtures/paths';
import { TELEMETRY_TOPIC, telemetryBlock, testClient } from './harness';

const ROOT = join(__dirname, '..', '..');

describe('the Greengrass artifact', () => {
  const artifact = useArtifact(ROOT, 'uns-validator');

  it('is reproducible: the same sources build the same bytes', () => {
    expect(buildArtifact(ROOT)).toBe(artifact.sha256);
  });

  it('runs the offline validation from the unpacked bundle', () => {
    const run = spawnSync(
      'node',
      ['main.js', 'validate', '--spec', 'asyncapi', '--input', RECORDING],
      {
        cwd: artifact.dir,
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout.split('\n')[0]!)).toMatchObject({
      valid: true,
      contractVersion: '1.1.0',
    });
  });

  it('serves from the unpacked bundle with its worker threads and embedded store', async () => {
    const broker = await startMosquitto();
    const port = 19_000 + (process.pid % 1000);
    const validator = spawn('node', ['main.js', 'serve'], {
      cwd: artifact.dir,
      env: {
        ...process.env,
        UNS_VALIDATOR_BROKER_URL: broker.url,
        UNS_VALIDATOR_HTTP_PORT: String(port),
        UNS_VALIDATOR_LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    const publisher = await testClient(broker.url);
    try {
      await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/ready`)).ok, 20_000);
      await waitUntil(async () => {
        await publisher.publishAsync(TELEMETRY_TOPIC, telemetryBlock(1));
        const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        return metrics.includes('uns_validator_messages_total{verdict="valid",error_kind=""}');
      }, 20_000);
    } finally {
      await publisher.endAsync();
      validator.kill('SIGTERM');
      await new Promise((resolve) => validator.once('exit', resolve));
      await broker.stop();
    }
    expect(validator.exitCode).toBe(0);
  });
});
