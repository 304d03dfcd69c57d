import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack, Validations } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import {
  buildDashboard,
  contentSecurityPolicy,
  DASHBOARD_DIR,
  DASHBOARD_TLS_POLICY,
  HostedDashboard,
} from '../../lib/compliance-api';
import type { EnvironmentConfig } from '../../lib/config/environment';
import { resolveEnvironment } from '../../lib/config/resolve';
import { newApp } from '../support/app';
import { only } from '../support/resources';
import { buildComplianceApi } from './stacks';

const dev = buildComplianceApi('dev');
const prod = buildComplianceApi('prod');
const devTemplate = dev.template();
const prodTemplate = prod.template();

/** Prod with a dashboard domain of its own and a WAF web ACL. */
const withDomainConfig: EnvironmentConfig = {
  ...resolveEnvironment('prod'),
  complianceApi: {
    ...resolveEnvironment('prod').complianceApi,
    dashboardDomain: {
      domainName: 'compliance.acme.example',
      certificateArn:
        'arn:aws:acm:us-east-1:222222222222:certificate/0f6bd8f4-1c2e-4b44-9a0d-6a1c5b4e2f10',
    },
    webAclArn:
      'arn:aws:wafv2:us-east-1:222222222222:global/webacl/uns-mlops/a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
  },
};
const withDomain = buildComplianceApi(withDomainConfig);
const withDomainTemplate = withDomain.template();

const distribution = (template: Template) =>
  only(template, 'AWS::CloudFront::Distribution').resource.Properties.DistributionConfig;
const bucketNamed = (template: Template, prefix: RegExp) =>
  Object.entries(template.findResources('AWS::S3::Bucket')).find(([id]) => prefix.test(id))!;
const siteBucket = (template: Template) => bucketNamed(template, /^DashboardSite/);
const logsBucket = (template: Template) => bucketNamed(template, /^DashboardLogs/);
const bucketPolicy = (template: Template, bucketId: string) =>
  Object.values(template.findResources('AWS::S3::BucketPolicy')).find(
    (policy) => policy.Properties.Bucket.Ref === bucketId,
  )!.Properties.PolicyDocument.Statement;
const deployments = (template: Template) => template.findResources('Custom::CDKBucketDeployment');
const entryDeployment = (template: Template) =>
  Object.entries(deployments(template)).find(([id]) => /DeployEntry/.test(id))!;

describe('the dashboard bucket', () => {
  it('blocks every public access and disables ACLs', () => {
    const [, bucket] = siteBucket(prodTemplate);
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.OwnershipControls).toEqual({
      Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }],
    });
  });

  it('admits TLS 1.2 or later only, and CloudFront reads it for this distribution only', () => {
    const [id] = siteBucket(prodTemplate);
    const statements = bucketPolicy(prodTemplate, id);
    expect(statements.filter((s: any) => s.Effect === 'Deny').map((s: any) => s.Condition)).toEqual(
      [{ Bool: { 'aws:SecureTransport': 'false' } }, { NumericLessThan: { 's3:TlsVersion': 1.2 } }],
    );
    const allows = statements.filter((s: any) => s.Effect === 'Allow');
    expect(allows).toEqual([
      {
        Action: 's3:GetObject',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, '/*']] },
        Condition: {
          StringEquals: {
            'AWS:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':cloudfront::',
                  { Ref: 'AWS::AccountId' },
                  ':distribution/',
                  { Ref: only(prodTemplate, 'AWS::CloudFront::Distribution').id },
                ],
              ],
            },
          },
        },
      },
    ]);
  });

  it('is versioned, logs its accesses and encrypts with a rotating key CloudFront may decrypt with', () => {
    const [, bucket] = siteBucket(prodTemplate);
    const [logsId] = logsBucket(prodTemplate);
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logsId },
      LogFilePrefix: 'site-bucket/',
    });
    const key = only(prodTemplate, 'AWS::KMS::Key');
    expect(key.resource.Properties.EnableKeyRotation).toBe(true);
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      {
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: {
          SSEAlgorithm: 'aws:kms',
          KMSMasterKeyID: { 'Fn::GetAtt': [key.id, 'Arn'] },
        },
      },
    ]);
    const cloudfront = key.resource.Properties.KeyPolicy.Statement.find(
      (s: any) => s.Principal.Service === 'cloudfront.amazonaws.com',
    );
    expect(cloudfront.Action).toBe('kms:Decrypt');
    expect(JSON.stringify(cloudfront.Condition.ArnLike['AWS:SourceArn'])).toContain(
      ':distribution/*',
    );
  });

  it('is kept in prod and deleted with the dev stack', () => {
    expect(siteBucket(prodTemplate)[1].DeletionPolicy).toBe('Retain');
    expect(siteBucket(devTemplate)[1].DeletionPolicy).toBe('Delete');
  });
});

