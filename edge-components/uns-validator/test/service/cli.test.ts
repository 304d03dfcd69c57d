/**
 * The `uns-validator` command as a user runs it right after `npm ci`: through npx from the
 * repository root, from the sources, without a build.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTRACT_DIR, CONTRADICTING_EXAMPLES, RECORDING } from '../fixtures/paths';

const REPOSITORY_ROOT = join(__dirname, '..', '..', '..', '..');

/** Runs `npx uns-validator <args>` at the repository root (`--no`: never from the registry). */
function uns(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync('npx', ['--no', '--', 'uns-validator', ...args], {
    encoding: 'utf8',
    cwd: REPOSITORY_ROOT,
    env,
  });
}

/** A JSON Lines recording of furnace temperatures, one valid and one invalid. */
function furnaceRecording(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'furnace-')), 'recorded.jsonl');
  const topic = 'acme/zwickau/furnace/3/temperature';
  const lines = [
    { topic, payload: { ts: '2026-01-05T06:00:00Z', celsius: 980.5 } },
    { topic, payload: { ts: '2026-01-05T06:00:00Z', celsius: 'hot' } },
  ];
  writeFileSync(file, lines.map((line) => JSON.stringify(line)).join('\n'));
  return file;
}

describe('the uns-validator command', () => {
  it('validates a recording offline: one verdict per line, exit 1 when any is invalid', () => {
    const run = uns(['validate', '--spec', CONTRACT_DIR, '--input', RECORDING]);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('');
    expect(lines.length).toBeGreaterThan(3);
    expect(lines[0]).toMatchObject({
      line: 1,
      valid: true,
      channel: 'state',
      contractVersion: '1.4.0',
    });
    expect(lines[1]).toMatchObject({
      line: 2,
      valid: false,
      errors: [expect.objectContaining({ kind: 'schema-violation', path: '/dtMs' })],
    });
  });

  it('loads a contract whose examples contradict its schemas, each example a warning on stderr', () => {
    const run = uns(['validate', '--spec', CONTRADICTING_EXAMPLES, '--input', furnaceRecording()]);

    expect(run.status).toBe(1);
    const warnings = run.stderr.trim().split('\n');
    expect(warnings).toHaveLength(5);
    expect(warnings[4]).toBe(
      `warning: ${CONTRADICTING_EXAMPLES}: line 50 at components.messages.temperature.examples.1.payload.celsius: "celsius" property type must be number [asyncapi2-message-examples]`,
    );
    const verdicts = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(verdicts.map(({ valid, errors }) => [valid, errors[0]?.path])).toEqual([
      [true, undefined],
      [false, '/celsius'],
    ]);
  });

  it('refuses such a contract with --strict: exit 2 naming each contradicting example', () => {
    const run = uns([
      'validate',
      '--strict',
      '--spec',
      CONTRADICTING_EXAMPLES,
      '--input',
      furnaceRecording(),
    ]);

    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`${CONTRADICTING_EXAMPLES}: invalid AsyncAPI document (5 errors)`);
    expect(run.stderr).toContain('[asyncapi2-message-examples]');
  });

  it('exits 2 with the usage when --spec or --input is missing', () => {
    const run = uns(['validate', '--input', RECORDING]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('validate needs --spec and --input');
  });

  it('explains itself with --help', () => {
    const run = uns(['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('uns-validator validate --spec');
    expect(run.stdout).toContain('--strict');
    expect(run.stdout).toContain('UNS_VALIDATOR_WORK_DIR');
  });

  it('refuses an invalid configuration with every problem listed', () => {
    const run = uns(['serve'], {
      ...process.env,
      UNS_VALIDATOR_CONFIG_JSON: '{"pool":{"workers":0},"broker":{"url":"http://x"}}',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Invalid uns-validator configuration:');
    expect(run.stderr).toContain('pool.workers must be >= 1');
    expect(run.stderr).toContain('broker.url must match pattern');
  });
});
