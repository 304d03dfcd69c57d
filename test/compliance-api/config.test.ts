import {
  COMPLIANCE_API_DEFAULTS,
  complianceApiSettingsProblems,
  defaultCognitoDomainPrefix,
} from '../../lib/compliance-api';
import type { EnvironmentConfig } from '../../lib/config/environment';
import { environments } from '../../lib/config/environments';
import { EnvironmentConfigError, resolveEnvironment } from '../../lib/config/resolve';

const devConfig = environments.find((environment) => environment.name === 'dev')!;

function problemsOf(changes: Partial<EnvironmentConfig>): string[] {
  const candidate = { ...devConfig, name: 'qa', ...changes };
  try {
    resolveEnvironment(candidate.name, [candidate]);
  } catch (error) {
    if (error instanceof EnvironmentConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('compliance API configuration', () => {
  it('limits dev to Germany and a small API, prod to the plants’ countries with the defaults', () => {
    expect(resolveEnvironment('dev').complianceApi).toEqual({
      allowedCountries: ['DE'],
      throttlingRateLimit: 10,
      throttlingBurstLimit: 20,
      reservedConcurrency: 5,
    });
    expect(resolveEnvironment('prod').complianceApi).toEqual({ allowedCountries: ['DE', 'CZ'] });
    expect(COMPLIANCE_API_DEFAULTS).toEqual({
      throttlingRateLimit: 50,
      throttlingBurstLimit: 100,
      reservedConcurrency: 10,
      refreshSeconds: 30,
    });
  });

  it('accepts an environment without the section: every default applies', () => {
    expect(problemsOf({ complianceApi: undefined })).toEqual([]);
  });

  it('derives the hosted UI prefix from the environment and the account, and checks it', () => {
    expect(defaultCognitoDomainPrefix('dev', '111111111111')).toBe('uns-mlops-dev-111111111111');
    expect(problemsOf({ name: 'awsqa' })).toEqual([
      'complianceApi.cognitoDomainPrefix "uns-mlops-awsqa-111111111111" must be 1-63 lowercase letters, digits or hyphens, not starting or ending with a hyphen, without "aws", "amazon" or "cognito"',
    ]);
  });

  it('lists every problem of the settings, named under complianceApi.', () => {
    expect(
      problemsOf({
        complianceApi: {
          cognitoDomainPrefix: 'My-Prefix',
          dashboardDomain: {
            domainName: 'Compliance.Acme',
            certificateArn:
              'arn:aws:acm:eu-central-1:111111111111:certificate/0f6bd8f4-1c2e-4b44-9a0d-6a1c5b4e2f10',
          },
          webAclArn: 'arn:aws:wafv2:eu-central-1:111111111111:regional/webacl/x/1',
          allowedCountries: ['DE', 'de', 'DE'],
          throttlingRateLimit: 0,
          throttlingBurstLimit: 1.5,
          reservedConcurrency: 0,
          refreshSeconds: 1,
        },
      }),
    ).toEqual([
      'complianceApi.cognitoDomainPrefix "My-Prefix" must be 1-63 lowercase letters, digits or hyphens, not starting or ending with a hyphen, without "aws", "amazon" or "cognito"',
      'complianceApi.dashboardDomain.domainName "Compliance.Acme" must be a lowercase DNS host name such as "compliance.acme.example"',
      'complianceApi.dashboardDomain.certificateArn "arn:aws:acm:eu-central-1:111111111111:certificate/0f6bd8f4-1c2e-4b44-9a0d-6a1c5b4e2f10" must be an ACM certificate ARN in us-east-1 (CloudFront uses certificates from there only)',
      'complianceApi.webAclArn "arn:aws:wafv2:eu-central-1:111111111111:regional/webacl/x/1" must be the ARN of a WAF web ACL with scope CLOUDFRONT (arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>)',
      'complianceApi.allowedCountries: "de" must be an ISO 3166-1 alpha-2 code such as "DE"',
      'complianceApi.allowedCountries: "DE" is listed more than once',
      'complianceApi.throttlingRateLimit (0) must be a number above 0 and at most 10000',
      'complianceApi.throttlingBurstLimit (1.5) must be a whole number in 1-5000',
      'complianceApi.reservedConcurrency (0) must be a whole number in 1-1000',
      'complianceApi.refreshSeconds (1) must be a whole number in 5-3600',
    ]);
  });

  it('refuses an empty country list: leaving it out allows every country', () => {
    expect(complianceApiSettingsProblems({ allowedCountries: [] })).toEqual([
      'allowedCountries must list at least one country, or be left out to allow every country',
    ]);
  });

  it('accepts a dashboard domain with a us-east-1 certificate and a CLOUDFRONT web ACL', () => {
    expect(
      complianceApiSettingsProblems({
        cognitoDomainPrefix: 'acme-compliance',
        dashboardDomain: {
          domainName: 'compliance.acme.example',
          certificateArn:
            'arn:aws:acm:us-east-1:222222222222:certificate/0f6bd8f4-1c2e-4b44-9a0d-6a1c5b4e2f10',
        },
        webAclArn:
          'arn:aws:wafv2:us-east-1:222222222222:global/webacl/uns-mlops/a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
        allowedCountries: ['DE', 'CZ'],
        throttlingRateLimit: 12.5,
        throttlingBurstLimit: 25,
        reservedConcurrency: 20,
        refreshSeconds: 60,
      }),
    ).toEqual([]);
  });
});
