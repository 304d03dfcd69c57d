/**
 * cfn-lint over synthesized templates, once per template content and run: the app-wide test and a
 * stack's own test lint the same stack, and a template with the same bytes as one found clean
 * earlier in the run (by any test file) is clean again, so it is not linted twice.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from './app';
import { runDirectory } from './run-directory';

/** cfn-lint from the project's Python environment (`npm run setup:python`), or $CFN_LINT. */
export const CFN_LINT = process.env.CFN_LINT ?? join(REPOSITORY_ROOT, '.venv', 'bin', 'cfn-lint');

/** What cfn-lint said: its exit status, its findings (one a line) and its error output. */
export interface CfnLintVerdict {
  readonly status: number | null;
  readonly findings: string;
  readonly error: string;
}

/**
 * Lints `templates` (paths) in one cfn-lint process, leaving out those whose content was found
 * clean before in the run; `{ status: 0, findings: '', error: '' }` when none has a finding.
 *
 * @throws Error when cfn-lint is not installed or cannot run.
 */
export function cfnLint(templates: readonly string[]): CfnLintVerdict {
  const clean = join(runDirectory(), 'cfn-lint-clean');
  mkdirSync(clean, { recursive: true });
  const marker = (template: string) =>
    join(clean, createHash('sha256').update(readFileSync(template)).digest('hex'));
  const unknown = templates.filter((template) => !existsSync(marker(template)));
  if (unknown.length === 0) return { status: 0, findings: '', error: '' };
  if (!existsSync(CFN_LINT)) {
    throw new Error(
      `cfn-lint not found at ${CFN_LINT}: run "npm run setup:python" (npm test does it first).`,
    );
  }
  const lint = spawnSync(CFN_LINT, ['--format', 'parseable', '--', ...unknown], {
    encoding: 'utf8',
  });
  if (lint.error !== undefined) throw lint.error;
  const verdict = { status: lint.status, findings: lint.stdout.trim(), error: lint.stderr.trim() };
  if (verdict.status === 0 && verdict.findings === '' && verdict.error === '') {
    for (const template of unknown) writeFileSync(marker(template), '');
  }
  return verdict;
}
