import {
  Annotations,
  type CfnResource,
  Duration,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, type IConstruct } from 'constructs';
import { createAccessLogsBucket, createEncryptedBucket } from '../lakehouse/storage';
import { ignoreCfnLintRule } from '../network/cfn-lint';
import { acknowledgeGeneratedWildcards } from '../quality/nag-findings';
import { functionAccess } from '../streaming/lambda-functions';
import { dashboardBuild, type DashboardRuntimeConfig, RUNTIME_CONFIG_FILE } from './dashboard-app';
import { complianceApiSettingsProblems, rejectProblems } from './validate-props';

/** Path pattern of the distribution's behavior that forwards to the API. */
export const API_PATH_PATTERN = '/api/*';

/** The TLS security policy of a dashboard served under its own domain: TLS 1.2 or later. */
export const DASHBOARD_TLS_POLICY = cloudfront.SecurityPolicyProtocol.TLS_V1_2_2025;

/** The files the page loads first, which must never be served stale after a deploy. */
const ENTRY_FILES = ['index.html', RUNTIME_CONFIG_FILE];

/** Why the dashboard's buckets do not replicate. */
const NO_REPLICATION_REASON =
  'The dashboard bucket holds only the build that every deployment uploads again, and its logs are operational records; copies in a second region would add cost without a recovery need.';

/** The dashboard under a domain name of your own. */
export interface HostedDashboardDomain {
  /** The host name, e.g. `compliance.acme.example`; a DNS record must point it at the distribution. */
  readonly domainName: string;
  /** An ACM certificate for `domainName` in us-east-1. */
  readonly certificate: acm.ICertificate;
}

/** Properties of {@link HostedDashboard}. */
export interface HostedDashboardProps {
  /** The compliance API, served by the same distribution under `/api/*`. */
  readonly api: apigwv2.IHttpApi;
  /**
   * Origins other than its own the dashboard's scripts call while signing in (the Cognito issuer
   * and hosted UI): the only ones the content security policy's `connect-src` admits.
   */
  readonly signInOrigins: readonly string[];
  /** Key of the deployment function's log group; CloudWatch Logs must be allowed to use it. */
  readonly logKey: kms.IKey;
  /**
   * A domain name of your own for the dashboard, served with TLS 1.2 or later only.
   * @default - the distribution's `*.cloudfront.net` name, whose shared certificate CloudFront
   * serves with its default security policy (TLS 1.0 still accepted from old clients).
   */
  readonly domain?: HostedDashboardDomain;
  /**
   * ARN of an AWS WAF web ACL (scope CLOUDFRONT, in us-east-1) in front of the distribution.
   * @default - no web ACL.
   */
  readonly webAclArn?: string;
  /**
   * ISO 3166-1 alpha-2 codes of the countries the distribution answers; others get 403.
   * @default - every country.
   */
  readonly allowedCountries?: readonly string[];
  /**
   * An existing customer-managed key for the dashboard bucket; its key policy must let this
   * distribution's CloudFront service principal decrypt.
   * @default - a new key with yearly rotation whose policy admits CloudFront distributions of this account.
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Days the S3 and CloudFront access logs are kept.
   * @default 365
   */
  readonly logsExpireAfterDays?: number;
  /**
   * The dashboard's built files (an `index.html` at the root, Vite's content-hashed files under
   * `assets/`).
   * @default - `dashboard/` built at synthesis ({@link dashboardBuild}).
   */
  readonly app?: s3deploy.ISource;
  /**
   * What happens to the buckets, the key and the deployment's log group when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The React dashboard on S3 and CloudFront, with the compliance API on the same origin.
 *
 * - The bucket is private (public access blocked, ACLs disabled, TLS-only policy), versioned,
 *   SSE-KMS with a key of its own, and logs its accesses; CloudFront reads it with origin access
 *   control, which the bucket policy admits for this distribution only.
 * - `/api/*` goes to the HTTP API uncached, with the viewer's `Authorization` header (no CORS:
 *   same origin); everything else comes from the bucket, `/` being `index.html` (the pages are
 *   URL fragments, so no SPA fallback).
 * - Every answer carries the security headers: HSTS, a content security policy that admits only
 *   this origin and the sign-in origins, `X-Content-Type-Options`, `X-Frame-Options: DENY`,
 *   `Referrer-Policy: no-referrer`.
 * - Viewers use HTTPS (HTTP redirects); with a domain of your own, TLS 1.2 or later only. The
 *   distribution logs to a bucket, can be limited to countries and put behind a WAF web ACL.
 * - {@link publish} uploads the build and writes `config.json` with the environment's values at
 *   deploy time, then invalidates the entry files; synthesis fails until it is called.
 */
export class HostedDashboard extends Construct {
  /** The dashboard's address, `https://<host>/`: the sign-in callback and sign-out URL. */
  readonly url: string;
  /** The private bucket of the dashboard's files. */
  readonly bucket: s3.Bucket;
  /** The key of the dashboard bucket. */
  readonly encryptionKey: kms.IKey;
  /** Destination of the bucket's S3 access logs (`site-bucket/`) and CloudFront's (`cloudfront/`). */
  readonly logsBucket: s3.Bucket;
  /** The distribution serving the dashboard and, under `/api/*`, the API. */
  readonly distribution: cloudfront.Distribution;
  /** The security headers of every answer. */
  readonly responseHeadersPolicy: cloudfront.ResponseHeadersPolicy;
  private readonly app: s3deploy.ISource;
  private readonly logKey: kms.IKey;
  private readonly removalPolicy: RemovalPolicy;
  private published = false;

