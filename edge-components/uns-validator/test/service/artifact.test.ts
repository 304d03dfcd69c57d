import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import {
  buildArtifact,
  mallocTrimFromArtifact,
  runComponent,
  startMosquitto,
  useArtifact,
  waitUntil,
} from '@uns-mlops/test-services';
import { RECORDING } from '../fixtures/paths';
import { TELEMETRY_TOPIC, telemetryBlock, testClient } from './harness';

const ROOT = join(__dirname, '..', '..');

describe('the Greengrass artifact', () => {
  const artifact = useArtifact(ROOT, 'uns-validator');

  it('is reproducible: the same sources build the same bytes', () => {
    expect(buildArtifact(ROOT)).toBe(artifact.sha256);
  });

  it('gives freed native memory back through the koffi it ships (glibc malloc_trim)', () => {
    expect(mallocTrimFromArtifact(artifact.dir)).toMatch(/^[01]$/);
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
      contractVersion: '1.4.0',
    });
  });

  it('serves from the unpacked bundle with its worker threads and embedded store', async () => {
    const broker = await startMosquitto();
    const publisher = await testClient(broker.url);
    let exitCode: number | null | undefined;
    try {
      const validator = await runComponent({
        name: 'uns-validator',
        command: 'node',
        args: ['main.js', 'serve'],
        cwd: artifact.dir,
        env: {
          ...process.env,
          UNS_VALIDATOR_BROKER_URL: broker.url,
          UNS_VALIDATOR_HTTP_PORT: '0',
          UNS_VALIDATOR_LOG_LEVEL: 'info',
        },
      });
      try {
        await waitUntil(async () => {
          await publisher.publishAsync(TELEMETRY_TOPIC, telemetryBlock(1));
          const metrics = await (await fetch(`${validator.http}/metrics`)).text();
          return metrics.includes('uns_validator_messages_total{verdict="valid",error_kind=""}');
        }, 20_000);
      } finally {
        exitCode = await validator.stop();
      }
    } finally {
      await publisher.endAsync();
      await broker.stop();
    }
    expect(exitCode).toBe(0);
  });
});
