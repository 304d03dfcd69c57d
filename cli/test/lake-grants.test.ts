/**
 * `uns-mlops lake grants`: the Lake Formation grants of the persona roles against what the
 * Lakehouse construct grants for the environment; exit 1 on any difference.
 */
import {
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import {
  type DataLakeResourceType,
  LakeFormationClient,
  type LFTag,
  ListPermissionsCommand,
  type PrincipalResourcePermissions,
  SearchTablesByLFTagsCommand,
  type TaggedTable,
} from '@aws-sdk/client-lakeformation';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { mockClient } from 'aws-sdk-client-mock';
import { resolveEnvironment } from '../../lib/config/resolve';
import { Lakehouse } from '../../lib/lakehouse';
import { personaGrants } from '../../lib/lakehouse/persona-grants';
import { newApp } from '../../test/support/app';
import { awsError, cli, cloudformation, deployAllStacks } from './support';

const lakeformation = mockClient(LakeFormationClient);
const ACCOUNT = '222222222222';
const ENV = ['-c', 'env=prod'];

/** The persona roles of the prod Lakehouse stack: logical id → role name, as CloudFormation keeps them. */
const ROLES: Record<string, string> = {
  LakehousePersonasDataScientist0F6A3C21:
    'UnsMlops-Prod-Lakehouse-LakehousePersonasDataScie-1AbCdEfGh',
  LakehousePersonasAnalyst5B1E9D07: 'UnsMlops-Prod-Lakehouse-LakehousePersonasAnalyst5B-2AbCdEfGh',
  LakehousePersonasPlantEngineerzwickau77C2A0B4:
    'UnsMlops-Prod-Lakehouse-LakehousePersonasPlantEngi-3AbCdEfGh',
  LakehousePersonasPlantEngineermladaboleslav4D8E1F90:
    'UnsMlops-Prod-Lakehouse-LakehousePersonasPlantEngi-4AbCdEfGh',
};
const arnOf = (logicalId: string) => `arn:aws:iam::${ACCOUNT}:role/${ROLES[logicalId]}`;
const DATA_SCIENTIST = arnOf('LakehousePersonasDataScientist0F6A3C21');
const ANALYST = arnOf('LakehousePersonasAnalyst5B1E9D07');
const ZWICKAU = arnOf('LakehousePersonasPlantEngineerzwickau77C2A0B4');
const MLADA = arnOf('LakehousePersonasPlantEngineermladaboleslav4D8E1F90');

/** The Lakehouse stack's resources, listed `perPage` at a time. */
function stackResources(resources: StackResourceSummary[], perPage = 100) {
  cloudformation.on(ListStackResourcesCommand).callsFake((input: { NextToken?: string }) => {
    const start = Number(input.NextToken ?? 0);
    const next = start + perPage;
    return {
      StackResourceSummaries: resources.slice(start, next),
      ...(next < resources.length ? { NextToken: String(next) } : {}),
    };
  });
}

const roleResources = (roles: Record<string, string> = ROLES): StackResourceSummary[] => [
  ...Object.entries(roles).map(([logicalId, name]) => ({
    LogicalResourceId: logicalId,
    PhysicalResourceId: name,
    ResourceType: 'AWS::IAM::Role',
    ResourceStatus: 'CREATE_COMPLETE' as const,
    LastUpdatedTimestamp: new Date('2026-12-01T09:00:00Z'),
  })),
  {
    LogicalResourceId: 'LakehouseGovernanceDataAccessRole8F2C6B1A',
    PhysicalResourceId: 'UnsMlops-Prod-Lakehouse-LakehouseGovernanceDataAcc-5AbCdEfGh',
    ResourceType: 'AWS::IAM::Role',
    ResourceStatus: 'CREATE_COMPLETE',
    LastUpdatedTimestamp: new Date('2026-12-01T09:00:00Z'),
  },
];

const tag = (key: string, value: string): LFTag => ({ TagKey: key, TagValues: [value] });
const tagPolicy = (
  principal: string,
  resourceType: 'DATABASE' | 'TABLE',
  expression: LFTag[],
  permissions: ('SELECT' | 'DESCRIBE')[],
): PrincipalResourcePermissions => ({
  Principal: { DataLakePrincipalIdentifier: principal },
  Resource: {
    LFTagPolicy: { CatalogId: ACCOUNT, ResourceType: resourceType, Expression: expression },
  },
  Permissions: permissions,
  PermissionsWithGrantOption: [],
});

/** What the construct grants each persona in prod: DESCRIBE on databases, SELECT and DESCRIBE on tables. */
function configuredGrants(): PrincipalResourcePermissions[] {
  const curated = tag('zone', 'curated');
  return [
    [DATA_SCIENTIST, [curated]],
    [ANALYST, [curated, tag('sensitivity', 'aggregate')]],
    [ZWICKAU, [curated, tag('site', 'zwickau')]],
    [MLADA, [curated, tag('site', 'mlada-boleslav')]],
  ].flatMap(([principal, expression]) => [
    tagPolicy(principal as string, 'DATABASE', expression as LFTag[], ['DESCRIBE']),
    tagPolicy(principal as string, 'TABLE', expression as LFTag[], ['SELECT', 'DESCRIBE']),
  ]);
}

function typeOf(grant: PrincipalResourcePermissions): DataLakeResourceType {
  const resource = grant.Resource ?? {};
  if (resource.LFTagPolicy) {
    return resource.LFTagPolicy.ResourceType === 'DATABASE'
      ? 'LF_TAG_POLICY_DATABASE'
      : 'LF_TAG_POLICY_TABLE';
  }
  return resource.Database ? 'DATABASE' : 'TABLE';
}

/** Lake Formation holding `grants`, listed per principal and resource type, `perPage` at a time. */
function lakeFormationHolds(grants: PrincipalResourcePermissions[], perPage = 100) {
  lakeformation
    .on(ListPermissionsCommand)
    .callsFake(
      (input: {
        Principal?: { DataLakePrincipalIdentifier?: string };
        ResourceType?: DataLakeResourceType;
        NextToken?: string;
      }) => {
        const matching = grants.filter(
          (grant) =>
            grant.Principal?.DataLakePrincipalIdentifier ===
              input.Principal?.DataLakePrincipalIdentifier && typeOf(grant) === input.ResourceType,
        );
        const start = Number(input.NextToken ?? 0);
        const next = start + perPage;
        return {
          PrincipalResourcePermissions: matching.slice(start, next),
          ...(next < matching.length ? { NextToken: String(next) } : {}),
        };
      },
    );
}

/** The catalog's tables with their databases' and their own LF-tags, as prod's Lakehouse tags them. */
const CATALOG: TaggedTable[] = [
  ['uns_mlops_curated', 'all'],
  ['uns_mlops_site_zwickau', 'zwickau'],
  ['uns_mlops_site_mlada_boleslav', 'mlada-boleslav'],
].flatMap(([database, site]) =>
  [
    ['labelled_telemetry', 'operational'],
    ['inference_results', 'aggregate'],
    ['validation_summaries', 'aggregate'],
  ].map(([table, sensitivity]) => ({
    Table: { DatabaseName: database, Name: table },
    LFTagOnDatabase: [tag('zone', 'curated'), tag('site', site!)],
    LFTagsOnTable: [tag('zone', 'curated'), tag('site', site!), tag('sensitivity', sensitivity!)],
  })),
);

/** SearchTablesByLFTags over {@link CATALOG}, `perPage` tables at a time. */
function searchableCatalog(perPage = 100) {
  lakeformation
    .on(SearchTablesByLFTagsCommand)
    .callsFake((input: { Expression: LFTag[]; NextToken?: string }) => {
      const matching = CATALOG.filter((table) =>
        input.Expression.every((condition) =>
          (table.LFTagsOnTable ?? []).some(
            (own) =>
              own.TagKey === condition.TagKey &&
              (condition.TagValues ?? []).includes(own.TagValues?.[0] ?? ''),
          ),
        ),
      );
      const start = Number(input.NextToken ?? 0);
      const next = start + perPage;
      return {
        TableList: matching.slice(start, next),
        ...(next < matching.length ? { NextToken: String(next) } : {}),
      };
    });
}

const permissionCalls = () =>
  lakeformation.commandCalls(ListPermissionsCommand).map((call) => call.args[0].input);

beforeEach(() => {
  cloudformation.reset();
  lakeformation.reset();
  deployAllStacks();
  stackResources(roleResources());
  lakeFormationHolds(configuredGrants());
  searchableCatalog();
});

describe('lake grants', () => {
  it('marks every configured grant ok and exits 0 when Lake Formation holds exactly them', async () => {
    const { code, stdout, stderr } = await cli(['lake', 'grants', ...ENV]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(
      'Lake Formation grants of prod (account 222222222222, eu-central-1): as configured\n',
    );
    const table = stdout.slice(stdout.indexOf('PERSONA'), stdout.indexOf('\nTables'));
    expect(table.split('\n').map((line) => line.replace(/ +/g, ' '))).toEqual([
      'PERSONA SITE RESOURCE PERMISSIONS STATE',
      'data-scientist all databases where zone=curated DESCRIBE ok',
      'data-scientist all tables where zone=curated SELECT, DESCRIBE ok',
      'analyst all databases where sensitivity=aggregate AND zone=curated DESCRIBE ok',
      'analyst all tables where sensitivity=aggregate AND zone=curated SELECT, DESCRIBE ok',
      'plant-engineer zwickau databases where site=zwickau AND zone=curated DESCRIBE ok',
      'plant-engineer zwickau tables where site=zwickau AND zone=curated SELECT, DESCRIBE ok',
      'plant-engineer mlada-boleslav databases where site=mlada-boleslav AND zone=curated DESCRIBE ok',
      'plant-engineer mlada-boleslav tables where site=mlada-boleslav AND zone=curated SELECT, DESCRIBE ok',
      '',
    ]);
    expect(stdout).toContain('Tables each persona may SELECT from');
    expect(stdout).toMatch(
      /plant-engineer +zwickau +uns_mlops_site_zwickau +zwickau +inference_results, labelled_telemetry, validation_summaries\n/,
    );
    expect(stdout).toMatch(
      /analyst +all +uns_mlops_curated +all +inference_results, validation_summaries\n/,
    );
  });

  it('asks Lake Formation for each persona role by its ARN, per resource type', async () => {
    await cli(['lake', 'grants', ...ENV]);
    expect(cloudformation.commandCalls(ListStackResourcesCommand)[0]!.args[0].input).toEqual({
      StackName: 'UnsMlops-Prod-Lakehouse',
    });
    const asked = permissionCalls();
    expect(new Set(asked.map((input) => input.Principal?.DataLakePrincipalIdentifier))).toEqual(
      new Set([DATA_SCIENTIST, ANALYST, ZWICKAU, MLADA]),
    );
    expect(
      asked
        .filter((input) => input.Principal?.DataLakePrincipalIdentifier === ANALYST)
        .map((input) => input.ResourceType),
    ).toEqual(['LF_TAG_POLICY_DATABASE', 'LF_TAG_POLICY_TABLE', 'DATABASE', 'TABLE']);
  });

  it('marks a configured grant Lake Formation lacks as missing and exits 1', async () => {
    lakeFormationHolds(
      configuredGrants().filter(
        (grant) =>
          !(
            grant.Principal?.DataLakePrincipalIdentifier === MLADA &&
            grant.Resource?.LFTagPolicy?.ResourceType === 'TABLE'
          ),
      ),
    );
    const { code, stdout } = await cli(['lake', 'grants', ...ENV]);
    expect(code).toBe(1);
    expect(stdout).toContain('eu-central-1): 1 difference\n');
    expect(stdout).toMatch(
      /plant-engineer +mlada-boleslav +tables where site=mlada-boleslav AND zone=curated +SELECT, DESCRIBE +missing\n/,
    );
  });

  it('marks a grant the configuration does not make as extra: a named raw table, one permission more', async () => {
    lakeFormationHolds([
      ...configuredGrants(),
      {
        Principal: { DataLakePrincipalIdentifier: ZWICKAU },
        Resource: {
          Table: { CatalogId: ACCOUNT, DatabaseName: 'uns_mlops_raw', Name: 'uns_telemetry' },
        },
        Permissions: ['SELECT'],
        PermissionsWithGrantOption: ['SELECT'],
      },
      {
        Principal: { DataLakePrincipalIdentifier: DATA_SCIENTIST },
        Resource: {
          LFTagPolicy: {
            CatalogId: ACCOUNT,
            ResourceType: 'TABLE',
            Expression: [tag('zone', 'curated')],
          },
        },
        Permissions: ['ALTER'],
      },
    ]);
    const { code, stdout } = await cli(['lake', 'grants', ...ENV]);
    expect(code).toBe(1);
    expect(stdout).toContain('eu-central-1): 2 differences\n');
    expect(stdout).toMatch(
      /data-scientist +all +tables where zone=curated +SELECT, DESCRIBE +ok\n/,
    );
    expect(stdout).toMatch(/data-scientist +all +tables where zone=curated +ALTER +extra\n/);
    expect(stdout).toMatch(
      /plant-engineer +zwickau +table uns_mlops_raw.uns_telemetry +SELECT, SELECT \(grantable\) +extra\n/,
    );
    // The named table shows among what the plant engineer reads.
    expect(stdout).toMatch(/plant-engineer +zwickau +uns_mlops_raw +- +uns_telemetry\n/);
  });

  it('reads every page of the stack resources, the permissions and the tables', async () => {
    stackResources(roleResources(), 2);
    // One entry per permission: the table grants take two pages each.
    lakeFormationHolds(
      configuredGrants().flatMap((grant) =>
        (grant.Permissions ?? []).map((permission) => ({ ...grant, Permissions: [permission] })),
      ),
      1,
    );
    searchableCatalog(2);
    const { code, stdout } = await cli(['lake', 'grants', ...ENV]);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /plant-engineer +mlada-boleslav +tables where site=mlada-boleslav AND zone=curated +SELECT, DESCRIBE +ok\n/,
    );
    expect(stdout).toMatch(
      /data-scientist +all +uns_mlops_curated +all +inference_results, labelled_telemetry, validation_summaries\n/,
    );
    expect(cloudformation.commandCalls(ListStackResourcesCommand)).toHaveLength(3);
    // Four resource types per persona, and a second page of table grants (the paginators reuse
    // one input object, so the calls are counted rather than their tokens).
    expect(lakeformation.commandCalls(ListPermissionsCommand)).toHaveLength(4 * 5);
    // The tables each persona's table grant reaches (9, 6, 3 and 3), two a page.
    expect(lakeformation.commandCalls(SearchTablesByLFTagsCommand)).toHaveLength(5 + 3 + 2 + 2);
  });

  it("shows a persona whose role the stack lacks as missing, without asking for the role's grants", async () => {
    stackResources(
      roleResources(
        Object.fromEntries(
          Object.entries(ROLES).filter(([logicalId]) => arnOf(logicalId) !== MLADA),
        ),
      ),
    );
    const { code, stdout } = await cli(['lake', 'grants', ...ENV]);
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /plant-engineer +mlada-boleslav +databases where site=mlada-boleslav AND zone=curated +DESCRIBE +missing\n/,
    );
    expect(stdout).toContain(
      'no role of plant-engineer (mlada-boleslav) in the Lakehouse stack: deploy it (npx cdk deploy -c env=prod UnsMlops-Prod-Lakehouse)\n',
    );
    expect(
      permissionCalls().map((input) => input.Principal?.DataLakePrincipalIdentifier),
    ).not.toContain(MLADA);
  });

  it('narrows to one persona with --persona', async () => {
    const { code, stdout } = await cli(['lake', 'grants', '--persona', 'analyst', ...ENV]);
    expect(code).toBe(0);
    expect(stdout).toContain('analyst');
    expect(stdout).not.toContain('data-scientist');
    expect(stdout).not.toContain('plant-engineer');
    expect(
      new Set(permissionCalls().map((input) => input.Principal?.DataLakePrincipalIdentifier)),
    ).toEqual(new Set([ANALYST]));
  });

  it("narrows to who reads one site's data with --site: its plant engineer and the all-sites personas", async () => {
    const { code, stdout } = await cli(['lake', 'grants', '--site', 'zwickau', ...ENV]);
    expect(code).toBe(0);
    expect(stdout).toContain('plant-engineer  zwickau');
    expect(stdout).toContain('data-scientist');
    expect(stdout).not.toContain('mlada');
  });

  it('prints the rows, the differences and the tables reached as JSON with --json', async () => {
    lakeFormationHolds(
      configuredGrants().filter(
        (grant) => grant.Principal?.DataLakePrincipalIdentifier !== ANALYST,
      ),
    );
    const { code, stdout } = await cli(['lake', 'grants', '--json', ...ENV]);
    expect(code).toBe(1);
    const parsed = JSON.parse(stdout);
    expect(parsed).toMatchObject({ environment: 'prod', account: ACCOUNT, differences: 2 });
    expect(parsed.grants).toContainEqual({
      persona: 'analyst',
      site: 'all',
      role: ANALYST,
      resource: 'tables where sensitivity=aggregate AND zone=curated',
      permissions: ['SELECT', 'DESCRIBE'],
      state: 'missing',
    });
    expect(parsed.reaches).toContainEqual({
      persona: 'plant-engineer',
      site: 'zwickau',
      database: 'uns_mlops_site_zwickau',
      dataSite: 'zwickau',
      tables: ['inference_results', 'labelled_telemetry', 'validation_summaries'],
    });
  });

  it('refuses an unknown persona or site, naming the known ones, exit 2, without calling AWS', async () => {
    const persona = await cli(['lake', 'grants', '--persona', 'operator', ...ENV]);
    expect(persona.code).toBe(2);
    expect(persona.stderr).toContain('fix: Use one of data-scientist, analyst, plant-engineer.');
    const site = await cli(['lake', 'grants', '--site', 'wolfsburg', ...ENV]);
    expect(site.code).toBe(2);
    expect(site.stderr).toBe(
      'error: Environment "prod" has no site "wolfsburg".\n  fix: Its sites: zwickau, mlada-boleslav.\n',
    );
    expect(cloudformation.calls()).toHaveLength(0);
  });

  it('refuses a missing or unknown action, exit 2', async () => {
    expect((await cli(['lake', ...ENV])).stderr).toContain('lake needs an action: grants.');
    const { code, stderr } = await cli(['lake', 'tables', ...ENV]);
    expect(code).toBe(2);
    expect(stderr).toContain('Unknown lake action "tables".');
  });

  it('says the environment is not deployed when the Lakehouse stack is missing, and names the region', async () => {
    cloudformation
      .on(DescribeStacksCommand)
      .rejects(awsError('ValidationError', 'Stack with id UnsMlops-Prod-Lakehouse does not exist'));
    const here = await cli(['lake', 'grants', ...ENV]);
    expect(here.code).toBe(1);
    expect(here.stderr).toContain(
      'error: Environment "prod" is not deployed in eu-central-1: stack UnsMlops-Prod-Lakehouse does not exist.',
    );
    const elsewhere = await cli(['lake', 'grants', '--region', 'us-east-1', ...ENV]);
    expect(elsewhere.stderr).toContain(
      'fix: The environment lives in eu-central-1: drop --region us-east-1, or deploy it there.',
    );
    expect(lakeformation.calls()).toHaveLength(0);
  });

  it('says how to sign in when there are no credentials', async () => {
    lakeformation
      .on(ListPermissionsCommand)
      .rejects(
        awsError('CredentialsProviderError', 'Could not load credentials from any providers'),
      );
    const { code, stderr } = await cli(['lake', 'grants', ...ENV]);
    expect(code).toBe(1);
    expect(stderr).toContain('error: No AWS credentials found for environment "prod"');
  });

  it('says who may list the grants when Lake Formation refuses', async () => {
    lakeformation
      .on(ListPermissionsCommand)
      .rejects(awsError('AccessDeniedException', 'Insufficient Lake Formation permission(s)'));
    const { code, stderr } = await cli(['lake', 'grants', ...ENV]);
    expect(code).toBe(1);
    expect(stderr).toContain('error: Access denied: Insufficient Lake Formation permission(s)');
  });

  it('shows progress on a terminal only', async () => {
    expect((await cli(['lake', 'grants', ...ENV])).stderr).toBe('');
    expect((await cli(['lake', 'grants', ...ENV], { tty: true })).stderr).toContain(
      'Reading the Lake Formation grants of analyst (all) ...',
    );
  });
});

