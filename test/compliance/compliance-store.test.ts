import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import {
  COMPLIANCE_STORE_DATABASE,
  COMPLIANCE_STORE_USERS,
  COMPLIANCE_STORE_DB_PORT,
  COMPLIANCE_STORE_PROXY_PORT,
  COMPLIANCE_STORE_SCHEMA_RESOURCE_TYPE,
  ComplianceStore,
  type ComplianceStoreProps,
  INGEST_TABLES,
  MIGRATIONS_DIR,
  migrationsVersion,
} from '../../lib/compliance';
import type { EnvironmentConfig } from '../../lib/config/environment';
import { environments } from '../../lib/config/environments';
import { EnvironmentConfigError, resolveEnvironment } from '../../lib/config/resolve';
import { ComplianceStoreStack } from '../../lib/stacks/compliance-store-stack';
import { NetworkStack } from '../../lib/stacks/network-stack';
import { bundleCopyCommand } from '../../lib/streaming/lambda-functions';
import { newApp, REPOSITORY_ROOT } from '../support/app';
import { cfnLint } from '../support/cfn-lint';
import { environmentApp } from '../support/environment-app';
import { getAtt, only } from '../support/resources';

/**
 * An environment's network and compliance store stacks, built as `addPlatformStacks` builds them,
 * with the compliance checks registered; synthesized into `outdir` by `synth()`.
 */
function buildStore(name: string) {
  const built = environmentApp(name);
  const network = built.addStack(NetworkStack, 'Network', {});
  const stack = built.addStack(ComplianceStoreStack, 'ComplianceStore', {
    network: network.network,
  });
  return { ...built, network, stack, store: stack.store };
}

/** A compliance store alone in a stack with a VPC of its own, without the compliance checks. */
function standaloneStore(props: Partial<ComplianceStoreProps> = {}) {
  const stack = new Stack(newApp(), 'Store', {
    env: { account: '123456789012', region: 'eu-central-1' },
  });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const store = new ComplianceStore(stack, 'Store', {
    vpc,
    logKey: new kms.Key(stack, 'LogKey'),
    ...props,
  });
  return { stack, store };
}

const dev = buildStore('dev');
const prod = buildStore('prod');
const devTemplate = Template.fromStack(dev.stack);
const prodTemplate = Template.fromStack(prod.stack);

const instanceOf = (template: Template) => only(template, 'AWS::RDS::DBInstance');
const groupId = (id: string) => getAtt(id, 'GroupId');
const groupNamed = (template: Template, description: RegExp) =>
  Object.entries(template.findResources('AWS::EC2::SecurityGroup')).find(([, group]) =>
    description.test(group.Properties.GroupDescription),
  )![0];

