import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as iot from 'aws-cdk-lib/aws-iot';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { bucketObjectsWildcardFinding, wildcardFinding } from '../quality/nag-findings';

/** Properties of {@link CoreDeviceRole}. */
export interface CoreDeviceRoleProps {
  /** Name prefix of the role, role alias and IoT policy, e.g. `uns-mlops-dev`. */
  readonly namePrefix: string;
  /** The bucket of the component artifacts (read only, the published components' prefixes). */
  readonly artifactBucket: s3.IBucket;
  /** The artifact bucket's key (decrypt only). */
  readonly artifactKey: kms.IKey;
  /** Names of the components whose artifacts the devices download. */
  readonly componentNames: readonly string[];
  /** Produce rights on the plant's MSK topics (the streaming part's bridge producer policy). */
  readonly producerPolicy: iam.IManagedPolicy;
  /** CloudWatch namespace the devices may put metrics into (Greengrass's own telemetry). */
  readonly metricsNamespace: string;
}

/** Log groups Greengrass's log manager writes: `/aws/greengrass/<type>/<region>/<component>`. */
const GREENGRASS_LOG_GROUPS = '/aws/greengrass/*';

/**
 * What a plant's Greengrass core devices may do in the cloud: the token exchange role that
 * Greengrass components' AWS credentials come from, its IoT role alias, and the IoT policy that lets
 * a device certificate assume it through the alias. The role reads the published component
 * artifacts, produces to the UNS topics on MSK, and writes the devices' Greengrass logs and metrics;
 * nothing else.
 */
export class CoreDeviceRole extends Construct {
  /** The token exchange role. */
  readonly role: iam.Role;
  /** The IoT role alias core devices are configured with (`iotRoleAlias` of the nucleus). */
  readonly roleAlias: iot.CfnRoleAlias;
  /** The IoT policy to attach to every core device certificate, with the Greengrass core policy. */
  readonly certificatePolicy: iot.CfnPolicy;

  constructor(scope: Construct, id: string, props: CoreDeviceRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'TokenExchangeRole', {
      roleName: `${props.namePrefix}-core-device-tes`,
      assumedBy: new iam.ServicePrincipal('credentials.iot.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: `Greengrass token exchange role of the ${props.namePrefix} core devices`,
      managedPolicies: [props.producerPolicy],
    });
    const logGroupArn = (pattern: string) =>
      stack.formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: pattern,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const artifactPatterns = props.componentNames.map((name) => `${name}/*`);
    const policy = new iam.ManagedPolicy(this, 'TokenExchangePolicy', {
      description:
        'Greengrass core devices: read component artifacts, write Greengrass logs and metrics',
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadComponentArtifacts',
          actions: ['s3:GetObject', 's3:GetObjectVersion'],
          resources: artifactPatterns.map((pattern) => props.artifactBucket.arnForObjects(pattern)),
        }),
        new iam.PolicyStatement({
          sid: 'LocateArtifactBucket',
          actions: ['s3:GetBucketLocation'],
          resources: [props.artifactBucket.bucketArn],
        }),
        new iam.PolicyStatement({
          sid: 'DecryptComponentArtifacts',
          actions: ['kms:Decrypt'],
          resources: [props.artifactKey.keyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `s3.${stack.region}.${stack.urlSuffix}` },
          },
        }),
        new iam.PolicyStatement({
          sid: 'WriteGreengrassLogs',
          actions: [
            'logs:CreateLogGroup',
            'logs:CreateLogStream',
            'logs:PutLogEvents',
            'logs:DescribeLogStreams',
          ],
          resources: [
            logGroupArn(GREENGRASS_LOG_GROUPS),
            logGroupArn(`${GREENGRASS_LOG_GROUPS}:log-stream:*`),
          ],
        }),
        new iam.PolicyStatement({
          sid: 'PutGreengrassMetrics',
          actions: ['cloudwatch:PutMetricData'],
          resources: ['*'],
          conditions: { StringEquals: { 'cloudwatch:namespace': props.metricsNamespace } },
        }),
      ],
    });
    Validations.of(policy).acknowledge(
      ...artifactPatterns.map((pattern) => ({
        id: bucketObjectsWildcardFinding(props.artifactBucket, pattern),
        reason: `Every published version of the component lives under its own prefix ${pattern}, and a rollback downloads older versions, so the component prefix is the narrowest resource.`,
      })),
      {
        id: wildcardFinding(this, logGroupArn(GREENGRASS_LOG_GROUPS)),
        reason:
          'Greengrass log manager creates one log group per component and device under /aws/greengrass/, named only when a component first logs, so the prefix is the narrowest resource.',
      },
      {
        id: wildcardFinding(this, logGroupArn(`${GREENGRASS_LOG_GROUPS}:log-stream:*`)),
        reason:
          'Greengrass log manager names each log stream after the date, thing name and component, so streams are only known when a device writes them.',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          "cloudwatch:PutMetricData has no resource-level permissions; the statement is limited to the devices' own metrics namespace by a condition instead.",
      },
    );

    this.roleAlias = new iot.CfnRoleAlias(this, 'RoleAlias', {
      roleAlias: `${props.namePrefix}-core-device-tes-alias`,
      roleArn: this.role.roleArn,
      credentialDurationSeconds: 3600,
    });
    this.certificatePolicy = new iot.CfnPolicy(this, 'CertificatePolicy', {
      policyName: `${props.namePrefix}-core-device-assume-tes`,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AssumeTokenExchangeRoleThroughAlias',
            Effect: 'Allow',
            Action: 'iot:AssumeRoleWithCertificate',
            Resource: this.roleAlias.attrRoleAliasArn,
          },
        ],
      },
    });
  }
}
