import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CONTRACT_DIR, RECORDING } from '../fixtures/paths';

const ROOT = join(__dirname, '..', '..');
const TSX = join(ROOT, '..', '..', 'node_modules', '.bin', 'tsx');

function uns(...args: string[]) {
  return spawnSync(TSX, [join(ROOT, 'src', 'main.ts'), ...args], { encoding: 'utf8', cwd: ROOT });
}

describe('the uns-validator command', () => {
  it('validates a recording offline: one verdict per line, exit 1 when any is invalid', () => {
    const run = uns('validate', '--spec', CONTRACT_DIR, '--input', RECORDING);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(run.status).toBe(1);
    expect(lines.length).toBeGreaterThan(3);
    expect(lines[0]).toMatchObject({
      line: 1,
      valid: true,
      channel: 'state',
      contractVersion: '1.1.0',
    });
    expect(lines[1]).toMatchObject({
      line: 2,
      valid: false,
      errors: [expect.objectContaining({ kind: 'schema-violation', path: '/dtMs' })],
    });
  });

  it('exits 2 with the usage when --spec or --input is missing', () => {
    const run = uns('validate', '--input', RECORDING);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('validate needs --spec and --input');
  });

  it('explains itself with --help', () => {
    const run = uns('--help');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('uns-validator validate --spec');
    expect(run.stdout).toContain('UNS_VALIDATOR_BROKER_URL');
  });

  it('refuses an invalid configuration with every problem listed', () => {
    const run = spawnSync(TSX, [join(ROOT, 'src', 'main.ts'), 'serve'], {
      encoding: 'utf8',
      cwd: ROOT,
      env: {
        ...process.env,
        UNS_VALIDATOR_CONFIG_JSON: '{"pool":{"workers":0},"broker":{"url":"http://x"}}',
      },
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Invalid uns-validator configuration:');
    expect(run.stderr).toContain('pool.workers must be >= 1');
    expect(run.stderr).toContain('broker.url must match pattern');
  });
});
