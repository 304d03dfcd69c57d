/**
 * The dashboard under a domain name of your own instead of CloudFront's `*.cloudfront.net` name.
 * CloudFront then serves it with the certificate below and TLS 1.2 or later only.
 */
export interface DashboardDomainSettings {
  /** The host name users open, e.g. `compliance.acme.example` (a DNS record must point it at the distribution). */
  readonly domainName: string;
  /**
   * ARN of an AWS Certificate Manager certificate for `domainName`, in **us-east-1**: CloudFront
   * uses certificates from that region only.
   */
  readonly certificateArn: string;
}

/**
 * What one environment chooses for the compliance API, its users and the hosted dashboard. Every
 * setting has a default; an environment names only what it changes.
 */
export interface ComplianceApiSettings {
  /**
   * Prefix of the Cognito hosted UI's domain, `https://<prefix>.auth.<region>.amazoncognito.com`:
   * 1-63 lowercase letters, digits and hyphens, unique in the region across all AWS accounts, and
   * without the words `aws`, `amazon` or `cognito`.
   * @default `uns-mlops-<environment>-<account>` - unique because the account id is.
   */
  readonly cognitoDomainPrefix?: string;
  /**
   * A domain name of your own for the dashboard, with its certificate.
   * @default - the distribution's `*.cloudfront.net` name, whose shared certificate CloudFront
   * serves with its default security policy (it still accepts TLS 1.0 from old clients).
   */
  readonly dashboardDomain?: DashboardDomainSettings;
  /**
   * ARN of an AWS WAF web ACL with scope CLOUDFRONT (created in us-east-1) that filters every
   * request to the dashboard and, through the same distribution, the API.
   * @default - no web ACL: sign-in with MFA, the JWT authorizer and stage throttling protect the API.
   */
  readonly webAclArn?: string;
  /**
   * ISO 3166-1 alpha-2 codes of the countries the dashboard and the API answer from (CloudFront geo
   * restriction); requests from elsewhere get 403.
   * @default - every country.
   */
  readonly allowedCountries?: readonly string[];
  /**
   * Steady-state requests per second the API's stage accepts, across all callers.
   * @default 50 - a hundred dashboards refreshing every 30 s send about 15.
   */
  readonly throttlingRateLimit?: number;
  /**
   * Requests the API's stage accepts at once above the steady rate (token bucket size).
   * @default 100
   */
  readonly throttlingBurstLimit?: number;
  /**
   * Concurrent executions reserved for (and capping) the API function, hence also the most
   * connections it opens through the RDS Proxy.
   * @default 10
   */
  readonly reservedConcurrency?: number;
  /**
   * Seconds between two refreshes of a dashboard page (`refreshSeconds` of its `config.json`).
   * @default 30
   */
  readonly refreshSeconds?: number;
}

/** The defaults of {@link ComplianceApiSettings} that are values, in one place. */
export const COMPLIANCE_API_DEFAULTS = {
  throttlingRateLimit: 50,
  throttlingBurstLimit: 100,
  reservedConcurrency: 10,
  refreshSeconds: 30,
} as const;

/** The hosted UI domain prefix an environment gets when it names none. */
export function defaultCognitoDomainPrefix(environment: string, account: string): string {
  return `uns-mlops-${environment}-${account}`;
}