describe('the RDS for PostgreSQL instance', () => {
  it('encrypts its storage with a customer-managed key that rotates', () => {
    const { resource } = instanceOf(prodTemplate);
    const key = only(prodTemplate, 'AWS::KMS::Key');
    expect(key.resource.Properties.EnableKeyRotation).toBe(true);
    expect(resource.Properties.StorageEncrypted).toBe(true);
    expect(resource.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [key.id, 'Arn'] });
  });

  it('runs PostgreSQL 16 with automatic minor version upgrades and tags copied to snapshots', () => {
    const { Properties } = instanceOf(devTemplate).resource;
    expect(Properties.Engine).toBe('postgres');
    expect(Properties.EngineVersion).toMatch(/^16\.\d+$/);
    expect(Properties.AutoMinorVersionUpgrade).toBe(true);
    expect(Properties.CopyTagsToSnapshot).toBe(true);
  });

  it('accepts TLS connections only (rds.force_ssl), TLS 1.2 or later, and logs connections', () => {
    const parameters = only(devTemplate, 'AWS::RDS::DBParameterGroup');
    expect(parameters.resource.Properties.Family).toBe('postgres16');
    expect(parameters.resource.Properties.Parameters).toMatchObject({
      'rds.force_ssl': '1',
      ssl_min_protocol_version: 'TLSv1.2',
      log_connections: '1',
      log_disconnections: '1',
    });
    expect(instanceOf(devTemplate).resource.Properties.DBParameterGroupName).toEqual({
      Ref: parameters.id,
    });
  });

  it('has IAM database authentication on and is not publicly accessible', () => {
    for (const template of [devTemplate, prodTemplate]) {
      const { Properties } = instanceOf(template).resource;
      expect(Properties.EnableIAMDatabaseAuthentication).toBe(true);
      expect(Properties.PubliclyAccessible).toBe(false);
    }
  });

  it('lives in the private isolated subnets of the network, one per zone, on a non-default port', () => {
    for (const [template, zones] of [
      [devTemplate, 2],
      [prodTemplate, 3],
    ] as const) {
      const subnets = only(template, 'AWS::RDS::DBSubnetGroup').resource.Properties.SubnetIds;
      expect(subnets).toHaveLength(zones);
      expect(JSON.stringify(subnets)).toMatch(/privateSubnet/);
      expect(instanceOf(template).resource.Properties.Port).toBe(String(COMPLIANCE_STORE_DB_PORT));
    }
    expect(COMPLIANCE_STORE_DB_PORT).not.toBe(5432);
  });

  it('stores on gp3 with storage autoscaling up to the configured ceiling', () => {
    expect(instanceOf(devTemplate).resource.Properties).toMatchObject({
      StorageType: 'gp3',
      AllocatedStorage: '20',
      MaxAllocatedStorage: 50,
      DBInstanceClass: 'db.t4g.small',
    });
    expect(instanceOf(prodTemplate).resource.Properties).toMatchObject({
      StorageType: 'gp3',
      AllocatedStorage: '100',
      MaxAllocatedStorage: 1000,
      DBInstanceClass: 'db.m7g.large',
    });
  });

  it('keeps automated backups 7 days in dev and 35 in prod', () => {
    expect(instanceOf(devTemplate).resource.Properties.BackupRetentionPeriod).toBe(7);
    expect(instanceOf(prodTemplate).resource.Properties.BackupRetentionPeriod).toBe(35);
  });

  it('is Multi-AZ, deletion protected and snapshotted on removal in prod only', () => {
    const prodInstance = instanceOf(prodTemplate).resource;
    expect(prodInstance.Properties.MultiAZ).toBe(true);
    expect(prodInstance.Properties.DeletionProtection).toBe(true);
    expect(prodInstance.DeletionPolicy).toBe('Snapshot');
    expect(prodInstance.UpdateReplacePolicy).toBe('Snapshot');
    const devInstance = instanceOf(devTemplate).resource;
    expect(devInstance.Properties.MultiAZ).toBe(false);
    expect(devInstance.Properties.DeletionProtection).toBe(false);
    expect(devInstance.DeletionPolicy).toBe('Delete');
  });

  it('encrypts Performance Insights with the store key', () => {
    for (const template of [devTemplate, prodTemplate]) {
      const { Properties } = instanceOf(template).resource;
      const key = only(template, 'AWS::KMS::Key').id;
      expect(Properties.EnablePerformanceInsights).toBe(true);
      expect(Properties.PerformanceInsightsKMSKeyId).toEqual({ 'Fn::GetAtt': [key, 'Arn'] });
      expect(Properties.PerformanceInsightsRetentionPeriod).toBe(7);
    }
  });

  it('samples Enhanced Monitoring every minute', () => {
    const { Properties } = instanceOf(prodTemplate).resource;
    expect(Properties.MonitoringInterval).toBe(60);
    expect(Properties.MonitoringRoleArn).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
  });

  it('exports the postgresql and upgrade logs into encrypted log groups that expire, created first', () => {
    const { resource } = instanceOf(prodTemplate);
    expect(resource.Properties.EnableCloudwatchLogsExports).toEqual(['postgresql', 'upgrade']);
    for (const log of ['postgresql', 'upgrade']) {
      const group = only(prodTemplate, 'AWS::Logs::LogGroup', {
        Properties: { LogGroupName: `/aws/rds/instance/uns-mlops-prod-validation/${log}` },
      });
      expect(group.resource.Properties.RetentionInDays).toBe(365);
      expect(group.resource.Properties.KmsKeyId).toBeDefined();
      expect(resource.DependsOn).toContain(group.id);
    }
  });
});