describe('the log bucket', () => {
  it('receives the S3 and CloudFront access logs, SSE-S3, private, ACLs kept for CloudFront’s delivery', () => {
    const [id, bucket] = logsBucket(prodTemplate);
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
    ]);
    expect(bucket.Properties.OwnershipControls).toEqual({
      Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }],
    });
    expect(bucket.Properties.PublicAccessBlockConfiguration.BlockPublicAcls).toBe(true);
    expect(bucket.Properties.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(365);
    expect(distribution(prodTemplate).Logging).toEqual({
      Bucket: { 'Fn::GetAtt': [id, 'RegionalDomainName'] },
      Prefix: 'cloudfront/',
    });
  });
});

describe('the distribution', () => {
  it('reads the bucket with origin access control (SigV4, always signed)', () => {
    const oac = only(prodTemplate, 'AWS::CloudFront::OriginAccessControl');
    expect(oac.resource.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    const [siteId] = siteBucket(prodTemplate);
    const s3Origin = distribution(prodTemplate).Origins.find(
      (origin: any) => origin.S3OriginConfig !== undefined,
    );
    expect(s3Origin).toMatchObject({
      DomainName: { 'Fn::GetAtt': [siteId, 'RegionalDomainName'] },
      OriginAccessControlId: { 'Fn::GetAtt': [oac.id, 'Id'] },
      S3OriginConfig: { OriginAccessIdentity: '' },
    });
  });

  it('serves index.html for /, over HTTPS only (HTTP redirects), with HTTP/2 and 3', () => {
    const config = distribution(prodTemplate);
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.DefaultCacheBehavior.AllowedMethods).toEqual(['GET', 'HEAD']);
    expect(config.HttpVersion).toBe('http2and3');
    expect(config.CustomErrorResponses).toBeUndefined();
  });

  it('forwards /api/* uncached, with the viewer’s headers but the host, to the API over TLS 1.2', () => {
    const config = distribution(prodTemplate);
    expect(config.CacheBehaviors).toHaveLength(1);
    const [api] = config.CacheBehaviors;
    expect(api).toMatchObject({
      PathPattern: '/api/*',
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: ['GET', 'HEAD'],
      // Managed policies CachingDisabled and AllViewerExceptHostHeader.
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
    });
    const origin = config.Origins.find((o: any) => o.Id === api.TargetOriginId);
    expect(origin.CustomOriginConfig).toEqual({
      OriginProtocolPolicy: 'https-only',
      OriginSSLProtocols: ['TLSv1.2'],
    });
    expect(origin.DomainName).toEqual({
      'Fn::Join': [
        '',
        [
          { Ref: only(prodTemplate, 'AWS::ApiGatewayV2::Api').id },
          '.execute-api.eu-central-1.',
          { Ref: 'AWS::URLSuffix' },
        ],
      ],
    });
  });

  it('answers only from the configured countries', () => {
    expect(distribution(devTemplate).Restrictions).toEqual({
      GeoRestriction: { RestrictionType: 'whitelist', Locations: ['DE'] },
    });
    expect(distribution(prodTemplate).Restrictions.GeoRestriction.Locations).toEqual(['DE', 'CZ']);
  });

  it('uses the cloudfront.net certificate when no domain is configured', () => {
    const config = distribution(prodTemplate);
    expect(config.Aliases).toBeUndefined();
    expect(config.ViewerCertificate).toBeUndefined();
    expect(config.WebACLId).toBeUndefined();
  });

  it('serves a configured domain with its us-east-1 certificate, TLS 1.2 or later only, SNI', () => {
    const config = distribution(withDomainTemplate);
    expect(config.Aliases).toEqual(['compliance.acme.example']);
    expect(config.ViewerCertificate).toEqual({
      AcmCertificateArn:
        'arn:aws:acm:us-east-1:222222222222:certificate/0f6bd8f4-1c2e-4b44-9a0d-6a1c5b4e2f10',
      MinimumProtocolVersion: 'TLSv1.2_2025',
      SslSupportMethod: 'sni-only',
    });
    expect(DASHBOARD_TLS_POLICY).toBe('TLSv1.2_2025');
    expect(config.WebACLId).toBe(withDomainConfig.complianceApi!.webAclArn);
    // The app client and the invitation then name the domain.
    const client = only(withDomainTemplate, 'AWS::Cognito::UserPoolClient').resource.Properties;
    expect(client.CallbackURLs).toEqual(['https://compliance.acme.example/']);
    expect(withDomain.stack.dashboard.url).toBe('https://compliance.acme.example/');
  });
});

