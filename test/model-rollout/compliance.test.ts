/**
 * The model rollout stack of each environment passes the project's gates on its own template:
 * cdk-nag (AWS Solutions and NIST 800-53 rev 5) with every acknowledgement specific, and cfn-lint
 * without an error or warning.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ENVIRONMENT_NAMES, REPOSITORY_ROOT } from '../support/app';
import { synthTemplates } from '../support/templates';

/** cfn-lint from the project's Python environment (`npm run setup:python`), or $CFN_LINT. */
const CFN_LINT = process.env.CFN_LINT ?? join(REPOSITORY_ROOT, '.venv', 'bin', 'cfn-lint');

describe.each(ENVIRONMENT_NAMES)('the %s model rollout stack', (name) => {
  it('synthesizes with no unacknowledged cdk-nag finding and lints clean', () => {
    // Synthesis fails on any unacknowledged finding (lib/quality/compliance.ts).
    const templates = synthTemplates(name).filter((file) =>
      file.endsWith('-ModelRollout.template.json'),
    );
    expect(templates).toHaveLength(1);
    const lint = spawnSync(CFN_LINT, ['--format', 'parseable', '--', ...templates], {
      encoding: 'utf8',
    });
    expect({
      status: lint.status,
      findings: lint.stdout.trim(),
      error: lint.stderr.trim(),
    }).toEqual({ status: 0, findings: '', error: '' });
  });
});