  constructor(scope: Construct, id: string, props: HostedDashboardProps) {
    super(scope, id);
    rejectProblems(
      this,
      complianceApiSettingsProblems({
        webAclArn: props.webAclArn,
        allowedCountries: props.allowedCountries,
        ...(props.domain !== undefined && {
          dashboardDomain: {
            domainName: props.domain.domainName,
            certificateArn: props.domain.certificate.certificateArn,
          },
        }),
      }),
    );
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.removalPolicy = removalPolicy;
    this.logKey = props.logKey;
    this.app = props.app ?? dashboardBuild();

    this.logsBucket = createAccessLogsBucket(this, 'Logs', {
      expireAfterDays: props.logsExpireAfterDays ?? 365,
      removalPolicy,
      noReplicationReason: NO_REPLICATION_REASON,
    });
    // CloudFront's standard logs arrive through an ACL grant to its log delivery account, so this
    // log bucket keeps ACLs on (objects still belong to the bucket owner).
    (this.logsBucket.node.defaultChild as s3.CfnBucket).ownershipControls = {
      rules: [{ objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED }],
    };

    this.encryptionKey =
      props.encryptionKey ??
      new kms.Key(this, 'Key', {
        description: 'uns-mlops hosted dashboard: objects of the dashboard bucket',
        enableKeyRotation: true,
        removalPolicy,
      });
    this.bucket = createEncryptedBucket(this, 'Site', {
      encryptionKey: this.encryptionKey,
      accessLogs: this.logsBucket,
      accessLogsPrefix: 'site-bucket/',
      lifecycleRules: [
        {
          id: 'abort-incomplete-multipart-uploads',
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        { id: 'expire-replaced-builds', noncurrentVersionExpiration: Duration.days(30) },
      ],
      removalPolicy,
      noReplicationReason: NO_REPLICATION_REASON,
    });

    this.responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'uns-mlops dashboard: HSTS, CSP, no framing, no sniffing, no referrer',
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        contentSecurityPolicy: {
          contentSecurityPolicy: contentSecurityPolicy(props.signInOrigins),
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER,
          override: true,
        },
        // The legacy XSS auditor is off ("0"): the content security policy is the protection.
        xssProtection: { protection: false, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          {
            header: 'Permissions-Policy',
            value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
            override: true,
          },
          { header: 'Cross-Origin-Opener-Policy', value: 'same-origin', override: true },
        ],
      },
    });

