import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMosquitto } from '@uns-mlops/test-services';
import { RECORDING } from '../fixtures/paths';
import { TELEMETRY_TOPIC, telemetryBlock, testClient, waitUntil } from './harness';

const ROOT = join(__dirname, '..', '..');

function build(): string {
  const run = spawnSync('bash', [join(ROOT, 'scripts', 'build-artifact.sh')], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`artifact build failed: ${run.stderr}`);
  return run.stdout.trim().split(/\s+/)[0]!;
}

/** Unpacks the artifact as Greengrass does (Unarchive: ZIP) and returns the component directory. */
function unpack(): string {
  const target = mkdtempSync(join(tmpdir(), 'artifact-'));
  const unzip = spawnSync('python3', [
    '-m',
    'zipfile',
    '-e',
    join(ROOT, 'dist', 'uns-validator.zip'),
    target,
  ]);
  if (unzip.status !== 0) throw new Error(String(unzip.stderr));
  return join(target, 'uns-validator');
}

describe('the Greengrass artifact', () => {
  let firstHash: string;
  let component: string;

  beforeAll(() => {
    firstHash = build();
    component = unpack();
  });

  it('is reproducible: the same sources build the same bytes', () => {
    expect(build()).toBe(firstHash);
  });

  it('runs the offline validation from the unpacked bundle', () => {
    const run = spawnSync(
      'node',
      ['main.js', 'validate', '--spec', 'asyncapi', '--input', RECORDING],
      {
        cwd: component,
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
      cwd: component,
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
