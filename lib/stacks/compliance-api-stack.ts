import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type { Construct } from 'constructs';
import type { Alerting } from '../alerts';
import type { ComplianceStore } from '../compliance';
import {
  COMPLIANCE_API_DEFAULTS,
  ComplianceApi,
  ComplianceUsers,
  defaultCognitoDomainPrefix,
  HostedDashboard,
  hostedRuntimeConfig,
  signInOrigins,
} from '../compliance-api';
import type { EnvironmentConfig } from '../config/environment';
import type { UnsNetwork } from '../network';

/** Properties of a {@link ComplianceApiStack}. */
export interface ComplianceApiStackProps extends StackProps {
  /** The environment whose plants, throttling and dashboard settings shape the stack. */
  readonly config: EnvironmentConfig;
  /** The network whose private subnets hold the API function. */
  readonly network: UnsNetwork;
  /** The compliance store the API reads. */
  readonly store: ComplianceStore;
  /** The environment's alert topic and limits: every alarm of the stack notifies it. */
  readonly alerts: Alerting;
}

/**
 * The compliance API of one environment and the dashboard that reads it: the Cognito users
 * (groups per site), the HTTP API with its JWT authorizer and function, and the dashboard on S3 +
 * CloudFront, which also serves the API under `/api/*` on the same origin.
 */
export class ComplianceApiStack extends Stack {
  /** The Cognito user pool, its groups, hosted UI and the dashboard's app client. */
  readonly users: ComplianceUsers;
  /** The HTTP API and its function. */
  readonly api: ComplianceApi;
  /** The dashboard on S3 and CloudFront. */
  readonly dashboard: HostedDashboard;

  constructor(scope: Construct, id: string, props: ComplianceApiStackProps) {
    super(scope, id, props);
    const { config, network, store } = props;
    const settings = { ...COMPLIANCE_API_DEFAULTS, ...config.complianceApi };
    const domainPrefix =
      settings.cognitoDomainPrefix ?? defaultCognitoDomainPrefix(config.name, config.account);
    const removalPolicy = config.allowDestroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const signIn = signInOrigins(this.region, domainPrefix);

    this.api = new ComplianceApi(this, 'Api', {
      store,
      alerts: props.alerts,
      vpc: network.vpc,
      subnets: network.privateSubnets,
      logKey: network.logKey,
      throttlingRateLimit: settings.throttlingRateLimit,
      throttlingBurstLimit: settings.throttlingBurstLimit,
      reservedConcurrency: settings.reservedConcurrency,
      removalPolicy,
    });
    const domain = settings.dashboardDomain;
    this.dashboard = new HostedDashboard(this, 'Dashboard', {
      api: this.api.httpApi,
      signInOrigins: [signIn.issuer, signIn.hostedUi],
      logKey: network.logKey,
      ...(domain !== undefined && {
        domain: {
          domainName: domain.domainName,
          certificate: acm.Certificate.fromCertificateArn(
            this,
            'DashboardCertificate',
            domain.certificateArn,
          ),
        },
      }),
      webAclArn: settings.webAclArn,
      allowedCountries: settings.allowedCountries,
      removalPolicy,
    });
    this.users = new ComplianceUsers(this, 'Users', {
      siteIds: config.plants.map((plant) => plant.siteId),
      domainPrefix,
      dashboardUrl: this.dashboard.url,
      deletionProtection: !config.allowDestroy,
      removalPolicy,
    });
    this.api.requireSignIn(this.users);
    this.dashboard.publish(hostedRuntimeConfig(this.users, settings.refreshSeconds));

    new CfnOutput(this, 'DashboardUrl', { value: this.dashboard.url });
    new CfnOutput(this, 'DistributionDomainName', {
      value: this.dashboard.distribution.distributionDomainName,
      description: 'Target of the DNS record of a custom dashboard domain',
    });
    new CfnOutput(this, 'UserPoolId', { value: this.users.userPool.userPoolId });
    new CfnOutput(this, 'DashboardClientId', {
      value: this.users.dashboardClient.userPoolClientId,
    });
  }
}
