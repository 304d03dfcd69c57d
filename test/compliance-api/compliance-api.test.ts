import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { COMPLIANCE_STORE_USERS, ComplianceStore } from '../../lib/compliance';
import {
  ACCESS_LOG_FIELDS,
  COMPLIANCE_API_ROUTE,
  ComplianceApi,
  type ComplianceApiProps,
} from '../../lib/compliance-api';
import { newApp } from '../support/app';
import { only } from '../support/resources';
import { buildComplianceApi } from './stacks';

const dev = buildComplianceApi('dev');
const prod = buildComplianceApi('prod');
const devTemplate = dev.template();
const prodTemplate = prod.template();

const apiFunction = (template: Template) =>
  Object.entries(template.findResources('AWS::Lambda::Function')).find(([, fn]) =>
    /^Compliance API:/.test(fn.Properties.Description ?? ''),
  )!;
const groupNamed = (template: Template, description: RegExp) =>
  Object.entries(template.findResources('AWS::EC2::SecurityGroup')).find(([, group]) =>
    description.test(group.Properties.GroupDescription),
  )![0];

describe('the HTTP API', () => {
  it('has one route, GET /api/v1/compliance/{proxy+}, to the function with payload format 2.0', () => {
    const routes = Object.values(prodTemplate.findResources('AWS::ApiGatewayV2::Route'));
    expect(routes.map((route) => route.Properties.RouteKey)).toEqual([
      `GET ${COMPLIANCE_API_ROUTE}`,
    ]);
    const integration = only(prodTemplate, 'AWS::ApiGatewayV2::Integration').resource.Properties;
    expect(integration).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [apiFunction(prodTemplate)[0], 'Arn'] },
    });
  });

  it('authorizes every route with a JWT authorizer: issuer the user pool, audience the dashboard client', () => {
    for (const template of [devTemplate, prodTemplate]) {
      const authorizer = only(template, 'AWS::ApiGatewayV2::Authorizer');
      expect(authorizer.resource.Properties).toMatchObject({
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: {
          Issuer: {
            'Fn::Join': [
              '',
              [
                'https://cognito-idp.eu-central-1.amazonaws.com/',
                { Ref: only(template, 'AWS::Cognito::UserPool').id },
              ],
            ],
          },
          Audience: [{ Ref: only(template, 'AWS::Cognito::UserPoolClient').id }],
        },
      });
      for (const route of Object.values(template.findResources('AWS::ApiGatewayV2::Route'))) {
        expect(route.Properties).toMatchObject({
          AuthorizationType: 'JWT',
          AuthorizerId: { Ref: authorizer.id },
        });
      }
    }
  });

  it('has no CORS configuration: the dashboard calls it on its own origin', () => {
    const api = only(prodTemplate, 'AWS::ApiGatewayV2::Api').resource.Properties;
    expect(api.CorsConfiguration).toBeUndefined();
    expect(api.ProtocolType).toBe('HTTP');
  });

  it('throttles the default stage with the configured limits (dev 10/s burst 20, prod 50/s burst 100)', () => {
    const stage = (template: Template) =>
      only(template, 'AWS::ApiGatewayV2::Stage').resource.Properties;
    expect(stage(devTemplate)).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
    });
    expect(stage(prodTemplate).DefaultRouteSettings).toMatchObject({
      ThrottlingRateLimit: 50,
      ThrottlingBurstLimit: 100,
      DetailedMetricsEnabled: true,
    });
  });

  it('writes one JSON access log line per request to a KMS-encrypted log group kept a year', () => {
    const { AccessLogSettings } = only(prodTemplate, 'AWS::ApiGatewayV2::Stage').resource
      .Properties;
    const format = JSON.parse(AccessLogSettings.Format);
    expect(format).toEqual(ACCESS_LOG_FIELDS);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
      routeKey: '$context.routeKey',
      authorizerError: '$context.authorizer.error',
      user: '$context.authorizer.claims.sub',
    });
    const logGroupId = AccessLogSettings.DestinationArn['Fn::GetAtt'][0];
    const logGroup = prodTemplate.findResources('AWS::Logs::LogGroup')[logGroupId]!;
    expect(logGroup.Properties.RetentionInDays).toBe(365);
    expect(logGroup.Properties.KmsKeyId).toEqual({
      'Fn::GetStackOutput': expect.objectContaining({
        StackName: 'UnsMlops-Prod-Network',
        OutputName: expect.stringMatching(/NetworkLogKey.*Arn/),
      }),
    });
  });

  it('lets API Gateway invoke the function from this API only', () => {
    const permission = only(prodTemplate, 'AWS::Lambda::Permission').resource.Properties;
    expect(permission.Principal).toBe('apigateway.amazonaws.com');
    expect(JSON.stringify(permission.SourceArn)).toContain(
      only(prodTemplate, 'AWS::ApiGatewayV2::Api').id,
    );
  });

  /** A compliance API without its route, beside a store of its own. */
  function standaloneApi(props: Partial<ComplianceApiProps> = {}) {
    const stack = new Stack(newApp(), 'Standalone', {
      env: { account: '123456789012', region: 'eu-central-1' },
    });
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    const logKey = new kms.Key(stack, 'LogKey');
    const store = new ComplianceStore(stack, 'Store', { vpc, logKey });
    const create = () =>
      new ComplianceApi(stack, 'Api', {
        store,
        vpc,
        subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        logKey,
        ...props,
      });
    return { stack, create };
  }

  it('fails synthesis when no route was added behind the authorizer', () => {
    const { stack, create } = standaloneApi();
    create();
    expect(() => Template.fromStack(stack)).toThrow(/has no route: call requireSignIn/);
  });

  it('rejects impossible throttling and concurrency before creating anything, listing them all', () => {
    const { stack, create } = standaloneApi({
      throttlingRateLimit: -1,
      throttlingBurstLimit: 0,
      reservedConcurrency: 2.5,
    });
    expect(create).toThrow(
      /throttlingRateLimit \(-1\)[\s\S]*throttlingBurstLimit \(0\)[\s\S]*reservedConcurrency \(2.5\)/,
    );
    expect(stack.node.tryFindChild('Api')?.node.children ?? []).toHaveLength(0);
  });
});