describe('the master secret', () => {
  const secret = (template: Template) => only(template, 'AWS::SecretsManager::Secret');

  it('is generated into Secrets Manager, encrypted with the store key', () => {
    const { resource } = secret(prodTemplate);
    const key = only(prodTemplate, 'AWS::KMS::Key').id;
    expect(resource.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [key, 'Arn'] });
    expect(resource.Properties.GenerateSecretString.SecretStringTemplate).toBe(
      '{"username":"uns_admin"}',
    );
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(secret(devTemplate).resource.DeletionPolicy).toBe('Delete');
  });

  it('rotates every 30 days with the hosted single-user PostgreSQL rotation in the private subnets', () => {
    const { resource } = only(prodTemplate, 'AWS::SecretsManager::RotationSchedule');
    const attachment = only(prodTemplate, 'AWS::SecretsManager::SecretTargetAttachment').id;
    expect(resource.Properties.SecretId).toEqual({ Ref: attachment });
    expect(resource.Properties.RotationRules).toEqual({ ScheduleExpression: 'rate(30 days)' });
    const hosted = resource.Properties.HostedRotationLambda;
    expect(hosted.RotationType).toBe('PostgreSQLSingleUser');
    expect(hosted.KmsKeyArn).toEqual({
      'Fn::GetAtt': [only(prodTemplate, 'AWS::KMS::Key').id, 'Arn'],
    });
    expect(JSON.stringify(hosted.VpcSubnetIds)).toMatch(/privateSubnet/);
    const rotationGroup = groupNamed(prodTemplate, /secret rotation/);
    expect(hosted.VpcSecurityGroupIds).toEqual(groupId(rotationGroup));
    expect(prodTemplate.toJSON().Transform).toBe('AWS::SecretsManager-2024-09-16');
    // The first rotation waits for the schema, so the migrator never reads a password mid-rotation.
    expect(resource.DependsOn).toContain(
      only(prodTemplate, COMPLIANCE_STORE_SCHEMA_RESOURCE_TYPE).id,
    );
  });

  it('is reachable from the isolated subnets through a Secrets Manager endpoint open to the migrator and the rotation only', () => {
    const endpoint = only(prodTemplate, 'AWS::EC2::VPCEndpoint').resource.Properties;
    expect(endpoint.ServiceName).toBe('com.amazonaws.eu-central-1.secretsmanager');
    expect(endpoint.PrivateDnsEnabled).toBe(true);
    const endpointGroup = endpoint.SecurityGroupIds[0]['Fn::GetAtt'][0];
    const sources = Object.values(prodTemplate.findResources('AWS::EC2::SecurityGroupIngress'))
      .map((rule) => rule.Properties)
      .filter((rule) => rule.GroupId['Fn::GetAtt'][0] === endpointGroup)
      .map((rule) => [rule.SourceSecurityGroupId['Fn::GetAtt'][0], rule.FromPort]);
    expect(sources.sort()).toEqual(
      [
        [groupNamed(prodTemplate, /^compliance-store-migrations:/), 443],
        [groupNamed(prodTemplate, /secret rotation/), 443],
      ].sort(),
    );
    expect(
      prodTemplate.findResources('AWS::EC2::SecurityGroup')[endpointGroup]!.Properties
        .SecurityGroupIngress,
    ).toBeUndefined();
  });
});

