import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildArtifact,
  mallocTrimFromArtifact,
  freePort,
  useArtifact,
} from '@uns-mlops/test-services';
import { COMPONENT } from './harness';

describe('the Greengrass artifact', () => {
  const artifact = useArtifact(COMPONENT, 'uns-kafka-bridge');

  it('is reproducible: the same sources build the same bytes', () => {
    expect(buildArtifact(COMPONENT)).toBe(artifact.sha256);
  });

  it('gives freed native memory back through the koffi it ships (glibc malloc_trim)', () => {
    expect(mallocTrimFromArtifact(artifact.dir)).toMatch(/^[01]$/);
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

  it('exits at once, naming the port, when another process holds its HTTP port', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const run = spawnSync('node', ['main.js'], {
        cwd: artifact.dir,
        env: {
          ...process.env,
          UNS_BRIDGE_HTTP_PORT: String(port),
          UNS_BRIDGE_SPOOL_DIR: mkdtempSync(join(tmpdir(), 'bridge-spool-')),
          UNS_BRIDGE_MQTT_URL: `mqtt://127.0.0.1:${await freePort()}`,
          UNS_BRIDGE_LOG_LEVEL: 'silent',
        },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(`cannot serve HTTP on 127.0.0.1:${port} (EADDRINUSE)`);
    } finally {
      holder.close();
    }
  });
});
