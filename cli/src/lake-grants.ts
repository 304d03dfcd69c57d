import type { Stack } from '@aws-sdk/client-cloudformation';
import { CloudFormationClient, paginateListStackResources } from '@aws-sdk/client-cloudformation';
import {
  type DataLakeResourceType,
  LakeFormationClient,
  type LFTag,
  paginateListPermissions,
  paginateSearchTablesByLFTags,
  type PrincipalResourcePermissions,
  type Resource,
} from '@aws-sdk/client-lakeformation';
import {
  ALL_SITES,
  LF_TAG,
  type Persona,
  PERSONA_ROLES_ID,
  type PersonaGrant,
} from '../../lib/lakehouse/persona-grants';
import { type Context, progress } from './context';
import { CliError } from './errors';

/**
 * How a grant stands against the configuration: `ok` granted as intended, `missing` intended and
 * not granted, `extra` granted and not intended.
 */
export type GrantState = 'ok' | 'missing' | 'extra';

/** One resource a persona may (or should) act on, and how that stands. */
export interface GrantRow {
  readonly persona: Persona;
  /** The site whose data the persona reads: a plant engineer's site, else `all`. */
  readonly site: string;
  /** The persona's role in the Lakehouse stack; none when the stack has no such role. */
  readonly role?: string;
  /** The resource, e.g. `tables where zone=curated AND site=zwickau`, `table db.name`. */
  readonly resource: string;
  /** The Lake Formation permissions; `<PERMISSION> (grantable)` for a grant option. */
  readonly permissions: readonly string[];
  readonly state: GrantState;
}

/** The tables of one database a persona may SELECT from, as its granted grants reach them. */
export interface TableReach {
  readonly persona: Persona;
  readonly site: string;
  readonly database: string;
  /** The `site` LF-tag of the tables' data: a site id, `all`, or {@link NAMED}. */
  readonly dataSite: string;
  readonly tables: readonly string[];
}

/** The data site of a table granted by name: its LF-tags are not read. */
export const NAMED = '-';

/** The resource types whose grants are a persona's reading rights. */
const READ_RESOURCE_TYPES: readonly DataLakeResourceType[] = [
  'LF_TAG_POLICY_DATABASE',
  'LF_TAG_POLICY_TABLE',
  'DATABASE',
  'TABLE',
];

/**
 * The persona roles of the deployed Lakehouse stack, by the id of their grant: CloudFormation
 * names a role created at `<Lakehouse>/Personas/<id>` with the logical id
 * `<Lakehouse>Personas<id without non-alphanumerics><8 hex digits of the path's hash>`; the role
 * name is its physical id. A persona the stack holds no role for is absent.
 *
 * @throws CliError when two roles match one persona (site ids that differ only in hyphens).
 */
export async function personaRoles(
  context: Context,
  stack: Stack,
  grants: readonly PersonaGrant[],
): Promise<Map<string, string>> {
  const client = new CloudFormationClient({ region: context.target.region });
  const roles: { logicalId: string; name: string }[] = [];
  for await (const page of paginateListStackResources({ client }, { StackName: stack.StackName })) {
    for (const resource of page.StackResourceSummaries ?? []) {
      if (resource.ResourceType === 'AWS::IAM::Role' && resource.PhysicalResourceId) {
        roles.push({
          logicalId: resource.LogicalResourceId ?? '',
          name: resource.PhysicalResourceId,
        });
      }
    }
  }
  // arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<id>
  const [, partition = 'aws', , , account = context.target.config.account] = (
    stack.StackId ?? ''
  ).split(':');
  const found = new Map<string, string>();
  for (const grant of grants) {
    const pattern = new RegExp(
      `${PERSONA_ROLES_ID}${grant.id.replace(/[^A-Za-z0-9]/g, '')}[0-9A-F]{8}$`,
    );
    const matches = roles.filter((role) => pattern.test(role.logicalId));
    if (matches.length > 1) {
      throw new CliError(
        `Roles ${matches.map((role) => role.logicalId).join(', ')} of ${stack.StackName} all match the ${grant.persona} of site ${grant.site}.`,
        'Give the sites ids that differ in more than hyphens (lib/config/environments.ts).',
      );
    }
    const [role] = matches;
    if (role) found.set(grant.id, `arn:${partition}:iam::${account}:role/${role.name}`);
  }
  return found;
}