describe('the RDS Proxy', () => {
  const proxy = (template: Template) => only(template, 'AWS::RDS::DBProxy');

  it('requires TLS and IAM authentication end to end, with no secret', () => {
    for (const template of [devTemplate, prodTemplate]) {
      const { Properties } = proxy(template).resource;
      expect(Properties.EngineFamily).toBe('POSTGRESQL');
      expect(Properties.RequireTLS).toBe(true);
      expect(Properties.DefaultAuthScheme).toBe('IAM_AUTH');
      expect(Properties.Auth).toBeUndefined();
      expect(Properties.DebugLogging).toBe(false);
    }
  });

  it('lets the proxy log in to the instance as the functions’ database users only, not as the master user', () => {
    const role = proxy(prodTemplate).resource.Properties.RoleArn['Fn::GetAtt'][0];
    const attached = [
      ...Object.values(prodTemplate.findResources('AWS::IAM::ManagedPolicy')),
      ...Object.values(prodTemplate.findResources('AWS::IAM::Policy')),
    ].filter((policy) => JSON.stringify(policy.Properties.Roles ?? []).includes(role));
    expect(attached).toHaveLength(1);
    const statements = attached[0]!.Properties.PolicyDocument.Statement;
    expect(statements).toEqual([
      {
        Sid: 'ConnectAsFunctionUsers',
        Effect: 'Allow',
        Action: 'rds-db:connect',
        Resource: ['compliance_reader', 'validation_ingest'].map((user) => ({
          'Fn::Join': [
            '',
            [
              'arn:aws:rds-db:eu-central-1:222222222222:dbuser:',
              { 'Fn::GetAtt': [instanceOf(prodTemplate).id, 'DbiResourceId'] },
              `/${user}`,
            ],
          ],
        })),
      },
    ]);
    expect(JSON.stringify(statements)).not.toContain('uns_admin');
    expect(JSON.stringify(statements)).not.toContain('secretsmanager');
  });

  it('fronts the instance from the same private subnets, in a security group of its own', () => {
    const { Properties } = proxy(prodTemplate).resource;
    const subnets = only(prodTemplate, 'AWS::RDS::DBSubnetGroup').resource.Properties.SubnetIds;
    expect(Properties.VpcSubnetIds).toEqual(subnets);
    expect(Properties.VpcSecurityGroupIds).toEqual([
      groupId(groupNamed(prodTemplate, /RDS Proxy: its port/)),
    ]);
    const target = only(prodTemplate, 'AWS::RDS::DBProxyTargetGroup').resource.Properties;
    expect(target.DBInstanceIdentifiers).toEqual([{ Ref: instanceOf(prodTemplate).id }]);
    expect(target.DBProxyName).toEqual({ Ref: proxy(prodTemplate).id });
  });

  it('exposes its endpoint, ports, secret and client group to the functions that will connect', () => {
    const store = prod.store;
    expect(prod.stack.resolve(store.proxyEndpoint)).toEqual({
      'Fn::GetAtt': [proxy(prodTemplate).id, 'Endpoint'],
    });
    expect(store.port).toBe(COMPLIANCE_STORE_DB_PORT);
    expect(store.proxyPort).toBe(COMPLIANCE_STORE_PROXY_PORT);
    expect(store.databaseName).toBe('uns_validation');
    expect(store.secret).toBe(store.instance.secret);
    expect(store.clientSecurityGroup).toBeInstanceOf(ec2.SecurityGroup);
  });

  it('grants rds-db:connect as one database user on this proxy only', () => {
    const { stack, store } = standaloneStore();
    const role = new iam.Role(stack, 'Consumer', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    store.grantConnect(role, COMPLIANCE_STORE_USERS.reader);
    const template = Template.fromStack(stack);
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) =>
      JSON.stringify(p.Properties.Roles).includes('Consumer'),
    )!;
    const [statement] = policy.Properties.PolicyDocument.Statement;
    expect(statement.Action).toBe('rds-db:connect');
    const arn = JSON.stringify(statement.Resource);
    expect(arn).toContain(':rds-db:');
    expect(arn).toContain(':dbuser:');
    expect(arn).toContain('/compliance_reader');
    expect(arn).toContain(only(template, 'AWS::RDS::DBProxy').id);
    expect(stack.resolve(store.connectStatement('validation_ingest').toStatementJson())).toEqual({
      Sid: 'ConnectToComplianceStore',
      Effect: 'Allow',
      Action: 'rds-db:connect',
      Resource: expect.objectContaining({ 'Fn::Join': expect.any(Array) }),
    });
  });

  it('refuses to grant a database user the proxy does not admit, such as the master user', () => {
    const { stack, store } = standaloneStore();
    const role = new iam.Role(stack, 'Consumer', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    expect(() => store.grantConnect(role, 'uns_admin' as never)).toThrow(
      /admits only the database users validation_ingest, compliance_reader, not uns_admin/,
    );
  });
});

