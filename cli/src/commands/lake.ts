import {
  ALL_SITES,
  type Persona,
  personaGrants,
  PERSONAS,
} from '../../../lib/lakehouse/persona-grants';
import { type Command, type Invocation, stringOption } from '../command';
import { type Context, endProgress, printResult } from '../context';
import { EXIT, UsageError } from '../errors';
import { formatTable } from '../format';
import {
  compareGrants,
  NAMED,
  type GrantRow,
  personaRoles,
  tablesReached,
  type TableReach,
} from '../lake-grants';
import { stackName } from '../environment';
import { requireStack } from '../stacks';

/** `uns-mlops lake grants`: who may read what in the Lakehouse, against the configuration. */
export const lakeCommand: Command = {
  name: 'lake',
  summary: '`grants`: who may read what in the Lakehouse, compared with the configuration',
  usage: ['lake grants [--persona <persona>] [--site <site>] -c env=<name>'],
  description: [
    "The Lake Formation grants of the Lakehouse's persona roles (data scientist, analyst, the plant",
    'engineer of each site), read from Lake Formation and compared with what the Lakehouse',
    'construct grants for the environment (lib/lakehouse/persona-grants.ts): each row is ok,',
    'missing (intended, not granted) or extra (granted, not intended), then the tables each',
    'persona reaches. Exits 1 when anything differs. Needs a Lake Formation data-lake',
    'administrator (or a principal allowed to list the permissions and search the tables).',
  ].join('\n'),
  options: {
    persona: {
      type: 'string',
      placeholder: '<persona>',
      help: `only this persona (${PERSONAS.join(', ')})`,
    },
    site: {
      type: 'string',
      placeholder: '<site>',
      help: "only the personas that read this site's data (its plant engineer and those of all sites)",
    },
  },
  run: async (invocation, context) => {
    const [action, ...rest] = invocation.positionals;
    if (action !== 'grants' || rest.length > 0) {
      throw new UsageError(
        action === undefined
          ? 'lake needs an action: grants.'
          : `Unknown lake action "${[action, ...rest].join(' ')}".`,
        'Use `lake grants [--persona <persona>] [--site <site>]`.',
      );
    }
    return grants(invocation, context);
  },
};

async function grants(invocation: Invocation, context: Context): Promise<number> {
  const { config, region } = context.target;
  const sites = config.plants.map((plant) => plant.siteId);
  const persona = stringOption(invocation, 'persona');
  if (persona !== undefined && !PERSONAS.includes(persona as Persona)) {
    throw new UsageError(`Unknown persona "${persona}".`, `Use one of ${PERSONAS.join(', ')}.`);
  }
  const site = stringOption(invocation, 'site');
  if (site !== undefined && !sites.includes(site)) {
    throw new UsageError(
      `Environment "${config.name}" has no site "${site}".`,
      `Its sites: ${sites.join(', ')}.`,
    );
  }
  const intended = personaGrants(sites).filter(
    (grant) =>
      (persona === undefined || grant.persona === persona) &&
      (site === undefined || grant.site === site || grant.site === ALL_SITES),
  );
  const stack = await requireStack(context, 'Lakehouse');
  const roles = await personaRoles(context, stack, intended);
  const { rows, granted } = await compareGrants(context, intended, roles);
  const reaches = (await tablesReached(context, intended, granted)).filter(
    (reach) => site === undefined || [site, ALL_SITES, NAMED].includes(reach.dataSite),
  );
  endProgress(context);
  const differences = rows.filter((row) => row.state !== 'ok').length;
  printResult(context, () => formatGrants(context, rows, reaches, differences), {
    environment: config.name,
    account: config.account,
    region,
    differences,
    grants: rows,
    reaches,
  });
  return differences > 0 ? EXIT.failure : EXIT.ok;
}

function formatGrants(
  context: Context,
  rows: readonly GrantRow[],
  reaches: readonly TableReach[],
  differences: number,
): string {
  const { config, region } = context.target;
  const unknownRoles = [
    ...new Set(rows.filter((row) => !row.role).map((row) => `${row.persona} (${row.site})`)),
  ];
  return [
    `Lake Formation grants of ${config.name} (account ${config.account}, ${region}): ${
      differences === 0
        ? 'as configured'
        : `${differences} difference${differences === 1 ? '' : 's'}`
    }\n\n`,
    formatTable(
      ['PERSONA', 'SITE', 'RESOURCE', 'PERMISSIONS', 'STATE'],
      rows.map((row) => [
        row.persona,
        row.site,
        row.resource,
        row.permissions.join(', '),
        row.state,
      ]),
    ),
    ...unknownRoles.map(
      (name) =>
        `no role of ${name} in the Lakehouse stack: deploy it (npx cdk deploy -c env=${config.name} ${stackName(config, 'Lakehouse')})\n`,
    ),
    '\nTables each persona may SELECT from (as the granted grants reach them):\n',
    reaches.length === 0
      ? 'none\n'
      : formatTable(
          ['PERSONA', 'SITE', 'DATABASE', 'DATA OF', 'TABLES'],
          reaches.map((reach) => [
            reach.persona,
            reach.site,
            reach.database,
            reach.dataSite,
            reach.tables.join(', '),
          ]),
        ),
  ].join('');
}