    const apiOrigin = new origins.HttpOrigin(
      `${props.api.apiId}.execute-api.${Stack.of(this).region}.${Stack.of(this).urlSuffix}`,
      {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      },
    );
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'uns-mlops compliance dashboard and API',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeadersPolicy,
        compress: true,
      },
      additionalBehaviors: {
        [API_PATH_PATTERN]: {
          origin: apiOrigin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
          // Uncached, so the viewer's Authorization header may be forwarded (and each caller is
          // authorized by the API itself).
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.responseHeadersPolicy,
          compress: true,
        },
      },
      ...(props.domain !== undefined && {
        domainNames: [props.domain.domainName],
        certificate: props.domain.certificate,
        minimumProtocolVersion: DASHBOARD_TLS_POLICY,
        sslSupportMethod: cloudfront.SSLMethod.SNI,
      }),
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logsBucket,
      logFilePrefix: 'cloudfront/',
      ...(props.allowedCountries !== undefined && {
        geoRestriction: cloudfront.GeoRestriction.allowlist(...props.allowedCountries),
      }),
      ...(props.webAclArn !== undefined && { webAclId: props.webAclArn }),
    });
    this.url = `https://${props.domain?.domainName ?? this.distribution.distributionDomainName}/`;
    this.acknowledgeDistributionFindings(props);
    this.node.addValidation({
      validate: () =>
        this.published
          ? []
          : ['The hosted dashboard has no content: call publish() with its runtime configuration.'],
    });
  }

  /**
   * Uploads the dashboard and writes its `config.json` with `config` (tokens such as the user
   * pool and client ids are resolved at deploy time), then invalidates `/`, `/index.html` and
   * `/config.json`. Vite's content-hashed files under `assets/` are cached for a year; the entry
   * files are revalidated on every load, so a deploy shows at the next page load.
   */
  publish(config: DashboardRuntimeConfig): void {
    if (this.published) throw new Error(`${this.node.path}: publish() may be called once`);
    this.published = true;
    const access = functionAccess(this, 'Deployment', {
      logKey: this.logKey,
      removalPolicy: this.removalPolicy,
      roleDescription:
        'Hosted dashboard deployment: uploads the dashboard and invalidates its entry files',
      policyDescription: 'Hosted dashboard deployment: its log group',
      statements: [],
    });
    const common = {
      destinationBucket: this.bucket,
      role: access.role,
      logGroup: access.logGroup,
      memoryLimit: 256,
    };
    const assets = new s3deploy.BucketDeployment(this, 'DeployAssets', {
      ...common,
      sources: [this.app],
      exclude: ['*'],
      include: ['assets/*'],
      cacheControl: [
        s3deploy.CacheControl.setPublic(),
        s3deploy.CacheControl.maxAge(Duration.days(365)),
        s3deploy.CacheControl.immutable(),
      ],
    });
    const entry = new s3deploy.BucketDeployment(this, 'DeployEntry', {
      ...common,
      sources: [this.app, s3deploy.Source.jsonData(RUNTIME_CONFIG_FILE, config)],
      exclude: ['assets/*'],
      cacheControl: [s3deploy.CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ['/', ...ENTRY_FILES.map((file) => `/${file}`)],
    });
    // The new index.html names new assets: they must be there first.
    entry.node.addDependency(assets);
    this.acknowledgeDeploymentFindings(access.role);
  }

  /** The singleton function aws-cdk-lib adds to the stack to run every `BucketDeployment`. */
  private deploymentHandler(): IConstruct {
    const handler = Stack.of(this).node.children.find((child) =>
      child.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    if (handler === undefined) {
      throw new Error(`${this.node.path}: aws-cdk-lib added no BucketDeployment function`);
    }
    return handler;
  }

  private acknowledgeDistributionFindings(props: HostedDashboardProps): void {
    if (props.domain === undefined) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'Without a configured dashboard domain the distribution uses the shared cloudfront.net certificate, whose security policy CloudFront fixes; set complianceApi.dashboardDomain for TLS 1.2 or later only.',
      });
    }
    if (props.webAclArn === undefined) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR2',
        reason:
          'A CloudFront web ACL must live in us-east-1 while this stack deploys elsewhere; every API call needs a Cognito token from an MFA sign-in and the stage throttles, and complianceApi.webAclArn attaches an existing web ACL.',
      });
    }
    if (props.allowedCountries === undefined) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR1',
        reason:
          'This environment names no allowed countries on purpose: its users sign in with MFA from wherever they work, and complianceApi.allowedCountries restricts the distribution when needed.',
      });
    }
    if (props.encryptionKey === undefined) {
      // aws-cdk-lib warns on the construct that holds the key.
      Annotations.of(this).acknowledgeWarning(
        '@aws-cdk/aws-cloudfront-origins:wildcardKeyPolicyForOac',
        'The key serves this bucket only and the bucket policy admits this one distribution; naming it in the key policy too would be a dependency cycle.',
      );
    }
  }

  private acknowledgeDeploymentFindings(role: Construct): void {
    const grants =
      'aws-cdk-lib grants the dashboard deployment function read access to the CDK asset objects, write access to the dashboard bucket objects and CloudFront invalidations in its role default policy.';
    acknowledgeGeneratedWildcards(role, grants);
    const defaultPolicy = role.node.tryFindChild('DefaultPolicy');
    if (defaultPolicy !== undefined) {
      Validations.of(defaultPolicy).acknowledge({
        id: 'NIST.800.53.R5-IAMNoInlinePolicy',
        reason: grants,
      });
    }
    const invocation =
      'CloudFormation invokes the dashboard deployment function synchronously, one deployment after the other, only while the stack deploys, and reports a failure itself.';
    const handler = this.deploymentHandler();
    // aws-cdk-lib makes the function depend on its role explicitly, besides the role reference.
    ignoreCfnLintRule(handler.node.defaultChild as CfnResource, 'W3005');
    Validations.of(handler).acknowledge(
      {
        id: 'AwsSolutions-L1',
        reason:
          'The BucketDeployment function of aws-cdk-lib runs on the Python runtime aws-cdk-lib chooses with its AWS CLI layer; the project cannot change it.',
      },
      {
        id: 'NIST.800.53.R5-LambdaInsideVPC',
        reason:
          'The deployment function calls the CloudFront invalidation API, which has no VPC endpoint, and handles no plant data, so it runs outside the private VPC.',
      },
      { id: 'NIST.800.53.R5-LambdaConcurrency', reason: invocation },
      { id: 'NIST.800.53.R5-LambdaDLQ', reason: invocation },
    );
  }
}

/**
 * The content security policy of the dashboard: scripts, styles, fonts and images from its own
 * origin only (Vite emits no inline script), data from its own origin (the API, `config.json`)
 * and the sign-in origins, no plugins, no framing, no `<base>`.
 */
export function contentSecurityPolicy(signInOrigins: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${signInOrigins.join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    'upgrade-insecure-requests',
  ].join('; ');
}