describe('the security headers', () => {
  const policy = (template: Template) => only(template, 'AWS::CloudFront::ResponseHeadersPolicy');

  it('go with every answer, the dashboard’s and the API’s', () => {
    const { id } = policy(prodTemplate);
    const config = distribution(prodTemplate);
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(behavior.ResponseHeadersPolicyId).toEqual({ Ref: id });
    }
  });

  it('set HSTS for two years, nosniff, DENY framing, no referrer, and override the origin’s', () => {
    const headers =
      policy(prodTemplate).resource.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(headers).toMatchObject({
      StrictTransportSecurity: {
        AccessControlMaxAgeSec: 63_072_000,
        IncludeSubdomains: true,
        Override: true,
      },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
      XSSProtection: { Protection: false, Override: true },
    });
  });

  it('admit scripts and data from the dashboard’s origin and the Cognito sign-in origins only', () => {
    const csp =
      policy(prodTemplate).resource.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig
        .ContentSecurityPolicy;
    expect(csp.Override).toBe(true);
    const directives = Object.fromEntries(
      csp.ContentSecurityPolicy.split('; ').map((directive: string) => {
        const [name, ...values] = directive.split(' ');
        return [name, values.join(' ')];
      }),
    );
    expect(directives).toEqual({
      'default-src': "'self'",
      'script-src': "'self'",
      'style-src': "'self'",
      'img-src': "'self' data:",
      'font-src': "'self'",
      'connect-src':
        "'self' https://cognito-idp.eu-central-1.amazonaws.com https://uns-mlops-prod-222222222222.auth.eu-central-1.amazoncognito.com",
      'object-src': "'none'",
      'base-uri': "'none'",
      'form-action': "'self'",
      'frame-ancestors': "'none'",
      'upgrade-insecure-requests': '',
    });
    expect(contentSecurityPolicy(['https://a.example'])).toContain(
      "connect-src 'self' https://a.example;",
    );
  });
});

