import {
  ArnFormat,
  type CfnResource,
  CustomResource,
  Duration,
  ReferenceStrength,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { alarmPeriod, type Alerting, notifyingAlarm } from '../alerts/alarms';
import { ignoreCfnLintRule } from '../network/cfn-lint';
import { vpcFunctionAccess, waitForPolicy, workspaceFunction } from '../streaming/lambda-functions';
import { vpcProvider } from '../streaming/vpc-provider';
import { COMPLIANCE_STORE_DEFAULTS, type ComplianceStoreProps } from './compliance-store-props';
import {
  COMPLIANCE_STORE_USERS,
  type ComplianceStoreUser,
  INGEST_TABLES,
  isComplianceStoreUser,
} from './database-users';
import { MIGRATIONS_DIR, migrationsVersion } from './schema-version';
import { complianceStoreSettingsProblems } from './validate-props';

/** CloudFormation type of the custom resource that applies the schema migrations. */
export const COMPLIANCE_STORE_SCHEMA_RESOURCE_TYPE = 'Custom::ComplianceStoreSchema';

/**
 * PostgreSQL version the store is created with: the newest 16.x minor aws-cdk-lib knows (RDS no
 * longer creates instances on a bare "16"). Automatic minor version upgrades move it on;
 * CloudFormation does not touch the version until this constant changes.
 */
export const COMPLIANCE_STORE_POSTGRES_VERSION = rds.PostgresEngineVersion.VER_16_13;

/** The database holding the validation results, as on the edge. */
export const COMPLIANCE_STORE_DATABASE = 'uns_validation';

/** Master user of the instance, whose password lives in Secrets Manager and rotates. */
export const COMPLIANCE_STORE_MASTER_USER = 'uns_admin';

/** Port of the instance: not PostgreSQL's 5432, so scans for the default port miss it. */
export const COMPLIANCE_STORE_DB_PORT = 5433;

/** Port of the RDS Proxy: RDS Proxy always listens on the engine's default port. */
export const COMPLIANCE_STORE_PROXY_PORT = 5432;

/** The PostgreSQL logs exported to CloudWatch Logs. */
const LOG_EXPORTS = ['postgresql', 'upgrade'] as const;

/**
 * The cloud validation store: Amazon RDS for PostgreSQL in the private subnets, encrypted with a
 * customer-managed key, TLS only, IAM database authentication, the master password generated into
 * Secrets Manager and rotated, automated backups, Enhanced Monitoring and Performance Insights,
 * and an RDS Proxy (TLS required, IAM authentication end to end) through which functions connect
 * as least-privilege database users ({@link COMPLIANCE_STORE_USERS}). The schema is the validation
 * store's migration set, applied on every deploy that changes it by a custom resource
 * (`Custom::ComplianceStoreSchema`, function `lambdas/compliance-store-migrations`), which also
 * creates those users and sets their privileges.
 *
 * Alarms (with `alerts`): the instance's CPU above `maxDatabaseCpuPercent` and connections above
 * `maxDatabaseConnections` for two periods, free storage below `minDatabaseFreeStorageGiB`. The
 * schema migrator runs only while the stack deploys, and a failed migration fails the deployment.
 */
export class ComplianceStore extends Construct {
  /** The key of the storage, snapshots, Performance Insights and the master secret. */
  readonly encryptionKey: kms.IKey;
  readonly instance: rds.DatabaseInstance;
  /**
   * The master credentials (JSON: username, password, host, port, dbname, engine), for the schema
   * migrations and the rotation only: the proxy does not accept the master user.
   */
  readonly secret: secretsmanager.ISecret;
  readonly proxy: rds.DatabaseProxy;
  /** The proxy's role: IAM authentication to the instance as the functions' database users only. */
  readonly proxyRole: iam.IRole;
  /** The host name functions connect to, with IAM authentication and TLS. */
  readonly proxyEndpoint: string;
  /** Port of the instance. */
  readonly port = COMPLIANCE_STORE_DB_PORT;
  /** Port of the proxy. */
  readonly proxyPort = COMPLIANCE_STORE_PROXY_PORT;
  /** The database of the validation results. */
  readonly databaseName = COMPLIANCE_STORE_DATABASE;
  /** The instance's group: it admits the proxy, the migrator and the secret rotation only. */
  readonly databaseSecurityGroup: ec2.SecurityGroup;
  /** The proxy's group: it admits the clients' group only. */
  readonly proxySecurityGroup: ec2.SecurityGroup;
  /**
   * Put a function in this group (besides its own) to let it reach the proxy's port; then grant
   * it {@link grantConnect}.
   */
  readonly clientSecurityGroup: ec2.SecurityGroup;
  /** The Secrets Manager endpoint the migrator and the secret rotation reach from the subnets. */
  readonly secretsManagerEndpoint: ec2.InterfaceVpcEndpoint;
  /** The function applying the migrations (custom resource handler). */
  readonly migrator: nodejs.NodejsFunction;
  /** The custom resource applying the migrations. */
  readonly schema: CustomResource;
  /** The version of the migration set the last deploy applied (a hash of the SQL files). */
  readonly schemaVersion: string;

  constructor(scope: Construct, id: string, props: ComplianceStoreProps) {
    super(scope, id);
    const problems = complianceStoreSettingsProblems(props);
    if (problems.length > 0) {
      throw new Error(
        [
          `${this.node.path}: invalid compliance store props:`,
          ...problems.map((p) => `  - ${p}`),
        ].join('\n'),
      );
    }
    const settings = { ...COMPLIANCE_STORE_DEFAULTS, ...definedOnly(props) };
    const { vpc } = props;
    const subnets = props.subnets ?? { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const destroy = removalPolicy === RemovalPolicy.DESTROY;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    this.schemaVersion = migrationsVersion(props.migrationsDir ?? MIGRATIONS_DIR);

    this.encryptionKey =
      props.encryptionKey ??
      new kms.Key(this, 'Key', {
        description:
          'uns-mlops compliance store: RDS storage, snapshots, Performance Insights, master secret',
        enableKeyRotation: true,
        removalPolicy: destroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      });

    const groups = this.createSecurityGroups(vpc);
    this.databaseSecurityGroup = groups.database;
    this.proxySecurityGroup = groups.proxy;
    this.clientSecurityGroup = groups.clients;

    // Log groups of the exports, created before the instance so they are encrypted and expire.
    const logGroups = LOG_EXPORTS.map(
      (name) =>
        new logs.LogGroup(this, `${capitalize(name)}Logs`, {
          logGroupName: `/aws/rds/instance/${settings.instanceIdentifier}/${name}`,
          encryptionKey: props.logKey,
          retention: logRetention,
          removalPolicy: destroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
        }),
    );

    const engine = rds.DatabaseInstanceEngine.postgres({
      version: COMPLIANCE_STORE_POSTGRES_VERSION,
    });
    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: 'uns-mlops compliance store: TLS only, connection and slow statement logging',
      parameters: {
        'rds.force_ssl': '1',
        ssl_min_protocol_version: 'TLSv1.2',
        log_connections: '1',
        log_disconnections: '1',
        // Schema changes and statements slower than a second, not every row written.
        log_statement: 'ddl',
        log_min_duration_statement: '1000',
        log_lock_waits: '1',
        log_temp_files: '0',
      },
    });

    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine,
      instanceIdentifier: settings.instanceIdentifier,
      instanceType: new ec2.InstanceType(settings.instanceType.replace(/^db\./, '')),
      vpc,
      vpcSubnets: subnets,
      securityGroups: [this.databaseSecurityGroup],
      publiclyAccessible: false,
      port: COMPLIANCE_STORE_DB_PORT,
      databaseName: COMPLIANCE_STORE_DATABASE,
      credentials: rds.Credentials.fromGeneratedSecret(COMPLIANCE_STORE_MASTER_USER, {
        encryptionKey: this.encryptionKey,
      }),
      parameterGroup,
      storageType: rds.StorageType.GP3,
      allocatedStorage: settings.allocatedStorageGiB,
      maxAllocatedStorage: settings.maxAllocatedStorageGiB,
      storageEncrypted: true,
      storageEncryptionKey: this.encryptionKey,
      iamAuthentication: true,
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
      cloudwatchLogsExports: [...LOG_EXPORTS],
      monitoringInterval: Duration.seconds(settings.monitoringIntervalSeconds),
      enablePerformanceInsights: true,
      performanceInsightRetention: insightsRetention(settings.performanceInsightsRetentionDays),
      performanceInsightEncryptionKey: this.encryptionKey,
      backupRetention: Duration.days(settings.backupRetentionDays),
      multiAz: settings.multiAz,
      deletionProtection: settings.deletionProtection,
      autoMinorVersionUpgrade: true,
      copyTagsToSnapshot: true,
      removalPolicy: destroy ? RemovalPolicy.DESTROY : RemovalPolicy.SNAPSHOT,
    });
    (this.instance.node.defaultChild as CfnResource).node.addDependency(...logGroups);
    const masterSecret = this.instance.node.findChild('Secret');
    if (this.instance.secret === undefined || !(masterSecret instanceof secretsmanager.Secret)) {
      throw new Error(`${this.node.path}: the instance has no generated master secret`);
    }
    this.secret = this.instance.secret;
    // The master secret outlives the stack wherever the instance leaves a snapshot.
    masterSecret.applyRemovalPolicy(destroy ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN);
    this.acknowledgeInstanceFindings(settings);

    this.secretsManagerEndpoint = new ec2.InterfaceVpcEndpoint(this, 'SecretsManagerEndpoint', {
      vpc,
      service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      subnets,
      privateDnsEnabled: true,
      open: false,
    });

    if (props.alerts !== undefined) this.instanceAlarms(props.alerts);

    const { proxy, role: proxyRole } = this.createProxy(vpc, subnets);
    this.proxy = proxy;
    this.proxyRole = proxyRole;
    this.proxyEndpoint = this.proxy.endpoint;

    const migration = this.createMigrator({ ...props, subnets, removalPolicy });
    this.migrator = migration.migrator;
    const provider = vpcProvider(this, {
      name: 'compliance-store-migrations',
      deploys: 'the compliance store schema',
      onEventHandler: this.migrator,
      handlerNoun: 'schema migrator',
      vpc,
      subnets,
      logKey: props.logKey,
      removalPolicy,
    });
    this.schema = new CustomResource(this, 'Schema', {
      serviceToken: provider.serviceToken,
      resourceType: COMPLIANCE_STORE_SCHEMA_RESOURCE_TYPE,
      properties: {
        SecretArn: this.secret.secretArn,
        // The instance itself: the proxy admits IAM authentication only.
        Host: this.instance.dbInstanceEndpointAddress,
        Port: String(COMPLIANCE_STORE_DB_PORT),
        Database: COMPLIANCE_STORE_DATABASE,
        SchemaVersion: this.schemaVersion,
        // The functions' database users and what they may touch: a change here is an Update too.
        WriterUser: COMPLIANCE_STORE_USERS.ingest,
        WriterTables: [...INGEST_TABLES],
        ReaderUser: COMPLIANCE_STORE_USERS.reader,
      },
    });
    // The migrator reaches the instance and the secret only once these rules exist.
    this.schema.node.addDependency(
      this.secretsManagerEndpoint,
      migration.securityGroup,
      this.databaseSecurityGroup,
    );

    this.rotateSecret(vpc, subnets, settings.secretRotationDays);
  }

  /** CPU, free storage and connections of the instance. */
  private instanceAlarms(alerts: Alerting): void {
    const period = alarmPeriod(alerts);
    const { thresholds } = alerts;
    const look =
      "See the instance's Performance Insights (top SQL, waits) and the ingestion's batch rate.";
    notifyingAlarm(this, 'CpuAlarm', alerts, {
      name: 'compliance-store-cpu',
      description: `Compliance store: CPU above ${thresholds.maxDatabaseCpuPercent} % for two periods; the ingestion and the API slow down. ${look}`,
      metric: this.instance.metricCPUUtilization({ period, statistic: cloudwatch.Stats.AVERAGE }),
      threshold: thresholds.maxDatabaseCpuPercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
    });
    notifyingAlarm(this, 'FreeStorageAlarm', alerts, {
      name: 'compliance-store-free-storage',
      description: `Compliance store: less than ${thresholds.minDatabaseFreeStorageGiB} GiB free; storage autoscaling has reached maxAllocatedStorageGiB, and at 0 the instance stops writing. Raise maxAllocatedStorageGiB or prune old validation results.`,
      metric: this.instance.metricFreeStorageSpace({ period, statistic: cloudwatch.Stats.MINIMUM }),
      threshold: thresholds.minDatabaseFreeStorageGiB * 1024 ** 3,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    });
    notifyingAlarm(this, 'ConnectionsAlarm', alerts, {
      name: 'compliance-store-connections',
      description: `Compliance store: more than ${thresholds.maxDatabaseConnections} connections for two periods; new ones may be refused. The proxy pools the functions' connections: look for clients bypassing it or a pool that does not release. ${look}`,
      metric: this.instance.metricDatabaseConnections({
        period,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: thresholds.maxDatabaseConnections,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
    });
  }

  /**
   * Lets `grantee` connect through the proxy as `dbUser` with IAM authentication
   * (`rds-db:connect` on that user of this proxy only). The grantee also needs the
   * {@link clientSecurityGroup} to reach the proxy's port. For a function whose rights live in a
   * managed policy, put {@link connectStatement} there instead.
   *
   * @throws Error when `dbUser` is not one of {@link COMPLIANCE_STORE_USERS}: the proxy logs in
   *   to PostgreSQL as those users only.
   */
  grantConnect(grantee: iam.IGrantable, dbUser: ComplianceStoreUser): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['rds-db:connect'],
      resourceArns: [this.proxyUserArn(dbUser)],
    });
  }

  /** The IAM statement of {@link grantConnect}: `rds-db:connect` as `dbUser` on this proxy. */
  connectStatement(dbUser: ComplianceStoreUser): iam.PolicyStatement {
    return new iam.PolicyStatement({
      sid: 'ConnectToComplianceStore',
      actions: ['rds-db:connect'],
      resources: [this.proxyUserArn(dbUser)],
    });
  }

  /** `arn:…:rds-db:…:dbuser:prx-…/<dbUser>`: a database user as seen through this proxy. */
  private proxyUserArn(dbUser: string): string {
    if (!isComplianceStoreUser(dbUser)) {
      throw new Error(
        `${this.node.path}: the proxy admits only the database users ${Object.values(COMPLIANCE_STORE_USERS).join(', ')}, not ${dbUser}`,
      );
    }
    const stack = Stack.of(this);
    // Another stack imports the ARN with Fn::ImportValue: CloudFormation documents Fn::Split over
    // it, not over the project's default weak references (Fn::GetStackOutput).
    const proxyArn = Stack.consumeReference(this.proxy.dbProxyArn, ReferenceStrength.STRONG);
    const proxyId = stack.splitArn(proxyArn, ArnFormat.COLON_RESOURCE_NAME).resourceName;
    return stack.formatArn({
      service: 'rds-db',
      resource: 'dbuser',
      resourceName: `${proxyId}/${dbUser}`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  private createSecurityGroups(vpc: ec2.IVpc) {
    const database = new ec2.SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc,
      description:
        'Compliance store PostgreSQL: its port from the proxy, the migrator and the rotation only',
      allowAllOutbound: false,
    });
    const proxy = new ec2.SecurityGroup(this, 'ProxySecurityGroup', {
      vpc,
      description: 'Compliance store RDS Proxy: its port from the clients, PostgreSQL out',
      allowAllOutbound: false,
    });
    const clients = new ec2.SecurityGroup(this, 'ClientSecurityGroup', {
      vpc,
      description: 'Compliance store clients: the RDS Proxy port only',
      allowAllOutbound: false,
    });
    clients.connections.allowTo(
      proxy,
      ec2.Port.tcp(COMPLIANCE_STORE_PROXY_PORT),
      'Compliance store clients reach the RDS Proxy',
    );
    return { database, proxy, clients };
  }

  /**
   * The RDS Proxy with end-to-end IAM authentication (`DefaultAuthScheme: IAM_AUTH`): clients log
   * in with an IAM token for their database user, and the proxy logs in to PostgreSQL with a token
   * of its own role for the same user, so no password exists for the functions' users. The proxy's
   * role may connect as {@link COMPLIANCE_STORE_USERS} only, not as the master user.
   */
  private createProxy(
    vpc: ec2.IVpc,
    subnets: ec2.SubnetSelection,
  ): { proxy: rds.DatabaseProxy; role: iam.Role } {
    // The instance as the proxy's target, seen with its port as a number: the rule admitting the
    // proxy then names port 5433, which the compliance checks can read (the instance's own
    // `connections` only know the port as an attribute of the endpoint).
    const target = rds.DatabaseInstance.fromDatabaseInstanceAttributes(this, 'ProxyTarget', {
      instanceIdentifier: this.instance.instanceIdentifier,
      instanceEndpointAddress: this.instance.dbInstanceEndpointAddress,
      instanceResourceId: this.instance.instanceResourceId,
      port: COMPLIANCE_STORE_DB_PORT,
      securityGroups: [this.databaseSecurityGroup],
      engine: this.instance.engine,
    });
    const proxy = new rds.DatabaseProxy(this, 'Proxy', {
      proxyTarget: rds.ProxyTarget.fromInstance(target),
      defaultAuthScheme: rds.DefaultAuthScheme.IAM_AUTH,
      vpc,
      vpcSubnets: subnets,
      securityGroups: [this.proxySecurityGroup],
      requireTLS: true,
      debugLogging: false,
    });
    const role = proxy.node.findChild('IAMRole');
    if (!(role instanceof iam.Role)) throw new Error(`${this.node.path}: the proxy has no role`);
    const stack = Stack.of(this);
    new iam.ManagedPolicy(this, 'ProxyConnectPolicy', {
      description:
        'Compliance store RDS Proxy: IAM authentication to the instance as the functions database users only',
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'ConnectAsFunctionUsers',
          actions: ['rds-db:connect'],
          resources: Object.values(COMPLIANCE_STORE_USERS).map((user) =>
            stack.formatArn({
              service: 'rds-db',
              resource: 'dbuser',
              resourceName: `${this.instance.instanceResourceId}/${user}`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ),
        }),
      ],
    });
    return { proxy, role };
  }

  private createMigrator(
    props: ComplianceStoreProps & {
      subnets: ec2.SubnetSelection;
      removalPolicy: RemovalPolicy;
    },
  ): { migrator: nodejs.NodejsFunction; securityGroup: ec2.SecurityGroup } {
    const securityGroup = this.masterSecretUserGroup(props.vpc, 'MigratorSecurityGroup', {
      description:
        'compliance-store-migrations: PostgreSQL to the instance, HTTPS to Secrets Manager only',
      toDatabase: 'compliance-store-migrations applies the schema',
      toSecretsManager: 'compliance-store-migrations reads the master secret',
    });
    const access = vpcFunctionAccess(this, 'Migrator', {
      logKey: props.logKey,
      removalPolicy: props.removalPolicy,
      roleDescription: 'compliance-store-migrations: applies the validation store schema',
      policyDescription:
        'compliance-store-migrations: read the master secret of the compliance store only',
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadMasterSecret',
          actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          resources: [this.secret.secretArn],
        }),
        new iam.PolicyStatement({
          sid: 'DecryptMasterSecret',
          actions: ['kms:Decrypt'],
          resources: [this.encryptionKey.keyArn],
          conditions: {
            StringEquals: {
              'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com`,
            },
          },
        }),
      ],
    });
    const migrator = workspaceFunction(this, 'Migrator', {
      workspace: 'compliance-store-migrations',
      description:
        'Applies the validation store migrations to the compliance store (custom resource)',
      memorySize: 256,
      timeout: Duration.minutes(5),
      role: access.role,
      logGroup: access.logGroup,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [securityGroup],
      reservedConcurrentExecutions: 1,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'compliance-store-migrations',
        // The RDS certificate authorities, which Lambda's Node.js runtimes ship there.
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
      },
      copyIntoBundle: [{ from: props.migrationsDir ?? MIGRATIONS_DIR, to: 'migrations' }],
    });
    waitForPolicy(migrator, access.policy);
    Validations.of(access.policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Lambda creates and describes the network interfaces of the schema migrator in the VPC before they exist; EC2 offers no narrower resource for these actions.',
    });
    Validations.of(migrator).acknowledge({
      id: 'NIST.800.53.R5-LambdaDLQ',
      reason:
        'The schema migrator is invoked synchronously by the custom resource provider framework, which reports a failure to CloudFormation; a dead-letter queue applies only to asynchronous invocations.',
    });
    return { migrator, securityGroup };
  }

  /**
   * Rotates the master password with the Secrets Manager hosted rotation function for
   * PostgreSQL (single user), in the same subnets: it reaches the instance and Secrets Manager.
   * The first rotation waits for the schema, so the migrator never reads a password mid-rotation.
   */
  private rotateSecret(vpc: ec2.IVpc, subnets: ec2.SubnetSelection, days: number): void {
    const securityGroup = this.masterSecretUserGroup(vpc, 'RotationSecurityGroup', {
      description:
        'Compliance store secret rotation: PostgreSQL to the instance, HTTPS to Secrets Manager only',
      toDatabase: 'The rotation function changes the master password',
      toSecretsManager: 'The rotation function reads and writes the master secret',
    });
    const schedule = this.secret.addRotationSchedule('Rotation', {
      hostedRotation: secretsmanager.HostedRotation.postgreSqlSingleUser({
        vpc,
        vpcSubnets: subnets,
        securityGroups: [securityGroup],
      }),
      automaticallyAfter: Duration.days(days),
    });
    // The rotation group's rules (separate resources) must exist too: the dependency on the group
    // besides its reference is deliberate (cfn-lint W3005).
    schedule.node.addDependency(this.schema, securityGroup, this.secretsManagerEndpoint);
    ignoreCfnLintRule(schedule.node.defaultChild as CfnResource, 'W3005');
  }

  /**
   * The security group of a function that logs in with the master secret (the migrator, the
   * rotation): egress only to the instance's port and to the Secrets Manager endpoint.
   */
  private masterSecretUserGroup(
    vpc: ec2.IVpc,
    id: string,
    rules: { description: string; toDatabase: string; toSecretsManager: string },
  ): ec2.SecurityGroup {
    const securityGroup = new ec2.SecurityGroup(this, id, {
      vpc,
      description: rules.description,
      allowAllOutbound: false,
    });
    securityGroup.connections.allowTo(
      this.databaseSecurityGroup,
      ec2.Port.tcp(COMPLIANCE_STORE_DB_PORT),
      rules.toDatabase,
    );
    this.secretsManagerEndpoint.connections.allowFrom(
      securityGroup,
      ec2.Port.tcp(443),
      rules.toSecretsManager,
    );
    return securityGroup;
  }

  private acknowledgeInstanceFindings(settings: {
    multiAz: boolean;
    deletionProtection: boolean;
  }): void {
    const instance = this.instance;
    Validations.of(instance).acknowledge({
      id: 'NIST.800.53.R5-RDSInBackupPlan',
      reason:
        'RDS automated backups with point-in-time recovery, retained for the configured days and copied into snapshots with their tags, are the store backup; an AWS Backup plan would duplicate them.',
    });
    if (!settings.multiAz) {
      const reason =
        'This environment runs the compliance store in one availability zone on purpose (configured multiAz false) to halve its cost; its data can be rebuilt from the plants and backups.';
      Validations.of(instance).acknowledge(
        { id: 'AwsSolutions-RDS3', reason },
        { id: 'NIST.800.53.R5-RDSMultiAZSupport', reason },
      );
    }
    if (!settings.deletionProtection) {
      const reason =
        'This throw-away environment (configured deletionProtection false) must delete the compliance store with its stack; production keeps deletion protection on.';
      Validations.of(instance).acknowledge(
        { id: 'AwsSolutions-RDS10', reason },
        { id: 'NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled', reason },
      );
    }
    const monitoringRole = instance.node.tryFindChild('MonitoringRole');
    if (monitoringRole !== undefined) {
      Validations.of(monitoringRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
        reason:
          'AmazonRDSEnhancedMonitoringRole is the AWS managed policy RDS documents for Enhanced Monitoring; it only writes operating system metrics to the RDSOSMetrics log group.',
      });
    }
  }
}

/** The Performance Insights retention of `days` (validated before: 7, 31 × n or 731). */
function insightsRetention(days: number): rds.PerformanceInsightRetention {
  const members = Object.keys(rds.PerformanceInsightRetention) as Array<
    keyof typeof rds.PerformanceInsightRetention
  >;
  const retention = members
    .map((member) => rds.PerformanceInsightRetention[member])
    .find((value) => value.valueOf() === days);
  if (retention === undefined) {
    throw new Error(`No Performance Insights retention of ${days} days`);
  }
  return retention;
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** The entries of `object` whose value is not `undefined`, so they do not mask defaults. */
function definedOnly<T extends object>(object: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(object).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
