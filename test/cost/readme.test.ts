import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../support/app';
import { userEnvironment } from '../support/cdk-cli';

/**
 * The cells of the first Markdown table of a text, trimmed, alignment rows reduced to `---` and
 * `---:`: what stays the same when prettier pads the table.
 */
function firstTable(lines: readonly string[]): string[][] {
  const start = lines.findIndex((line) => line.startsWith('| USD / month'));
  const end = lines.findIndex((line, index) => index > start && !line.startsWith('|'));
  return lines.slice(start, end === -1 ? undefined : end).map((row) =>
    row
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim().replace(/^-+(:?)$/, '---$1')),
  );
}

describe('npm run cost', () => {
  let run: SpawnSyncReturns<string>;
  let output: string[];
  beforeAll(() => {
    // As a user runs it, without AWS credentials.
    run = spawnSync('npm', ['run', '--silent', 'cost'], {
      cwd: REPOSITORY_ROOT,
      encoding: 'utf8',
      env: userEnvironment(),
    });
    output = run.stdout.trimEnd().split('\n');
  });

  it('runs without AWS access', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('ends with one JSON line whose totals are those of the table', () => {
    const figures = JSON.parse(output.at(-1)!) as { totalUsd: number }[];
    const totals = firstTable(output).at(-1)!.slice(1);
    expect(totals.map((cell) => cell.replace(/[*,]/g, ''))).toEqual(
      figures.map((figure) => String(Math.round(figure.totalUsd))),
    );
  });

  it('prints the table of the README and of scripts/cost/README.md', () => {
    for (const readme of ['README.md', join('scripts', 'cost', 'README.md')]) {
      const text = readFileSync(join(REPOSITORY_ROOT, readme), 'utf8').split('\n');
      expect(firstTable(text)).toEqual(firstTable(output));
    }
  });
});