describe('persona roles', () => {
  it('finds each persona role of the synthesized Lakehouse by the logical id CloudFormation gives it', async () => {
    const config = resolveEnvironment('prod');
    const stack = new Stack(newApp(), 'UnsMlops-Prod-Lakehouse', {
      env: { account: config.account, region: config.region },
    });
    new Lakehouse(stack, 'Lakehouse', { siteIds: config.plants.map((plant) => plant.siteId) });
    const roles = Template.fromStack(stack).findResources('AWS::IAM::Role');
    // Each role's name stands for its description, so the test can tell which role was found.
    stackResources(
      Object.entries(roles).map(([logicalId, role]) => ({
        LogicalResourceId: logicalId,
        PhysicalResourceId:
          (role as { Properties: { Description?: string } }).Properties.Description?.replace(
            /[^A-Za-z0-9]+/g,
            '-',
          ) ?? logicalId,
        ResourceType: 'AWS::IAM::Role',
        ResourceStatus: 'CREATE_COMPLETE',
        LastUpdatedTimestamp: new Date(),
      })),
    );
    lakeformation.on(ListPermissionsCommand).resolves({ PrincipalResourcePermissions: [] });
    const { stdout } = await cli(['lake', 'grants', '--json', ...ENV]);
    const found = new Map<string, string>(
      JSON.parse(stdout).grants.map((row: { persona: string; site: string; role: string }) => [
        `${row.persona}/${row.site}`,
        row.role,
      ]),
    );
    for (const grant of personaGrants(config.plants.map((plant) => plant.siteId))) {
      expect(found.get(`${grant.persona}/${grant.site}`)).toBe(
        `arn:aws:iam::${ACCOUNT}:role/${grant.description.replace(/[^A-Za-z0-9]+/g, '-')}`,
      );
    }
  });
});
