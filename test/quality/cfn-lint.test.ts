import { ENVIRONMENT_NAMES } from '../support/app';
import { synthesizedApp } from '../support/assembly';
import { cfnLint } from '../support/cfn-lint';

describe('cfn-lint', () => {
  it.each(ENVIRONMENT_NAMES)('finds no error or warning in any %s template', async (name) => {
    const templates = (await synthesizedApp(name)).templateFiles();
    expect(templates.length).toBeGreaterThan(0);
    expect(cfnLint(templates)).toEqual({ status: 0, findings: '', error: '' });
  });
});