/** Every grant Lake Formation holds for a principal on databases and tables, deduplicated. */
async function grantsOf(
  client: LakeFormationClient,
  principal: string,
): Promise<PrincipalResourcePermissions[]> {
  const seen = new Map<string, PrincipalResourcePermissions>();
  for (const resourceType of READ_RESOURCE_TYPES) {
    const pages = paginateListPermissions(
      { client },
      { Principal: { DataLakePrincipalIdentifier: principal }, ResourceType: resourceType },
    );
    for await (const page of pages) {
      for (const grant of page.PrincipalResourcePermissions ?? []) {
        seen.set(
          JSON.stringify([grant.Resource, grant.Permissions, grant.PermissionsWithGrantOption]),
          grant,
        );
      }
    }
  }
  return [...seen.values()];
}

/** An LF-tag expression as people read it: `zone=curated AND site=zwickau`. */
function describeExpression(expression: readonly LFTag[]): string {
  return [...expression]
    .sort((a, b) => (a.TagKey ?? '').localeCompare(b.TagKey ?? ''))
    .map((tag) => `${tag.TagKey ?? '?'}=${(tag.TagValues ?? []).join('|')}`)
    .join(' AND ');
}

/** A Lake Formation resource as people read it. */
export function describeResource(resource: Resource | undefined): string {
  if (resource?.LFTagPolicy) {
    const {
      ResourceType: type,
      Expression: expression,
      ExpressionName: name,
    } = resource.LFTagPolicy;
    const kind = type === 'DATABASE' ? 'databases' : 'tables';
    return `${kind} where ${expression ? describeExpression(expression) : `expression ${name ?? '?'}`}`;
  }
  if (resource?.Table) {
    const { DatabaseName: database, Name: name } = resource.Table;
    return name ? `table ${database}.${name}` : `tables ${database}.*`;
  }
  if (resource?.TableWithColumns) {
    const { DatabaseName: database, Name: name, ColumnNames: columns } = resource.TableWithColumns;
    return `columns of table ${database}.${name}${columns ? ` (${columns.join(', ')})` : ''}`;
  }
  if (resource?.Database) return `database ${resource.Database.Name}`;
  return JSON.stringify(resource ?? {});
}

function permissionsOf(grant: PrincipalResourcePermissions): string[] {
  return [
    ...(grant.Permissions ?? []),
    ...(grant.PermissionsWithGrantOption ?? []).map((permission) => `${permission} (grantable)`),
  ];
}

/** The resources and permissions the configuration intends for one persona. */
function intendedOf(grant: PersonaGrant): Map<string, Set<string>> {
  const expression = grant.expression.map(([key, value]) => ({ TagKey: key, TagValues: [value] }));
  return new Map(
    grant.permissions.map(({ resourceType, permissions }) => [
      describeResource({ LFTagPolicy: { ResourceType: resourceType, Expression: expression } }),
      new Set(permissions),
    ]),
  );
}

/**
 * The grants of each persona compared with what the configuration intends, permission by
 * permission: what both hold is `ok`, what only the configuration holds `missing`, what only Lake
 * Formation holds `extra`. One row per persona, resource and state, in the order of `grants`.
 */