describe('the deployment of the dashboard', () => {
  it('uploads Vite’s hashed assets cached a year, then the entry files revalidated on every load', () => {
    const all = Object.entries(deployments(prodTemplate));
    expect(all).toHaveLength(2);
    const [assetsId, assets] = all.find(([id]) => /DeployAssets/.test(id))!;
    expect(assets.Properties).toMatchObject({
      Exclude: ['*'],
      Include: ['assets/*'],
      Prune: true,
      SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
    });
    const [, entry] = entryDeployment(prodTemplate);
    expect(entry.Properties).toMatchObject({
      Exclude: ['assets/*'],
      Prune: true,
      SystemMetadata: { 'cache-control': 'no-cache' },
    });
    expect(entry.DependsOn).toContain(assetsId);
  });

  it('invalidates /, /index.html and /config.json of the distribution after each deploy', () => {
    const [, entry] = entryDeployment(prodTemplate);
    expect(entry.Properties.DistributionId).toEqual({
      Ref: only(prodTemplate, 'AWS::CloudFront::Distribution').id,
    });
    expect(entry.Properties.DistributionPaths).toEqual(['/', '/index.html', '/config.json']);
  });

  it('writes config.json at deploy: same-origin API, no anomaly API, the user pool and its client', () => {
    const outdir = prod.synth();
    const [, entry] = entryDeployment(prodTemplate);
    const configAsset = entry.Properties.SourceObjectKeys[1].replace(/\.zip$/, '');
    // The deployment puts each token's value where its marker is: here, references.
    const markers: Record<string, { Ref: string }> = entry.Properties.SourceMarkers[1];
    let text = readFileSync(join(outdir, `asset.${configAsset}`, 'config.json'), 'utf8');
    for (const [marker, value] of Object.entries(markers)) {
      text = text.replaceAll(marker, `<Ref ${value.Ref}>`);
    }
    const pool = only(prodTemplate, 'AWS::Cognito::UserPool').id;
    const client = only(prodTemplate, 'AWS::Cognito::UserPoolClient').id;
    const config = JSON.parse(text);
    expect(config).toEqual({
      complianceApiBase: '',
      anomalyApiBase: null,
      refreshSeconds: 30,
      auth: {
        authority: `https://cognito-idp.eu-central-1.amazonaws.com/<Ref ${pool}>`,
        clientId: `<Ref ${client}>`,
        hostedUiDomain: 'https://uns-mlops-prod-222222222222.auth.eu-central-1.amazoncognito.com',
        scope: 'openid email profile',
      },
    });
    // The keys the dashboard's config.ts reads, no more.
    expect(Object.keys(config)).toEqual([
      'complianceApiBase',
      'anomalyApiBase',
      'refreshSeconds',
      'auth',
    ]);
    expect(entry.Properties.SourceMarkersConfig[1]).toEqual({ jsonEscape: true });
  });

  it('ships the dashboard built at synthesis, without the local plant’s config.json', () => {
    const outdir = dev.synth();
    const [, entry] = entryDeployment(devTemplate);
    const app = join(outdir, `asset.${entry.Properties.SourceObjectKeys[0].replace(/\.zip$/, '')}`);
    const files = readdirSync(app);
    expect(files).toContain('index.html');
    expect(files).not.toContain('config.json');
    const assets = readdirSync(join(app, 'assets'));
    expect(assets.some((file) => /^index-[\w-]+\.js$/.test(file))).toBe(true);
    // Vite emits no inline script, which the content security policy would block.
    const index = readFileSync(join(app, 'index.html'), 'utf8');
    expect(index).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(existsSync(join(DASHBOARD_DIR, 'package.json'))).toBe(true);
  });

  it('fails with the build’s output when the dashboard does not build', () => {
    const broken = mkdtempSync(join(tmpdir(), 'broken-dashboard-'));
    writeFileSync(
      join(broken, 'package.json'),
      JSON.stringify({
        name: 'broken',
        scripts: { build: 'echo "vite: syntax error" >&2; exit 3' },
      }),
    );
    expect(() => {
      buildDashboard(broken, mkdtempSync(join(tmpdir(), 'out-')));
    }).toThrow(
      /Building the dashboard \(npm run build in .*broken-dashboard-.*\) failed[\s\S]*vite: syntax error/,
    );
    const empty = mkdtempSync(join(tmpdir(), 'empty-dashboard-'));
    writeFileSync(
      join(empty, 'package.json'),
      JSON.stringify({ name: 'empty', scripts: { build: 'true' } }),
    );
    expect(() => {
      buildDashboard(empty, mkdtempSync(join(tmpdir(), 'out-')));
    }).toThrow(/Building the dashboard/);
  });
});

it('passes cdk-nag with a domain and a web ACL without the acknowledgements their absence needs', () => {
  const acknowledged = (distributionOf: typeof withDomain) =>
    distributionOf.stack.dashboard.distribution.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.keys(entry.data as object))
      .map((id) => id.replace(/^Annotation::/, ''));
  expect(() => withDomain.synth()).not.toThrow();
  expect(acknowledged(withDomain)).toEqual([]);
  for (const built of [dev, prod]) {
    expect([...new Set(acknowledged(built))].sort()).toEqual([
      'AwsSolutions-CFR2',
      'AwsSolutions-CFR4',
    ]);
  }
});

it('rejects unknown countries and a certificate outside us-east-1 before creating anything', () => {
  const stack = new Stack(newApp(), 'Invalid', {
    env: { account: '123456789012', region: 'eu-central-1' },
  });
  const api = new apigwv2.HttpApi(stack, 'Api');
  expect(
    () =>
      new HostedDashboard(stack, 'Dashboard', {
        api,
        signInOrigins: [],
        logKey: new kms.Key(stack, 'LogKey'),
        allowedCountries: ['Germany'],
        domain: {
          domainName: 'compliance.acme.example',
          certificate: acm.Certificate.fromCertificateArn(
            stack,
            'Certificate',
            'arn:aws:acm:eu-central-1:123456789012:certificate/0f6bd8f4-1c2e-4b44-9a0d-6a1c5b4e2f10',
          ),
        },
        app: s3deploy.Source.data('index.html', '<!doctype html>'),
      }),
  ).toThrow(/certificateArn .* in us-east-1[\s\S]*"Germany" must be an ISO 3166-1 alpha-2 code/);
  expect(stack.node.tryFindChild('Dashboard')?.node.children ?? []).toHaveLength(0);
});
