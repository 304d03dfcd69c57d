import { Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { ComplianceApiSettings } from './compliance-api-props';

const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const RESERVED_PREFIX_WORDS = /aws|amazon|cognito/;
const HOST_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const CLOUDFRONT_CERTIFICATE_ARN =
  /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/;
const CLOUDFRONT_WEB_ACL_ARN =
  /^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/[\w-]{1,128}\/[0-9a-f-]{36}$/;
const COUNTRY = /^[A-Z]{2}$/;

/**
 * Every problem with the given compliance API settings, each naming the setting; empty when they
 * are valid. Unresolved tokens are not checked. Shared by the stack and the environment
 * configuration.
 */
export function complianceApiSettingsProblems(settings: ComplianceApiSettings): string[] {
  const problems: string[] = [];
  const known = <T>(value: T | undefined): value is T =>
    value !== undefined && !Token.isUnresolved(value);
  const quote = (value: unknown) => JSON.stringify(value);

  const prefix = settings.cognitoDomainPrefix;
  if (known(prefix) && (!DOMAIN_PREFIX.test(prefix) || RESERVED_PREFIX_WORDS.test(prefix))) {
    problems.push(
      `cognitoDomainPrefix ${quote(prefix)} must be 1-63 lowercase letters, digits or hyphens, not starting or ending with a hyphen, without "aws", "amazon" or "cognito"`,
    );
  }
  const domain = settings.dashboardDomain;
  if (domain !== undefined) {
    if (known(domain.domainName) && !HOST_NAME.test(domain.domainName)) {
      problems.push(
        `dashboardDomain.domainName ${quote(domain.domainName)} must be a lowercase DNS host name such as "compliance.acme.example"`,
      );
    }
    if (known(domain.certificateArn) && !CLOUDFRONT_CERTIFICATE_ARN.test(domain.certificateArn)) {
      problems.push(
        `dashboardDomain.certificateArn ${quote(domain.certificateArn)} must be an ACM certificate ARN in us-east-1 (CloudFront uses certificates from there only)`,
      );
    }
  }
  if (known(settings.webAclArn) && !CLOUDFRONT_WEB_ACL_ARN.test(settings.webAclArn)) {
    problems.push(
      `webAclArn ${quote(settings.webAclArn)} must be the ARN of a WAF web ACL with scope CLOUDFRONT (arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>)`,
    );
  }
  const countries = settings.allowedCountries;
  if (countries !== undefined) {
    if (countries.length === 0) {
      problems.push(
        'allowedCountries must list at least one country, or be left out to allow every country',
      );
    }
    for (const country of countries.filter((code) => !COUNTRY.test(code))) {
      problems.push(
        `allowedCountries: ${quote(country)} must be an ISO 3166-1 alpha-2 code such as "DE"`,
      );
    }
    for (const country of countries.filter((code, index) => countries.indexOf(code) !== index)) {
      problems.push(`allowedCountries: ${quote(country)} is listed more than once`);
    }
  }
  const rate = settings.throttlingRateLimit;
  if (known(rate) && !(Number.isFinite(rate) && rate > 0 && rate <= 10_000)) {
    problems.push(`throttlingRateLimit (${rate}) must be a number above 0 and at most 10000`);
  }
  const wholeIn = (name: string, value: number | undefined, min: number, max: number) => {
    if (known(value) && !(Number.isInteger(value) && value >= min && value <= max)) {
      problems.push(`${name} (${value}) must be a whole number in ${min}-${max}`);
    }
  };
  wholeIn('throttlingBurstLimit', settings.throttlingBurstLimit, 1, 5_000);
  wholeIn('reservedConcurrency', settings.reservedConcurrency, 1, 1_000);
  wholeIn('refreshSeconds', settings.refreshSeconds, 5, 3_600);
  return problems;
}

/**
 * Throws one error listing every problem, naming the construct, when there is any: for the
 * constructors, which check their props before creating anything.
 */
export function rejectProblems(scope: IConstruct, problems: readonly string[]): void {
  if (problems.length > 0) {
    throw new Error(
      [`${scope.node.path}: invalid props:`, ...problems.map((p) => `  - ${p}`)].join('\n'),
    );
  }
}