describe('network access to the database port', () => {
  it('admits only the proxy, the migrator and the secret rotation to the instance port', () => {
    for (const template of [devTemplate, prodTemplate]) {
      const database = groupNamed(template, /^Compliance store PostgreSQL/);
      const group = template.findResources('AWS::EC2::SecurityGroup')[database]!;
      expect(group.Properties.SecurityGroupIngress).toBeUndefined();
      const rules = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'))
        .map((rule) => rule.Properties)
        .filter((rule) => rule.GroupId['Fn::GetAtt'][0] === database);
      expect(rules.every((rule) => rule.CidrIp === undefined)).toBe(true);
      expect(
        rules.map((rule) => [
          rule.SourceSecurityGroupId['Fn::GetAtt'][0],
          rule.FromPort,
          rule.ToPort,
        ]),
      ).toEqual(
        expect.arrayContaining([
          [groupNamed(template, /RDS Proxy: its port/), 5433, 5433],
          [groupNamed(template, /^compliance-store-migrations:/), 5433, 5433],
          [groupNamed(template, /secret rotation/), 5433, 5433],
        ]),
      );
      expect(rules).toHaveLength(3);
    }
  });

  it('admits only the client group to the proxy port, and lets the proxy out to the instance only', () => {
    const proxyGroup = groupNamed(prodTemplate, /RDS Proxy: its port/);
    const ingress = Object.values(prodTemplate.findResources('AWS::EC2::SecurityGroupIngress'))
      .map((rule) => rule.Properties)
      .filter((rule) => rule.GroupId['Fn::GetAtt'][0] === proxyGroup);
    expect(ingress.map((rule) => [rule.SourceSecurityGroupId, rule.FromPort])).toEqual([
      [groupId(groupNamed(prodTemplate, /^Compliance store clients/)), 5432],
    ]);
    const egress = Object.values(prodTemplate.findResources('AWS::EC2::SecurityGroupEgress'))
      .map((rule) => rule.Properties)
      .filter((rule) => rule.GroupId['Fn::GetAtt'][0] === proxyGroup);
    expect(egress.map((rule) => [rule.DestinationSecurityGroupId, rule.FromPort])).toEqual([
      [groupId(groupNamed(prodTemplate, /^Compliance store PostgreSQL/)), 5433],
    ]);
  });

  it('opens no security group of the store to an address range', () => {
    for (const template of [devTemplate, prodTemplate]) {
      const cidrIngress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'))
        .concat(Object.values(template.findResources('AWS::EC2::SecurityGroup')))
        .flatMap((resource) =>
          resource.Type === 'AWS::EC2::SecurityGroup'
            ? (resource.Properties.SecurityGroupIngress ?? [])
            : [resource.Properties],
        )
        .filter((rule: any) => rule.CidrIp !== undefined || rule.CidrIpv6 !== undefined);
      expect(cidrIngress).toEqual([]);
    }
  });
});

