import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMPONENT } from './harness';

function build(): string {
  const run = spawnSync('bash', [join(COMPONENT, 'scripts', 'build-artifact.sh')], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`artifact build failed: ${run.stderr}`);
  return run.stdout.trim().split(/\s+/)[0]!;
}

describe('the Greengrass artifact', () => {
  let firstHash: string;
  let component: string;

  beforeAll(() => {
    firstHash = build();
    component = mkdtempSync(join(tmpdir(), 'artifact-'));
    const unzip = spawnSync('python3', [
      '-m',
      'zipfile',
      '-e',
      join(COMPONENT, 'dist', 'uns-kafka-bridge.zip'),
      component,
    ]);
    if (unzip.status !== 0) throw new Error(String(unzip.stderr));
  });

  it('is reproducible: the same sources build the same bytes', () => {
    expect(build()).toBe(firstHash);
  });

  it('runs from the unpacked bundle: prints its help and rejects a bad configuration', () => {
    const cwd = join(component, 'uns-kafka-bridge');
    const help = spawnSync('node', ['main.js', '--help'], { cwd, encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('UNS_BRIDGE_CONFIG_JSON');
    const badConfig = spawnSync('node', ['main.js'], {
      cwd,
      env: { ...process.env, UNS_BRIDGE_CONFIG_JSON: '{"spool":{"whenFull":"ignore"}}' },
      encoding: 'utf8',
    });
    expect(badConfig.status).toBe(2);
    expect(badConfig.stderr).toContain('spool.whenFull must be equal to one of the allowed values');
  });
});