describe('the API function', () => {
  it('runs compliance-api on Node.js 24 with reserved concurrency, active tracing and Powertools settings', () => {
    const [, fn] = apiFunction(prodTemplate);
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      ReservedConcurrentExecutions: 10,
      TracingConfig: { Mode: 'Active' },
    });
    expect(apiFunction(devTemplate)[1].Properties.ReservedConcurrentExecutions).toBe(5);
    expect(fn.Properties.Environment.Variables).toMatchObject({
      POWERTOOLS_SERVICE_NAME: 'compliance-api',
      POWERTOOLS_METRICS_NAMESPACE: 'UnsMlops/ComplianceApi',
    });
  });

  it('connects to the store’s proxy as compliance_reader over TLS with the RDS CA bundle', () => {
    const [, fn] = apiFunction(prodTemplate);
    expect(fn.Properties.Environment.Variables).toMatchObject({
      DB_PORT: '5432',
      DB_NAME: 'uns_validation',
      DB_USER: 'compliance_reader',
      NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
    });
    expect(JSON.stringify(fn.Properties.Environment.Variables.DB_HOST)).toMatch(
      /UnsMlops-Prod-ComplianceStore.*Proxy.*Endpoint/,
    );
  });

  it('runs in the private subnets, in its own group and the store’s client group', () => {
    const [, fn] = apiFunction(prodTemplate);
    const { SecurityGroupIds, SubnetIds } = fn.Properties.VpcConfig;
    expect(SubnetIds).toHaveLength(3);
    expect(JSON.stringify(SubnetIds)).toMatch(/privateSubnet/);
    expect(SecurityGroupIds).toEqual([
      { 'Fn::GetAtt': [groupNamed(prodTemplate, /^compliance-api:/), 'GroupId'] },
      expect.objectContaining({
        'Fn::GetStackOutput': expect.objectContaining({
          StackName: 'UnsMlops-Prod-ComplianceStore',
          OutputName: expect.stringMatching(/ClientSecurityGroup/),
        }),
      }),
    ]);
    const own =
      prodTemplate.findResources('AWS::EC2::SecurityGroup')[
        groupNamed(prodTemplate, /^compliance-api:/)
      ]!;
    // No egress of its own (aws-cdk-lib's placeholder rule blocks everything).
    expect(own.Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '255.255.255.255/32' }),
    ]);
  });

  it('may connect to the proxy as compliance_reader only, and trace; nothing else but its logs and network interfaces', () => {
    const [, fn] = apiFunction(prodTemplate);
    const roleId = fn.Properties.Role['Fn::GetAtt'][0];
    const managed = Object.values(prodTemplate.findResources('AWS::IAM::ManagedPolicy')).find(
      (policy) => /^compliance-api:/.test(policy.Properties.Description),
    )!;
    expect(managed.Properties.Roles).toEqual([{ Ref: roleId }]);
    const statements = managed.Properties.PolicyDocument.Statement;
    expect(statements.map((statement: any) => statement.Sid)).toEqual([
      'ConnectToComplianceStore',
      'WriteFunctionLogs',
      'ManageVpcNetworkInterfaces',
    ]);
    expect(statements[0].Action).toBe('rds-db:connect');
    const connect = JSON.stringify(statements[0].Resource);
    expect(connect).toContain(':dbuser:');
    expect(connect).toContain('/compliance_reader');
    expect(connect).toMatch(/UnsMlops-Prod-ComplianceStore.*DBProxyArn/);
    expect(COMPLIANCE_STORE_USERS.reader).toBe('compliance_reader');
    // The function is created once its managed policy exists.
    expect(fn.DependsOn).toContain(
      Object.keys(prodTemplate.findResources('AWS::IAM::ManagedPolicy')).find((id) =>
        /^ApiFunctionPolicy/.test(id),
      ),
    );
    const inline = Object.values(prodTemplate.findResources('AWS::IAM::Policy')).find((policy) =>
      JSON.stringify(policy.Properties.Roles).includes(roleId),
    )!.Properties.PolicyDocument.Statement;
    expect(inline).toEqual([
      {
        Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
        Effect: 'Allow',
        Resource: '*',
      },
    ]);
  });
});