describe('schema migrations on deploy', () => {
  const schema = (template: Template) => only(template, COMPLIANCE_STORE_SCHEMA_RESOURCE_TYPE);
  const migratorFunction = (template: Template) =>
    Object.entries(template.findResources('AWS::Lambda::Function')).find(([, fn]) =>
      /^Applies the validation store migrations/.test(fn.Properties.Description ?? ''),
    )!;

  it('applies the migrations to the instance directly with the master secret, and sets the functions’ users', () => {
    const { resource } = schema(prodTemplate);
    const attachment = only(prodTemplate, 'AWS::SecretsManager::SecretTargetAttachment').id;
    expect(resource.Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/frameworkonEvent/), 'Arn'] },
      SecretArn: { Ref: attachment },
      Host: { 'Fn::GetAtt': [instanceOf(prodTemplate).id, 'Endpoint.Address'] },
      Port: '5433',
      Database: COMPLIANCE_STORE_DATABASE,
      SchemaVersion: migrationsVersion(MIGRATIONS_DIR),
      WriterUser: 'validation_ingest',
      WriterTables: ['contracts', 'contracts_in_force', 'validation_counts', 'violation_samples'],
      ReaderUser: 'compliance_reader',
    });
    expect(COMPLIANCE_STORE_DATABASE).toBe('uns_validation');
  });

  it('lets the ingestion write only tables the migrations create', () => {
    const created = readdirSync(MIGRATIONS_DIR)
      .filter((file) => file.endsWith('.sql'))
      .flatMap((file) => [
        ...readFileSync(join(MIGRATIONS_DIR, file), 'utf8').matchAll(
          /CREATE TABLE (?:IF NOT EXISTS )?(\w+)/g,
        ),
      ])
      .map((match) => match[1]);
    expect(created).toEqual(expect.arrayContaining([...INGEST_TABLES]));
  });

  it('runs the compliance-store-migrations function in the private subnets, one at a time, with the RDS CA bundle', () => {
    const [, fn] = migratorFunction(prodTemplate);
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Timeout: 300,
      ReservedConcurrentExecutions: 1,
      Environment: {
        Variables: expect.objectContaining({
          NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
        }),
      },
    });
    expect(JSON.stringify(fn.Properties.VpcConfig.SubnetIds)).toMatch(/privateSubnet/);
    expect(fn.Properties.VpcConfig.SecurityGroupIds).toEqual([
      groupId(groupNamed(prodTemplate, /^compliance-store-migrations:/)),
    ]);
  });

  it('lets the migrator read and decrypt the master secret, and nothing else of the store', () => {
    const policy = Object.values(prodTemplate.findResources('AWS::IAM::ManagedPolicy')).find(
      (managed) => /^compliance-store-migrations:/.test(managed.Properties.Description),
    )!.Properties.PolicyDocument.Statement;
    const attachment = only(prodTemplate, 'AWS::SecretsManager::SecretTargetAttachment').id;
    const key = only(prodTemplate, 'AWS::KMS::Key').id;
    expect(policy.find((s: any) => s.Sid === 'ReadMasterSecret')).toEqual({
      Sid: 'ReadMasterSecret',
      Effect: 'Allow',
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
      Resource: { Ref: attachment },
    });
    expect(policy.find((s: any) => s.Sid === 'DecryptMasterSecret')).toEqual({
      Sid: 'DecryptMasterSecret',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: { 'Fn::GetAtt': [key, 'Arn'] },
      Condition: {
        StringEquals: { 'kms:ViaService': 'secretsmanager.eu-central-1.amazonaws.com' },
      },
    });
    const wildcards = policy.filter((s: any) => s.Resource === '*').map((s: any) => s.Sid);
    expect(wildcards).toEqual(['ManageVpcNetworkInterfaces']);
  });

  it('lets the migrator out to the instance port and the Secrets Manager endpoint only', () => {
    const group = groupNamed(prodTemplate, /^compliance-store-migrations:/);
    const egress = Object.values(prodTemplate.findResources('AWS::EC2::SecurityGroupEgress'))
      .map((rule) => rule.Properties)
      .filter((rule) => rule.GroupId['Fn::GetAtt'][0] === group)
      .map((rule) => [rule.DestinationSecurityGroupId['Fn::GetAtt'][0], rule.FromPort]);
    const endpoint = only(prodTemplate, 'AWS::EC2::VPCEndpoint').resource.Properties
      .SecurityGroupIds[0]['Fn::GetAtt'][0];
    expect(egress.sort()).toEqual(
      [
        [groupNamed(prodTemplate, /^Compliance store PostgreSQL/), 5433],
        [endpoint, 443],
      ].sort(),
    );
  });

  it('waits for the migrator’s network rules and the endpoint before it runs', () => {
    const { resource } = schema(prodTemplate);
    const ingress = Object.keys(prodTemplate.findResources('AWS::EC2::SecurityGroupIngress'));
    const migratorRule = ingress.find((id) => /fromCSProd|from.*MigratorSecurityGroup/i.test(id));
    expect(migratorRule).toBeDefined();
    expect(resource.DependsOn).toEqual(
      expect.arrayContaining([migratorRule, only(prodTemplate, 'AWS::EC2::VPCEndpoint').id]),
    );
  });
});

