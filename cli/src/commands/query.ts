import { describeCost, runQuery } from '../athena';
import { type Command, countOption, flag, stringOption } from '../command';
import { printResult } from '../context';
import { EXIT, UsageError } from '../errors';
import { formatCsv, formatTable } from '../format';
import { namedQueries } from '../named-queries';
import { requireStack } from '../stacks';

/** `uns-mlops query <named-query>|--sql "<sql>"`: an Athena query in the environment's workgroup. */
export const queryCommand: Command = {
  name: 'query',
  summary: "run a named or your own SQL query in the Lakehouse's Athena workgroup",
  usage: [
    'query --list -c env=<name>',
    'query <named-query> [--csv] [--max-rows <n>] -c env=<name>',
    'query --sql "<sql>" [--database <database>] [--csv] [--max-rows <n>] -c env=<name>',
  ],
  description: [
    "Runs the query in the environment's Athena workgroup (its enforced settings encrypt the",
    'results and cap the bytes one query may scan), shows its progress on a terminal, then prints',
    'the rows as a table (or CSV), the bytes scanned and their cost at $5 per TB, the Athena list',
    'price in most regions. Named queries: the saved queries of the workgroup and cli/queries/*.sql;',
    '`--list` shows them. Lake Formation decides which tables your role may read.',
  ].join('\n'),
  options: {
    list: { type: 'boolean', help: 'list the named queries' },
    sql: { type: 'string', placeholder: '"<sql>"', help: 'run this SQL instead of a named query' },
    database: {
      type: 'string',
      placeholder: '<database>',
      help: 'database of --sql (default: the curated one, <prefix>_curated)',
    },
    csv: { type: 'boolean', help: 'print the rows as CSV (the cost goes to standard error)' },
    'max-rows': {
      type: 'string',
      placeholder: '<n>',
      help: 'print at most this many rows (default 1000)',
    },
  },
  run: async (invocation, context) => {
    const { names } = context.target;
    const queries = namedQueries(names);
    if (flag(invocation, 'list')) {
      printResult(
        context,
        () =>
          formatTable(
            ['NAME', 'DATABASE', 'DESCRIPTION'],
            queries.map((query) => [query.name, query.database, query.description]),
          ),
        queries,
      );
      return EXIT.ok;
    }
    const sql = stringOption(invocation, 'sql');
    const [name, ...extra] = invocation.positionals;
    const known = queries.map((query) => query.name).join(', ');
    if ((sql === undefined) === (name === undefined) || extra.length > 0) {
      throw new UsageError(
        'query needs either the name of a query or --sql "<sql>", not both.',
        `Named queries: ${known} (query --list describes them).`,
      );
    }
    const named = queries.find((query) => query.name === name);
    if (name !== undefined && !named) {
      throw new UsageError(`Unknown named query "${name}".`, `Named queries: ${known}.`);
    }
    const maxRows = countOption(invocation, 'max-rows', 1000);
    const csv = flag(invocation, 'csv');
    await requireStack(context, 'Lakehouse');
    const result = await runQuery(context, {
      sql: named?.sql ?? sql ?? '',
      database: named?.database ?? stringOption(invocation, 'database') ?? names.curatedDatabase,
      maxRows,
    });
    const summary =
      `${result.rows.length} row${result.rows.length === 1 ? '' : 's'}` +
      `${result.truncated ? ` (first ${maxRows}; --max-rows for more)` : ''}, ${describeCost(result.statistics)}\n`;
    if (csv && !context.json) {
      context.io.stdout(formatCsv(result.columns, result.rows));
      context.io.stderr(summary);
      return EXIT.ok;
    }
    printResult(context, () => `${formatTable(result.columns, result.rows)}${summary}`, {
      ...result.statistics,
      columns: result.columns,
      rows: result.rows.map((row) =>
        Object.fromEntries(result.columns.map((column, i) => [column, row[i]])),
      ),
      truncated: result.truncated,
    });
    return EXIT.ok;
  },
};
