import { spawnSync } from 'node:child_process';
import { buildArtifact, useArtifact } from '@uns-mlops/test-services';
import { COMPONENT } from './harness';

describe('the Greengrass artifact', () => {
  const artifact = useArtifact(COMPONENT, 'uns-kafka-bridge');

  it('is reproducible: the same sources build the same bytes', () => {
    expect(buildArtifact(COMPONENT)).toBe(artifact.sha256);
  });

  it('runs from the unpacked bundle: prints its help and rejects a bad configuration', () => {
    const cwd = artifact.dir;
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
