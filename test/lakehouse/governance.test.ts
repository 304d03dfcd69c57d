import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Lakehouse } from '../../lib/lakehouse';
import { newApp } from '../support/app';
import { ACCOUNT, logicalIdOf, REGION, synthLakehouse } from '../support/lakehouse';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;
type Tags = Record<string, string>;

/**
 * Evaluates the template's Lake Formation grants the way Lake Formation does: a table carries its
 * database's LF-tags, overridden by its own; a grant's LF-tag expression matches a table when
 * every tag key in it has one of the listed values. Returns "database.table" names.
 */
function tablesSelectableBy(resources: Resources, roleLogicalId: string): string[] {
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const databaseNames = new Map(
    ofType('AWS::Glue::Database').map(([id, r]) => [id, r.Properties.DatabaseInput.Name as string]),
  );
  const tagsOf = new Map<string, Tags>();
  for (const [, association] of ofType('AWS::LakeFormation::TagAssociation')) {
    const { Database, Table } = association.Properties.Resource;
    const key = Database ? Database.Name.Ref : `${Table.DatabaseName.Ref}/${Table.Name.Ref}`;
    const tags: Tags = {};
    for (const tag of association.Properties.LFTags) tags[tag.TagKey] = tag.TagValues[0];
    tagsOf.set(key, tags);
  }
  const tables = ofType('AWS::Glue::Table').map(([id, table]) => {
    const databaseId = table.Properties.DatabaseName.Ref as string;
    return {
      name: `${databaseNames.get(databaseId)}.${table.Properties.TableInput.Name}`,
      tags: { ...tagsOf.get(databaseId), ...tagsOf.get(`${databaseId}/${id}`) },
    };
  });
  const expressions = ofType('AWS::LakeFormation::PrincipalPermissions')
    .map(([, grant]) => grant.Properties)
    .filter((grant) => JSON.stringify(grant.Principal).includes(roleLogicalId))
    .filter(
      (grant) =>
        grant.Resource.LFTagPolicy.ResourceType === 'TABLE' && grant.Permissions.includes('SELECT'),
    )
    .map(
      (grant) => grant.Resource.LFTagPolicy.Expression as { TagKey: string; TagValues: string[] }[],
    );
  return tables
    .filter((table) =>
      expressions.some((expression) =>
        expression.every(({ TagKey, TagValues }) => TagValues.includes(table.tags[TagKey] ?? '')),
      ),
    )
    .map((table) => table.name)
    .sort();
}

