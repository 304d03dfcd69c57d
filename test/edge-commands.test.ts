/**
 * Every edge component's command works right after `npm ci`: through npx from the repository
 * root, from the sources, without a build (the artifacts bundle the same `src/main.ts`).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const REPOSITORY_ROOT = join(__dirname, '..');

describe('the edge components’ commands', () => {
  it.each([
    ['uns-validator', 'uns-validator validate --spec'],
    ['uns-kafka-bridge', 'uns-kafka-bridge [--config <file>]'],
    ['anomaly-inference', 'anomaly-inference [serve] [--config <file>]'],
  ])('%s answers --help through npx at the repository root', (command, usage) => {
    // --no: run the workspace's own command, never one fetched from the registry.
    const run = spawnSync('npx', ['--no', '--', command, '--help'], {
      cwd: REPOSITORY_ROOT,
      encoding: 'utf8',
    });

    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout).toContain(usage);
  });
});
