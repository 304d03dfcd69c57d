import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type Alerting, functionAlarms } from '../alerts/alarms';
import { COMPLIANCE_STORE_USERS, type ComplianceStore } from '../compliance';
import { vpcFunctionAccess, waitForPolicy, workspaceFunction } from '../streaming/lambda-functions';
import { COMPLIANCE_API_DEFAULTS } from './compliance-api-props';
import type { ComplianceUsers } from './compliance-users';
import { complianceApiSettingsProblems, rejectProblems } from './validate-props';

/** The API's one route: every compliance endpoint of `dashboard/openapi.yaml`, read-only. */
export const COMPLIANCE_API_ROUTE = '/api/v1/compliance/{proxy+}';

/** CloudWatch namespace of the API function's metrics (Powertools, embedded metric format). */
export const COMPLIANCE_API_METRICS_NAMESPACE = 'UnsMlops/ComplianceApi';

/**
 * Fields of one access log line (JSON). The caller's address is CloudFront's here: the viewer's
 * is in the distribution's logs.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
  authorizerError: '$context.authorizer.error',
  user: '$context.authorizer.claims.sub',
} as const;

/** Properties of {@link ComplianceApi}. */
export interface ComplianceApiProps {
  /** The store the function reads, through its RDS Proxy with IAM authentication. */
  readonly store: ComplianceStore;
  /** The VPC of the store. */
  readonly vpc: ec2.IVpc;
  /** Private subnets of the function, from which the proxy is reachable. */
  readonly subnets: ec2.SubnetSelection;
  /** Key of the function's and the access logs' log groups; CloudWatch Logs must be allowed to use it. */
  readonly logKey: kms.IKey;
  /**
   * Steady-state requests per second the stage accepts, across all callers.
   * @default 50
   */
  readonly throttlingRateLimit?: number;
  /**
   * Requests the stage accepts at once above the steady rate.
   * @default 100
   */
  readonly throttlingBurstLimit?: number;
  /**
   * Concurrent executions reserved for the function (also its cap, so its connections to the proxy).
   * @default 10
   */
  readonly reservedConcurrency?: number;
  /**
   * Days the access logs are kept (the function's logs are kept one year, as every function's).
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly accessLogRetention?: logs.RetentionDays;
  /**
   * Where the function's alarms go (errors, throttles: callers get 5xx or 429 answers).
   * @default - no alarms.
   */
  readonly alerts?: Alerting;
  /**
   * What happens to the log groups when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The compliance API of the cloud: an API Gateway HTTP API whose one route,
 * `GET /api/v1/compliance/{proxy+}`, runs the `compliance-api` function (lambdas/compliance-api,
 * payload format 2.0) behind a JWT authorizer on the Cognito user pool (added by
 * {@link requireSignIn}; synthesis fails without it).
 *
 * - The `$default` stage throttles every route, deploys automatically and writes one JSON line per
 *   request to a KMS-encrypted log group.
 * - HTTP APIs have **no request validator**: the function validates every path and query
 *   parameter itself and answers 400 with the reason.
 * - The function runs in the private subnets, in its own security group and the store's
 *   client group (the only way to the proxy's port), connects as `compliance_reader` with an IAM
 *   token over TLS (the RDS CA bundle of the runtime), with reserved concurrency, Powertools
 *   settings and X-Ray active tracing.
 * - The API has no CORS configuration: the dashboard reaches it through its own CloudFront
 *   distribution (`/api/*`), on the same origin.
 */
export class ComplianceApi extends Construct {
  /** The HTTP API (its execute-api endpoint is the distribution's `/api/*` origin). */
  readonly httpApi: apigwv2.HttpApi;
  /** The `$default` stage: throttling and access logs. */
  readonly stage: apigwv2.HttpStage;
  /** The `compliance-api` function behind the route. */
  readonly function: nodejs.NodejsFunction;
  /** The function's own group (besides the store's client group). */
  readonly securityGroup: ec2.SecurityGroup;
  /** The stage's access logs, one JSON line per request ({@link ACCESS_LOG_FIELDS}). */
  readonly accessLogs: logs.LogGroup;
  private readonly integration: HttpLambdaIntegration;
  private routes: apigwv2.HttpRoute[] = [];

