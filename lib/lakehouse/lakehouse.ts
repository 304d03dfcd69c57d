import { DefaultStackSynthesizer, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { bucketObjectsWildcardFinding } from '../quality/nag-findings';
import { LakehouseAnalytics } from './analytics';
import { LakehouseCatalog } from './catalog';
import { LakehouseGovernance, type PersonaRoles } from './governance';
import { LAKEHOUSE_DEFAULTS, type LakehouseProps } from './lakehouse-props';
import { type PersonaGrant, personaGrants, PERSONA_ROLES_ID } from './persona-grants';
import { lakehouseNamedQueries } from './named-queries';
import { LakehouseStorage } from './storage';
import { lakehousePropsProblems } from './validate-props';

/**
 * The cloud's main data store: S3 zones (raw, curated) with lifecycle tiering, a Glue Data Catalog
 * of Parquet tables with partition projection, an enforced and encrypted Athena workgroup, and Lake
 * Formation governance with LF-tag based grants for three personas.
 *
 * One Lakehouse per AWS account and region: Lake Formation tags, data-lake settings and the Glue
 * catalog's encryption are account-wide.
 */
export class Lakehouse extends Construct {
  /** Customer-managed key of data, catalog metadata and query results. */
  readonly encryptionKey: kms.IKey;
  readonly storage: LakehouseStorage;
  readonly catalog: LakehouseCatalog;
  readonly analytics: LakehouseAnalytics;
  readonly governance: LakehouseGovernance;
  /**
   * The IAM side of querying: the workgroup, its results, catalog metadata and Lake Formation data
   * access. Attached to every persona role; attach it to any other role that queries the Lakehouse.
   */
  readonly queryAccessPolicy: iam.ManagedPolicy;
  /** The roles that query the Lakehouse (given or created). */
  readonly personas: PersonaRoles;

  constructor(scope: Construct, id: string, props: LakehouseProps) {
    super(scope, id);
    const problems = lakehousePropsProblems(props);
    if (problems.length > 0) {
      throw new Error(
        `Invalid Lakehouse props at ${this.node.path}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      );
    }
    const settings = { ...LAKEHOUSE_DEFAULTS, ...withoutUndefined(props) };
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.encryptionKey =
      props.encryptionKey ??
      new kms.Key(this, 'Key', {
        description: `uns-mlops Lakehouse data, catalog metadata and query results (${settings.namePrefix})`,
        enableKeyRotation: true,
        removalPolicy,
      });

    this.storage = new LakehouseStorage(this, 'Storage', {
      ...settings,
      encryptionKey: this.encryptionKey,
      removalPolicy,
    });

    this.catalog = new LakehouseCatalog(this, 'Catalog', {
      namePrefix: settings.namePrefix,
      siteIds: props.siteIds,
      rawBucket: this.storage.rawBucket,
      curatedBucket: this.storage.curatedBucket,
      firstPartitionDate: settings.firstPartitionDate,
    });

    this.analytics = new LakehouseAnalytics(this, 'Analytics', {
      workGroupName: settings.namePrefix,
      resultsBucket: this.storage.athenaResultsBucket,
      encryptionKey: this.encryptionKey,
      bytesScannedCutoffGiB: settings.athenaBytesScannedCutoffGiB,
      deleteWithQueries: removalPolicy === RemovalPolicy.DESTROY,
      namedQueries: lakehouseNamedQueries(this.catalog.curated.database.databaseName),
      alerts: props.alerts,
    });

    this.personas = this.resolvePersonas(props);

    this.governance = new LakehouseGovernance(this, 'Governance', {
      catalog: this.catalog,
      dataLocations: [this.storage.rawBucket, this.storage.curatedBucket],
      encryptionKey: this.encryptionKey,
      siteIds: props.siteIds,
      adminRoleArns: [
        deploymentRoleArn(this),
        ...(props.lakeFormationAdmins ?? []).map((role) => role.roleArn),
      ],
      personas: this.personas,
    });

    this.queryAccessPolicy = new iam.ManagedPolicy(this, 'QueryAccessPolicy', {
      description:
        'Query the Lakehouse through its Athena workgroup; Lake Formation decides what is readable',
      statements: [
        ...this.analytics.queryStatements(),
        ...this.governance.catalogReadStatements(this.catalog),
      ],
    });
    Validations.of(this.queryAccessPolicy).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'lakeformation:GetDataAccess supports no resource-level scoping; Lake Formation grants decide which data the vended credentials reach.',
      },
      {
        id: bucketObjectsWildcardFinding(this.storage.athenaResultsBucket, 'athena/*'),
        reason:
          'Athena names each result object after its query id, so the results prefix is the narrowest resource that covers them.',
      },
    );
    for (const role of [
      this.personas.dataScientist,
      this.personas.analyst,
      ...this.personas.plantEngineers.values(),
    ]) {
      role.addManagedPolicy(this.queryAccessPolicy);
    }
  }

  /**
   * A managed policy to read one curated table's Parquet files directly from S3, every site and
   * day of it, for jobs that cannot query through Lake Formation (a SageMaker Processing S3 input,
   * for example). IAM, not Lake Formation, decides this access: attach it only to roles that may
   * read the whole table. Created once per table, in the Lakehouse's stack.
   */
  curatedTableReadPolicy(tableName: string): iam.ManagedPolicy {
    const id = `CuratedTableRead-${tableName}`;
    const existing = this.node.tryFindChild(id);
    if (existing instanceof iam.ManagedPolicy) return existing;
    if (this.catalog.curated.tables[tableName] === undefined) {
      throw new Error(`The Lakehouse has no curated table ${JSON.stringify(tableName)}.`);
    }
    const bucket = this.storage.curatedBucket;
    const prefix = `${tableName}/`;
    const policy = new iam.ManagedPolicy(this, id, {
      description: `Read the curated ${tableName} table's files directly from S3 (all sites)`,
      statements: [
        new iam.PolicyStatement({
          sid: 'ListTableFiles',
          actions: ['s3:ListBucket'],
          resources: [bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } },
        }),
        new iam.PolicyStatement({
          sid: 'ReadTableFiles',
          actions: ['s3:GetObject'],
          resources: [bucket.arnForObjects(`${prefix}*`)],
        }),
        new iam.PolicyStatement({
          sid: 'DecryptTableFiles',
          actions: ['kms:Decrypt'],
          resources: [this.encryptionKey.keyArn],
        }),
      ],
    });
    Validations.of(policy).acknowledge({
      id: bucketObjectsWildcardFinding(bucket, `${prefix}*`),
      reason: `The table's Parquet files are partitioned by site and date under ${prefix}, so the table prefix is the narrowest resource that covers them.`,
    });
    return policy;
  }

  private resolvePersonas(props: LakehouseProps): PersonaRoles {
    const given = props.personas ?? {};
    const namespace = new Construct(this, PERSONA_ROLES_ID);
    const createRole = ({ id, description }: PersonaGrant): iam.IRole =>
      new iam.Role(namespace, id, { assumedBy: new iam.AccountRootPrincipal(), description });
    const [dataScientist, analyst, ...plantEngineers] = personaGrants(props.siteIds) as [
      PersonaGrant,
      PersonaGrant,
      ...PersonaGrant[],
    ];
    return {
      dataScientist: given.dataScientist ?? createRole(dataScientist),
      analyst: given.analyst ?? createRole(analyst),
      plantEngineers: new Map(
        plantEngineers.map((grant) => [
          grant.site,
          given.plantEngineers?.[grant.site] ?? createRole(grant),
        ]),
      ),
    };
  }
}

/**
 * ARN of the role CloudFormation deploys with (the CDK bootstrap's execution role); it must be a
 * Lake Formation admin to create tags and grants.
 */
function deploymentRoleArn(scope: Construct): string {
  const synthesizer = Stack.of(scope).synthesizer;
  if (!(synthesizer instanceof DefaultStackSynthesizer)) {
    throw new Error(
      'The Lakehouse needs the DefaultStackSynthesizer to know the CloudFormation execution role that becomes a Lake Formation admin.',
    );
  }
  return synthesizer.cloudFormationExecutionRoleArn.replace(
    '${AWS::Partition}',
    Stack.of(scope).partition,
  );
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