export async function compareGrants(
  context: Context,
  grants: readonly PersonaGrant[],
  roles: ReadonlyMap<string, string>,
): Promise<{ rows: GrantRow[]; granted: Map<string, PrincipalResourcePermissions[]> }> {
  const client = new LakeFormationClient({ region: context.target.region });
  const rows: GrantRow[] = [];
  const granted = new Map<string, PrincipalResourcePermissions[]>();
  for (const grant of grants) {
    const role = roles.get(grant.id);
    progress(context, `Reading the Lake Formation grants of ${grant.persona} (${grant.site}) ...`);
    const actual = role ? await grantsOf(client, role) : [];
    granted.set(grant.id, actual);
    const held = new Map<string, Set<string>>();
    for (const entry of actual) {
      const resource = describeResource(entry.Resource);
      const permissions = held.get(resource) ?? new Set<string>();
      for (const permission of permissionsOf(entry)) permissions.add(permission);
      held.set(resource, permissions);
    }
    const intended = intendedOf(grant);
    const base = { persona: grant.persona, site: grant.site, ...(role ? { role } : {}) };
    for (const resource of new Set([...intended.keys(), ...held.keys()])) {
      const want = intended.get(resource) ?? new Set<string>();
      const have = held.get(resource) ?? new Set<string>();
      const split: Record<GrantState, string[]> = {
        ok: [...want].filter((permission) => have.has(permission)),
        missing: [...want].filter((permission) => !have.has(permission)),
        extra: [...have].filter((permission) => !want.has(permission)),
      };
      for (const state of ['ok', 'missing', 'extra'] as const) {
        if (split[state].length > 0)
          rows.push({ ...base, resource, permissions: split[state], state });
      }
    }
  }
  return { rows, granted };
}

/**
 * The tables each persona may SELECT from through the grants Lake Formation holds: the tables its
 * LF-tag expressions match (as the caller sees them: a data-lake administrator sees all), and the
 * tables granted by name. One entry per persona and database.
 */
export async function tablesReached(
  context: Context,
  grants: readonly PersonaGrant[],
  granted: ReadonlyMap<string, readonly PrincipalResourcePermissions[]>,
): Promise<TableReach[]> {
  const client = new LakeFormationClient({ region: context.target.region });
  const reaches: TableReach[] = [];
  for (const grant of grants) {
    const byDatabase = new Map<string, { dataSite: string; tables: Set<string> }>();
    const add = (database: string, table: string, dataSite: string) => {
      const entry = byDatabase.get(database) ?? { dataSite, tables: new Set<string>() };
      entry.tables.add(table);
      byDatabase.set(database, entry);
    };
    for (const entry of granted.get(grant.id) ?? []) {
      if (!(entry.Permissions ?? []).includes('SELECT')) continue;
      const policy = entry.Resource?.LFTagPolicy;
      if (policy?.ResourceType === 'TABLE' && policy.Expression) {
        progress(context, `Finding the tables ${grant.persona} (${grant.site}) reads ...`);
        const pages = paginateSearchTablesByLFTags({ client }, { Expression: policy.Expression });
        for await (const page of pages) {
          for (const tagged of page.TableList ?? []) {
            const tags = [...(tagged.LFTagOnDatabase ?? []), ...(tagged.LFTagsOnTable ?? [])];
            const site = tags.findLast((tag) => tag.TagKey === LF_TAG.site)?.TagValues?.[0];
            if (tagged.Table?.DatabaseName && tagged.Table.Name) {
              add(tagged.Table.DatabaseName, tagged.Table.Name, site ?? ALL_SITES);
            }
          }
        }
      }
      const table = entry.Resource?.Table ?? entry.Resource?.TableWithColumns;
      if (table?.DatabaseName) add(table.DatabaseName, table.Name ?? '*', NAMED);
    }
    for (const [database, { dataSite, tables }] of [...byDatabase].sort(([a], [b]) =>
      a.localeCompare(b),
    )) {
      reaches.push({
        persona: grant.persona,
        site: grant.site,
        database,
        dataSite,
        tables: [...tables].sort(),
      });
    }
  }
  return reaches;
}
