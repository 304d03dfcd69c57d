import type { EnvironmentConfig } from '../../lib/config/environment';
import { environments } from '../../lib/config/environments';
import { resolveEnvironment } from '../../lib/config/resolve';

function environment(name: string): EnvironmentConfig {
  const found = environments.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no environment ${name}`);
  return found;
}

describe('ML pipeline settings of the environments', () => {
  it('requires a person to approve every production model', () => {
    expect(environment('prod').mlPipeline.modelApprovalStatus).toBe('PendingManualApproval');
  });

  it('rejects automatic approval in an environment that keeps its data', () => {
    const prod = environment('prod');
    const autoApproved = {
      ...prod,
      mlPipeline: { ...prod.mlPipeline, modelApprovalStatus: 'Approved' as const },
    };
    expect(() => resolveEnvironment('prod', [autoApproved])).toThrow(
      'mlPipeline.modelApprovalStatus "Approved" must be "PendingManualApproval" in an environment that keeps its data (allowDestroy false): a person approves production models',
    );
  });

  it('reports invalid pipeline settings with their path', () => {
    const dev = environment('dev');
    const broken = {
      ...dev,
      mlPipeline: { ...dev.mlPipeline, minF1: -0.1, epochs: 2.5, inputSource: 'ftp' as never },
    };
    expect(() => resolveEnvironment('dev', [broken])).toThrow(
      /mlPipeline\.inputSource "ftp" must be one of s3, athena[\s\S]*mlPipeline\.minF1 \(-0\.1\) must be between 0 and 1[\s\S]*mlPipeline\.epochs \(2\.5\) must be a whole number >= 1/,
    );
  });
});