describe('migrationsVersion', () => {
  const folder = () => {
    const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
    writeFileSync(join(dir, '001_a.sql'), 'CREATE TABLE a (id int);\n');
    writeFileSync(join(dir, '002_b.sql'), 'CREATE TABLE b (id int);\n');
    return dir;
  };

  it('is a stable SHA-256 of the SQL files, whatever else the folder holds', () => {
    const dir = folder();
    const version = migrationsVersion(dir);
    expect(version).toMatch(/^[0-9a-f]{64}$/);
    writeFileSync(join(dir, 'README.md'), 'notes');
    expect(migrationsVersion(dir)).toBe(version);
    const copy = mkdtempSync(join(tmpdir(), 'migrations-'));
    // Written in the other order: the version follows names, not creation order.
    writeFileSync(join(copy, '002_b.sql'), 'CREATE TABLE b (id int);\n');
    writeFileSync(join(copy, '001_a.sql'), 'CREATE TABLE a (id int);\n');
    expect(migrationsVersion(copy)).toBe(version);
  });

  it('changes when a migration is edited, added or renamed', () => {
    const dir = folder();
    const versions = new Set([migrationsVersion(dir)]);
    writeFileSync(join(dir, '002_b.sql'), 'CREATE TABLE b (id bigint);\n');
    versions.add(migrationsVersion(dir));
    writeFileSync(join(dir, '003_c.sql'), 'CREATE INDEX ON b (id);\n');
    versions.add(migrationsVersion(dir));
    const renamed = folder();
    writeFileSync(join(renamed, '002_b_renamed.sql'), readFileSync(join(renamed, '002_b.sql')));
    const base = migrationsVersion(folder());
    expect(versions.size).toBe(3);
    expect(migrationsVersion(renamed)).not.toBe(base);
  });

  it('changes the custom resource’s SchemaVersion, so CloudFormation sends an Update', () => {
    const dir = folder();
    const schemaVersionWith = () => {
      const { stack } = standaloneStore({ migrationsDir: dir });
      return only(Template.fromStack(stack), COMPLIANCE_STORE_SCHEMA_RESOURCE_TYPE).resource
        .Properties.SchemaVersion as string;
    };
    const before = schemaVersionWith();
    writeFileSync(join(dir, '003_c.sql'), 'ALTER TABLE a ADD COLUMN site text;\n');
    expect(schemaVersionWith()).not.toBe(before);
  });

  it('refuses a missing folder or one without SQL files, naming it', () => {
    const missing = join(tmpdir(), 'no-such-migrations-folder');
    expect(() => migrationsVersion(missing)).toThrow(/no-such-migrations-folder does not exist/);
    const empty = mkdtempSync(join(tmpdir(), 'migrations-'));
    expect(() => migrationsVersion(empty)).toThrow(/holds no \*\.sql file/);
  });

  it('hashes the repository’s validation-store/migrations by default', () => {
    expect(MIGRATIONS_DIR).toBe(join(REPOSITORY_ROOT, 'validation-store', 'migrations'));
    expect(readdirSync(MIGRATIONS_DIR).some((file) => file.endsWith('.sql'))).toBe(true);
  });
});

describe('bundleCopyCommand', () => {
  const run = (command: string) => spawnSync('bash', ['-c', command], { encoding: 'utf8' });

  it('copies a folder’s contents to the given path in the bundle', () => {
    const source = mkdtempSync(join(tmpdir(), 'copy-src-'));
    mkdirSync(join(source, 'nested'));
    writeFileSync(join(source, '001.sql'), 'select 1;');
    writeFileSync(join(source, 'nested', 'x.sql'), 'select 2;');
    const bundle = mkdtempSync(join(tmpdir(), 'copy-out-'));
    expect(run(bundleCopyCommand({ from: source, to: 'migrations' }, bundle)).status).toBe(0);
    expect(readFileSync(join(bundle, 'migrations', '001.sql'), 'utf8')).toBe('select 1;');
    expect(existsSync(join(bundle, 'migrations', 'nested', 'x.sql'))).toBe(true);
  });

  it('copies a single file, and fails on a missing source', () => {
    const source = mkdtempSync(join(tmpdir(), 'copy-src-'));
    writeFileSync(join(source, 'ca.pem'), 'pem');
    const bundle = mkdtempSync(join(tmpdir(), 'copy-out-'));
    const file = bundleCopyCommand({ from: join(source, 'ca.pem'), to: 'certs/ca.pem' }, bundle);
    expect(run(file).status).toBe(0);
    expect(readFileSync(join(bundle, 'certs', 'ca.pem'), 'utf8')).toBe('pem');
    const missing = bundleCopyCommand({ from: join(source, 'absent'), to: 'x' }, bundle);
    expect(run(missing).status).not.toBe(0);
  });

  it('refuses a destination outside the bundle', () => {
    expect(() => bundleCopyCommand({ from: '/tmp', to: '../escape' }, '/out')).toThrow(
      /inside the bundle/,
    );
    expect(() => bundleCopyCommand({ from: '/tmp', to: '/abs' }, '/out')).toThrow(
      /inside the bundle/,
    );
  });
});

