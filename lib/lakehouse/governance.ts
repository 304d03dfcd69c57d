import { Stack, Validations } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { bucketObjectsWildcardFinding } from '../quality/nag-findings';
import type { LakehouseCatalog, LakehouseDatabase } from './catalog';
import { ALL_SITES, LF_TAG, type PersonaGrant, personaGrants } from './persona-grants';
import { LAKEHOUSE_TABLES, type Sensitivity } from './tables';

const SENSITIVITIES: readonly Sensitivity[] = ['aggregate', 'operational', 'restricted'];

/** The resolved persona roles. */
export interface PersonaRoles {
  readonly dataScientist: iam.IRole;
  readonly analyst: iam.IRole;
  /** By site id. */
  readonly plantEngineers: ReadonlyMap<string, iam.IRole>;
}

/** Resolved settings of {@link LakehouseGovernance}. */
export interface LakehouseGovernanceProps {
  readonly catalog: LakehouseCatalog;
  /** Buckets registered with Lake Formation (the raw and curated zones). */
  readonly dataLocations: readonly s3.IBucket[];
  readonly encryptionKey: kms.IKey;
  readonly siteIds: readonly string[];
  /** Data-lake administrators: role ARNs (the CDK deployment role among them). */
  readonly adminRoleArns: readonly string[];
  readonly personas: PersonaRoles;
}

/**
 * Lake Formation governance of the Lakehouse:
 * - data-lake settings: administrators appended (existing ones kept), and no implicit
 *   `IAMAllowedPrincipals` grants on new databases and tables, so Lake Formation decides access;
 * - the zone buckets registered with a dedicated data-access role;
 * - LF-tags `zone`, `sensitivity` and `site`, attached to databases and tables;
 * - persona grants written as LF-tag expressions, so a new table is covered by its tags alone
 *   (see `personaGrants`): data scientist `zone=curated`; analyst `zone=curated AND
 *   sensitivity=aggregate`; plant engineer of site S `zone=curated AND site=S` (only the
 *   site-scoped database matches).
 * The Glue Data Catalog's metadata is encrypted with the Lakehouse key.
 */
export class LakehouseGovernance extends Construct {
  readonly dataLakeSettings: lakeformation.CfnDataLakeSettings;
  /** Role Lake Formation assumes to read and write the registered buckets. */
  readonly dataAccessRole: iam.Role;
  readonly tags: Readonly<Record<keyof typeof LF_TAG, lakeformation.CfnTag>>;
  private readonly catalogId: string;