  constructor(scope: Construct, id: string, props: ComplianceApiProps) {
    super(scope, id);
    rejectProblems(
      this,
      complianceApiSettingsProblems({
        throttlingRateLimit: props.throttlingRateLimit,
        throttlingBurstLimit: props.throttlingBurstLimit,
        reservedConcurrency: props.reservedConcurrency,
      }),
    );
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const { store } = props;

    this.securityGroup = new ec2.SecurityGroup(this, 'FunctionSecurityGroup', {
      vpc: props.vpc,
      description:
        'compliance-api: no rule of its own; the store client group opens the RDS Proxy port',
      allowAllOutbound: false,
    });
    const access = vpcFunctionAccess(this, 'Function', {
      logKey: props.logKey,
      removalPolicy,
      roleDescription: 'compliance-api: reads the compliance store for the dashboard',
      policyDescription:
        'compliance-api: connect to the compliance store as compliance_reader, its log group, VPC network interfaces',
      // In the managed policy the function waits for: it may connect as soon as it exists.
      statements: [store.connectStatement(COMPLIANCE_STORE_USERS.reader)],
    });
    this.function = workspaceFunction(this, 'Function', {
      workspace: 'compliance-api',
      description:
        'Compliance API: summaries, violations and contracts of the sites the caller may read',
      memorySize: 512,
      timeout: Duration.seconds(15),
      role: access.role,
      logGroup: access.logGroup,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [this.securityGroup, store.clientSecurityGroup],
      reservedConcurrentExecutions:
        props.reservedConcurrency ?? COMPLIANCE_API_DEFAULTS.reservedConcurrency,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        DB_HOST: store.proxyEndpoint,
        DB_PORT: String(store.proxyPort),
        DB_NAME: store.databaseName,
        DB_USER: COMPLIANCE_STORE_USERS.reader,
        POWERTOOLS_SERVICE_NAME: 'compliance-api',
        POWERTOOLS_METRICS_NAMESPACE: COMPLIANCE_API_METRICS_NAMESPACE,
        // The RDS certificate authorities, which Lambda's Node.js runtimes ship there.
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
      },
    });
    waitForPolicy(this.function, access.policy);
    this.acknowledgeFunctionFindings(access.policy);
    if (props.alerts !== undefined) {
      functionAlarms(this, this.function, props.alerts, 'compliance-api', {
        hint: 'Callers get 5xx answers; see the function log (the store or its proxy unreachable, a failing query).',
      });
    }

    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'uns-mlops compliance API (read-only), behind a Cognito JWT authorizer',
      createDefaultStage: false,
    });
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      encryptionKey: props.logKey,
      retention: props.accessLogRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy,
    });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: {
        rateLimit: props.throttlingRateLimit ?? COMPLIANCE_API_DEFAULTS.throttlingRateLimit,
        burstLimit: props.throttlingBurstLimit ?? COMPLIANCE_API_DEFAULTS.throttlingBurstLimit,
      },
      detailedMetricsEnabled: true,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: apigateway.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    this.integration = new HttpLambdaIntegration('Function', this.function, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    });
    this.node.addValidation({
      validate: () =>
        this.routes.length > 0
          ? []
          : ['The compliance API has no route: call requireSignIn() with the Cognito users.'],
    });
  }

  /**
   * Adds the API's route behind a JWT authorizer on `users`' pool: a request needs a token issued
   * by that pool (issuer) to the dashboard's app client (audience: `aud` of an ID token,
   * `client_id` of an access token), sent as `Authorization: Bearer <token>`.
   */
  requireSignIn(users: ComplianceUsers): apigwv2.HttpRoute[] {
    const authorizer = new HttpUserPoolAuthorizer('Cognito', users.userPool, {
      authorizerName: 'cognito-dashboard-users',
      userPoolClients: [users.dashboardClient],
      identitySource: ['$request.header.Authorization'],
    });
    this.routes = this.httpApi.addRoutes({
      path: COMPLIANCE_API_ROUTE,
      methods: [apigwv2.HttpMethod.GET],
      integration: this.integration,
      authorizer,
    });
    return this.routes;
  }

  private acknowledgeFunctionFindings(policy: Construct): void {
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Lambda creates and describes the network interfaces of the compliance API function in the VPC before they exist; EC2 offers no narrower resource for these actions.',
    });
    // aws-cdk-lib writes active tracing's rights into the role's default policy.
    const defaultPolicy = this.function.role?.node.tryFindChild('DefaultPolicy');
    if (defaultPolicy !== undefined) {
      Validations.of(defaultPolicy).acknowledge(
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            'X-Ray PutTraceSegments and PutTelemetryRecords, which active tracing needs, support no resource-level permissions, so they are granted on every resource.',
        },
        {
          id: 'NIST.800.53.R5-IAMNoInlinePolicy',
          reason:
            'aws-cdk-lib writes the X-Ray rights that active tracing needs into the role default policy of this one function; every other right is in its managed policy.',
        },
      );
    }
    Validations.of(this.function).acknowledge({
      id: 'NIST.800.53.R5-LambdaDLQ',
      reason:
        'API Gateway invokes the compliance API function synchronously and returns its error to the caller; a dead-letter queue applies only to asynchronous invocations.',
    });
  }
}