describe('compliance store configuration', () => {
  const devConfig = environments.find((environment) => environment.name === 'dev')!;

  function problemsOf(changes: Partial<EnvironmentConfig>): string[] {
    try {
      resolveEnvironment('qa', [{ ...devConfig, name: 'qa', ...changes }]);
    } catch (error) {
      if (error instanceof EnvironmentConfigError) return [...error.problems];
      throw error;
    }
    return [];
  }

  it('sizes dev small in one zone and prod on Graviton across zones', () => {
    expect(resolveEnvironment('dev').complianceStore).toMatchObject({
      instanceType: 'db.t4g.small',
      multiAz: false,
      backupRetentionDays: 7,
      deletionProtection: false,
    });
    expect(resolveEnvironment('prod').complianceStore).toMatchObject({
      instanceType: 'db.m7g.large',
      multiAz: true,
      backupRetentionDays: 35,
      deletionProtection: true,
    });
  });

  it('lists every problem of the settings, named under complianceStore.', () => {
    expect(
      problemsOf({
        complianceStore: {
          instanceType: 'm7g.large',
          backupRetentionDays: 40,
          allocatedStorageGiB: 100,
          maxAllocatedStorageGiB: 100,
          performanceInsightsRetentionDays: 30,
          monitoringIntervalSeconds: 45,
          secretRotationDays: 0,
        },
      }),
    ).toEqual([
      'complianceStore.instanceType "m7g.large" must be an RDS instance class such as "db.t4g.small"',
      'complianceStore.backupRetentionDays (40) must be a whole number in 1-35',
      'complianceStore.maxAllocatedStorageGiB (100) must be above allocatedStorageGiB (100), or storage cannot grow',
      'complianceStore.performanceInsightsRetentionDays (30) must be 7, a multiple of 31 up to 713, or 731',
      'complianceStore.monitoringIntervalSeconds (45) must be one of 1, 5, 10, 15, 30, 60',
      'complianceStore.secretRotationDays (0) must be a whole number in 1-365',
    ]);
  });

  it('refuses to switch deletion protection off where the environment keeps its data', () => {
    expect(
      problemsOf({
        allowDestroy: false,
        mlPipeline: { ...devConfig.mlPipeline, modelApprovalStatus: 'PendingManualApproval' },
        complianceStore: { deletionProtection: false },
      }),
    ).toEqual([
      'complianceStore.deletionProtection must not be false in an environment that keeps its data (allowDestroy false)',
    ]);
  });

  it('defaults to Multi-AZ, 35 days of backups and deletion protection', () => {
    const { stack } = standaloneStore();
    const { resource } = instanceOf(Template.fromStack(stack));
    expect(resource.Properties).toMatchObject({
      MultiAZ: true,
      BackupRetentionPeriod: 35,
      DeletionProtection: true,
      DBInstanceClass: 'db.t4g.small',
    });
    expect(resource.DeletionPolicy).toBe('Snapshot');
  });

  it('rejects invalid construct props before creating anything, listing them all', () => {
    const stack = new Stack(newApp(), 'Invalid');
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, maxAzs: 2 });
    expect(
      () =>
        new ComplianceStore(stack, 'Store', {
          vpc,
          logKey: new kms.Key(stack, 'LogKey'),
          backupRetentionDays: 0,
          instanceIdentifier: 'Bad_Id',
        }),
    ).toThrow(/backupRetentionDays \(0\)[\s\S]*instanceIdentifier "Bad_Id"/);
    expect(stack.node.tryFindChild('Store')?.node.children ?? []).toHaveLength(0);
  });
});

describe.each(['dev', 'prod'])('the %s compliance store stack', (name) => {
  // A fresh app: synthesis runs the compliance checks once, on the first synth.
  const built = buildStore(name);
  const synth = built.synth;

  it('synthesizes with no unacknowledged cdk-nag finding (AwsSolutions, NIST 800-53 rev 5)', () => {
    expect(() => synth()).not.toThrow();
  });

  it('passes cfn-lint with no error or warning', () => {
    expect(cfnLint(built.templateFiles(built.stack))).toEqual({
      status: 0,
      findings: '',
      error: '',
    });
  });

  it('ships the validation store migrations beside the migrator’s index.js', () => {
    const outdir = synth();
    const template = JSON.parse(
      readFileSync(join(outdir, `${built.stack.artifactId}.template.json`), 'utf8'),
    );
    const [, fn] = Object.entries<any>(template.Resources).find(([, resource]) =>
      /^Applies the validation store migrations/.test(resource.Properties?.Description ?? ''),
    )!;
    const asset = join(outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
    expect(existsSync(join(asset, 'index.js'))).toBe(true);
    const shipped = readdirSync(join(asset, 'migrations')).sort();
    const expected = readdirSync(MIGRATIONS_DIR)
      .filter((file) => file.endsWith('.sql'))
      .sort();
    expect(shipped).toEqual(expect.arrayContaining(expected));
  });
});