describe('Lakehouse governance (Lake Formation)', () => {
  const admin = 'arn:aws:iam::123456789012:role/platform-admin';
  const { stack, lakehouse, template } = synthLakehouse({
    lakeFormationAdmins: [iam.Role.fromRoleArn(new Stack(), 'Admin', admin)],
  });
  const resources = template.toJSON().Resources as Resources;
  const roleId = (role: iam.IRole) => logicalIdOf(stack, role);

  it('appends the CDK deployment role and the configured admins to the data-lake administrators', () => {
    template.hasResourceProperties('AWS::LakeFormation::DataLakeSettings', {
      MutationType: 'APPEND',
      Admins: [
        {
          DataLakePrincipalIdentifier: `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`,
        },
        { DataLakePrincipalIdentifier: admin },
      ],
    });
  });

  it('creates databases, tags and grants only after the deployment role is a Lake Formation admin', () => {
    const settingsId = logicalIdOf(stack, lakehouse.governance.dataLakeSettings);
    const dependents = Object.values(resources).filter((resource) =>
      [
        'AWS::Glue::Database',
        'AWS::LakeFormation::Tag',
        'AWS::LakeFormation::Resource',
        'AWS::LakeFormation::PrincipalPermissions',
      ].includes(resource.Type),
    );
    expect(dependents.length).toBeGreaterThan(0);
    for (const resource of dependents) {
      expect((resource as { DependsOn?: string[] }).DependsOn).toContain(settingsId);
    }
  });

  it('leaves no implicit IAMAllowedPrincipals grant on new databases and tables', () => {
    template.hasResourceProperties('AWS::LakeFormation::DataLakeSettings', {
      CreateDatabaseDefaultPermissions: [],
      CreateTableDefaultPermissions: [],
    });
  });

  it('registers the raw and curated buckets with a dedicated data-access role', () => {
    const locations = Object.values(template.findResources('AWS::LakeFormation::Resource')).map(
      (r) => r.Properties,
    );
    expect(locations.map((location) => location.ResourceArn)).toEqual([
      { 'Fn::GetAtt': [logicalIdOf(stack, lakehouse.storage.rawBucket), 'Arn'] },
      { 'Fn::GetAtt': [logicalIdOf(stack, lakehouse.storage.curatedBucket), 'Arn'] },
    ]);
    for (const location of locations) {
      expect(location.UseServiceLinkedRole).toBe(false);
      expect(location.HybridAccessEnabled).toBe(false);
      expect(location.RoleArn).toEqual({
        'Fn::GetAtt': [roleId(lakehouse.governance.dataAccessRole), 'Arn'],
      });
    }
  });

  it('defines the zone, sensitivity and site LF-tags, with every configured site', () => {
    const tags = Object.values(template.findResources('AWS::LakeFormation::Tag')).map(
      (t) => t.Properties,
    );
    expect(tags).toEqual(
      expect.arrayContaining([
        { CatalogId: ACCOUNT, TagKey: 'zone', TagValues: ['raw', 'curated'] },
        {
          CatalogId: ACCOUNT,
          TagKey: 'sensitivity',
          TagValues: ['aggregate', 'operational', 'restricted'],
        },
        { CatalogId: ACCOUNT, TagKey: 'site', TagValues: ['zwickau', 'mlada-boleslav', 'all'] },
      ]),
    );
  });

  it('lets the data scientist read every curated table and no raw one', () => {
    expect(tablesSelectableBy(resources, roleId(lakehouse.personas.dataScientist))).toEqual([
      'uns_mlops_curated.inference_results',
      'uns_mlops_curated.labelled_telemetry',
      'uns_mlops_curated.uns_telemetry',
      'uns_mlops_curated.validation_summaries',
      'uns_mlops_site_mlada_boleslav.inference_results',
      'uns_mlops_site_mlada_boleslav.labelled_telemetry',
      'uns_mlops_site_mlada_boleslav.uns_telemetry',
      'uns_mlops_site_mlada_boleslav.validation_summaries',
      'uns_mlops_site_zwickau.inference_results',
      'uns_mlops_site_zwickau.labelled_telemetry',
      'uns_mlops_site_zwickau.uns_telemetry',
      'uns_mlops_site_zwickau.validation_summaries',
    ]);
  });

  it('lets the analyst read only curated aggregates: validation summaries and inference results', () => {
    expect(tablesSelectableBy(resources, roleId(lakehouse.personas.analyst))).toEqual([
      'uns_mlops_curated.inference_results',
      'uns_mlops_curated.validation_summaries',
      'uns_mlops_site_mlada_boleslav.inference_results',
      'uns_mlops_site_mlada_boleslav.validation_summaries',
      'uns_mlops_site_zwickau.inference_results',
      'uns_mlops_site_zwickau.validation_summaries',
    ]);
  });

  it('grants the plant engineer only the tables of its own site', () => {
    expect(
      tablesSelectableBy(resources, roleId(lakehouse.personas.plantEngineers.get('zwickau')!)),
    ).toEqual([
      'uns_mlops_site_zwickau.inference_results',
      'uns_mlops_site_zwickau.labelled_telemetry',
      'uns_mlops_site_zwickau.uns_telemetry',
      'uns_mlops_site_zwickau.validation_summaries',
    ]);
    expect(
      tablesSelectableBy(
        resources,
        roleId(lakehouse.personas.plantEngineers.get('mlada-boleslav')!),
      ),
    ).toEqual([
      'uns_mlops_site_mlada_boleslav.inference_results',
      'uns_mlops_site_mlada_boleslav.labelled_telemetry',
      'uns_mlops_site_mlada_boleslav.uns_telemetry',
      'uns_mlops_site_mlada_boleslav.validation_summaries',
    ]);
  });

  it('grants by LF-tag expression only, never by naming a table, and never with grant option', () => {
    for (const grant of Object.values(
      template.findResources('AWS::LakeFormation::PrincipalPermissions'),
    )) {
      expect(Object.keys(grant.Properties.Resource)).toEqual(['LFTagPolicy']);
      expect(grant.Properties.PermissionsWithGrantOption).toEqual([]);
    }
  });

  it('encrypts the Glue Data Catalog metadata with the Lakehouse key', () => {
    template.hasResourceProperties('AWS::Glue::DataCatalogEncryptionSettings', {
      CatalogId: ACCOUNT,
      DataCatalogEncryptionSettings: {
        EncryptionAtRest: {
          CatalogEncryptionMode: 'SSE-KMS',
          SseAwsKmsKeyId: { 'Fn::GetAtt': [logicalIdOf(stack, lakehouse.encryptionKey), 'Arn'] },
        },
      },
    });
  });

  it('gives personas no direct S3 access to the zone buckets: Lake Formation vends it', () => {
    const policy = resources[logicalIdOf(stack, lakehouse.queryAccessPolicy)]!;
    const zoneBuckets = [lakehouse.storage.rawBucket, lakehouse.storage.curatedBucket].map((b) =>
      logicalIdOf(stack, b),
    );
    const statements = JSON.stringify(policy.Properties.PolicyDocument.Statement);
    for (const bucketId of zoneBuckets) expect(statements).not.toContain(bucketId);
  });

  it('attaches the query access policy to every persona role', () => {
    const { dataScientist, analyst, plantEngineers } = lakehouse.personas;
    for (const role of [dataScientist, analyst, ...plantEngineers.values()]) {
      expect(resources[roleId(role)]!.Properties.ManagedPolicyArns).toEqual([
        { Ref: logicalIdOf(stack, lakehouse.queryAccessPolicy) },
      ]);
    }
  });

  it('uses the persona roles it is given instead of creating them', () => {
    const stackWithRoles = new Stack(newApp(), 'Given', {
      env: { account: ACCOUNT, region: REGION },
    });
    const scientist = new iam.Role(stackWithRoles, 'OwnScientist', {
      assumedBy: new iam.AccountRootPrincipal(),
    });
    const given = new Lakehouse(stackWithRoles, 'Lakehouse', {
      siteIds: ['zwickau'],
      personas: { dataScientist: scientist },
    });
    expect(given.personas.dataScientist).toBe(scientist);
    expect(given.node.tryFindChild('Personas')?.node.tryFindChild('DataScientist')).toBeUndefined();
    const givenResources = Template.fromStack(stackWithRoles).toJSON().Resources as Resources;
    expect(
      tablesSelectableBy(
        givenResources,
        stackWithRoles.getLogicalId(scientist.node.defaultChild as never),
      ),
    ).toContain('uns_mlops_curated.uns_telemetry');
  });
});
