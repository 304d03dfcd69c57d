import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENT_NAMES, REPOSITORY_ROOT } from '../support/app';
import { synthTemplates } from '../support/templates';

/** cfn-lint from the project's Python environment (`npm run setup:python`), or $CFN_LINT. */
const CFN_LINT = process.env.CFN_LINT ?? join(REPOSITORY_ROOT, '.venv', 'bin', 'cfn-lint');

describe('cfn-lint', () => {
  beforeAll(() => {
    if (!existsSync(CFN_LINT)) {
      throw new Error(
        `cfn-lint not found at ${CFN_LINT}: run "npm run setup:python" (npm test does it first).`,
      );
    }
  });

  it.each(ENVIRONMENT_NAMES)('finds no error or warning in any %s template', (name) => {
    const templates = synthTemplates(name);
    expect(templates.length).toBeGreaterThan(0);
    const lint = spawnSync(CFN_LINT, ['--format', 'parseable', '--', ...templates], {
      encoding: 'utf8',
    });
    expect({
      status: lint.status,
      findings: lint.stdout.trim(),
      error: lint.stderr.trim(),
    }).toEqual({
      status: 0,
      findings: '',
      error: '',
    });
  });
});