  constructor(scope: Construct, id: string, props: LakehouseGovernanceProps) {
    super(scope, id);
    this.catalogId = Stack.of(this).account;

    this.dataLakeSettings = new lakeformation.CfnDataLakeSettings(this, 'DataLakeSettings', {
      mutationType: 'APPEND',
      admins: props.adminRoleArns.map((arn) => ({ dataLakePrincipalIdentifier: arn })),
      createDatabaseDefaultPermissions: [],
      createTableDefaultPermissions: [],
    });

    // Databases (and through them their tables) are created once the deployment role is an admin.
    for (const { database } of [
      props.catalog.raw,
      props.catalog.curated,
      ...props.catalog.sites.values(),
    ]) {
      database.node.addDependency(this.dataLakeSettings);
    }

    new glue.CfnDataCatalogEncryptionSettings(this, 'CatalogEncryption', {
      catalogId: this.catalogId,
      dataCatalogEncryptionSettings: {
        encryptionAtRest: {
          catalogEncryptionMode: 'SSE-KMS',
          sseAwsKmsKeyId: props.encryptionKey.keyArn,
        },
        connectionPasswordEncryption: {
          returnConnectionPasswordEncrypted: true,
          kmsKeyId: props.encryptionKey.keyArn,
        },
      },
    });

    this.dataAccessRole = new iam.Role(this, 'DataAccessRole', {
      assumedBy: new iam.ServicePrincipal('lakeformation.amazonaws.com'),
      description: 'Lake Formation vends credentials for the Lakehouse zone buckets with this role',
    });
    const dataAccessPolicy = new iam.ManagedPolicy(this, 'DataAccessPolicy', {
      description: 'Read and write of the registered Lakehouse zone buckets, for Lake Formation',
      roles: [this.dataAccessRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'ListZoneBuckets',
          actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
          resources: props.dataLocations.map((bucket) => bucket.bucketArn),
        }),
        new iam.PolicyStatement({
          sid: 'ReadWriteZoneObjects',
          actions: [
            's3:GetObject',
            's3:PutObject',
            's3:DeleteObject',
            's3:AbortMultipartUpload',
            's3:ListMultipartUploadParts',
          ],
          resources: props.dataLocations.map((bucket) => bucket.arnForObjects('*')),
        }),
        new iam.PolicyStatement({
          sid: 'EncryptDecryptZoneObjects',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [props.encryptionKey.keyArn],
        }),
      ],
    });
    for (const bucket of props.dataLocations) {
      Validations.of(dataAccessPolicy).acknowledge({
        id: bucketObjectsWildcardFinding(bucket, '*'),
        reason:
          'Lake Formation vends credentials for any object of a registered zone bucket; which objects a principal reaches is narrowed by its Lake Formation grants.',
      });
    }
    props.dataLocations.forEach((bucket, index) => {
      const location = new lakeformation.CfnResource(this, `Location${index}`, {
        resourceArn: bucket.bucketArn,
        useServiceLinkedRole: false,
        roleArn: this.dataAccessRole.roleArn,
        hybridAccessEnabled: false,
      });
      location.node.addDependency(this.dataLakeSettings);
    });

    this.tags = {
      zone: this.createTag('ZoneTag', LF_TAG.zone, ['raw', 'curated']),
      sensitivity: this.createTag('SensitivityTag', LF_TAG.sensitivity, [...SENSITIVITIES]),
      site: this.createTag('SiteTag', LF_TAG.site, [...props.siteIds, ALL_SITES]),
    };

    this.tagDatabase(props.catalog.raw, {
      zone: 'raw',
      sensitivity: 'restricted',
      site: ALL_SITES,
    });
    this.tagDatabase(props.catalog.curated, { zone: 'curated', site: ALL_SITES });
    this.tagTablesBySensitivity(props.catalog.curated);
    for (const [siteId, siteDatabase] of props.catalog.sites) {
      this.tagDatabase(siteDatabase, { zone: 'curated', site: siteId });
      this.tagTablesBySensitivity(siteDatabase);
    }

    for (const grant of personaGrants(props.siteIds)) {
      this.grantByTags(grant, personaRole(props.personas, grant));
    }
  }

  /**
   * IAM statements that let a principal read catalog metadata and ask Lake Formation for data
   * access; which databases, tables and rows it then sees is decided by its Lake Formation grants.
   */
  catalogReadStatements(catalog: LakehouseCatalog): iam.PolicyStatement[] {
    const stack = Stack.of(this);
    const databases = [catalog.raw, catalog.curated, ...catalog.sites.values()];
    return [
      new iam.PolicyStatement({
        sid: 'ReadCatalogMetadata',
        actions: [
          'glue:GetDatabase',
          'glue:GetDatabases',
          'glue:GetTable',
          'glue:GetTables',
          'glue:GetPartition',
          'glue:GetPartitions',
          'glue:BatchGetPartition',
        ],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'catalog' }),
          ...databases.map(({ database }) => database.databaseArn),
          ...databases.flatMap(({ tables }) =>
            Object.values(tables).map((table) => table.tableArn),
          ),
        ],
      }),
      new iam.PolicyStatement({
        sid: 'GetLakeFormationDataAccess',
        actions: ['lakeformation:GetDataAccess'],
        resources: ['*'],
      }),
    ];
  }

  private createTag(id: string, tagKey: string, tagValues: string[]): lakeformation.CfnTag {
    const tag = new lakeformation.CfnTag(this, id, {
      catalogId: this.catalogId,
      tagKey,
      tagValues,
    });
    tag.node.addDependency(this.dataLakeSettings);
    return tag;
  }

  private tagDatabase(
    { database }: LakehouseDatabase,
    values: Partial<Record<keyof typeof LF_TAG, string>>,
  ): void {
    const association = new lakeformation.CfnTagAssociation(database, 'LfTags', {
      resource: { database: { catalogId: this.catalogId, name: database.databaseName } },
      lfTags: Object.entries(values).map(([key, value]) => ({
        catalogId: this.catalogId,
        tagKey: LF_TAG[key as keyof typeof LF_TAG],
        tagValues: [value],
      })),
    });
    association.node.addDependency(...Object.values(this.tags));
  }

  private tagTablesBySensitivity({ database, tables }: LakehouseDatabase): void {
    for (const definition of LAKEHOUSE_TABLES) {
      const table = tables[definition.name];
      if (table === undefined) continue;
      const association = new lakeformation.CfnTagAssociation(table, 'LfTags', {
        resource: {
          table: {
            catalogId: this.catalogId,
            databaseName: database.databaseName,
            name: table.tableName,
          },
        },
        lfTags: [
          {
            catalogId: this.catalogId,
            tagKey: LF_TAG.sensitivity,
            tagValues: [definition.sensitivity],
          },
        ],
      });
      association.node.addDependency(this.tags.sensitivity);
    }
  }

  /** The persona's permissions on the databases and tables its LF-tag expression matches. */
  private grantByTags(
    { id, expression, permissions: byResourceType }: PersonaGrant,
    role: iam.IRole,
  ): void {
    const namespace = new Construct(this, `${id}Grants`);
    const lfTagExpression = expression.map(([tagKey, value]) => ({ tagKey, tagValues: [value] }));
    for (const { resourceType, permissions } of byResourceType) {
      const grant = new lakeformation.CfnPrincipalPermissions(namespace, resourceType, {
        principal: { dataLakePrincipalIdentifier: role.roleArn },
        resource: {
          lfTagPolicy: { catalogId: this.catalogId, resourceType, expression: lfTagExpression },
        },
        permissions: [...permissions],
        permissionsWithGrantOption: [],
      });
      grant.node.addDependency(...Object.values(this.tags), this.dataLakeSettings);
    }
  }
}

/** The role of the persona a grant is for. */
function personaRole(personas: PersonaRoles, grant: PersonaGrant): iam.IRole {
  if (grant.persona === 'data-scientist') return personas.dataScientist;
  if (grant.persona === 'analyst') return personas.analyst;
  const engineer = personas.plantEngineers.get(grant.site);
  if (engineer === undefined) throw new Error(`No plant engineer role for site ${grant.site}`);
  return engineer;
}
