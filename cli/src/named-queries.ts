import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  lakehouseNamedQueries,
  type NamedQueryDefinition,
} from '../../lib/lakehouse/named-queries';
import type { EnvironmentNames } from './environment';

/** Folder of the command line's own queries: `<name>.sql`, a `-- <description>` first line. */
export const QUERY_DIRECTORY = join(__dirname, '..', 'queries');

/**
 * The queries `uns-mlops query <name>` knows, by name: the Lakehouse's saved queries (the same as
 * in the Athena workgroup, lib/lakehouse/named-queries.ts) and the SQL files of
 * {@link QUERY_DIRECTORY}, whose `{{raw}}` and `{{curated}}` stand for the environment's
 * databases. Files run in the raw database.
 */
export function namedQueries(
  names: EnvironmentNames,
  directory: string = QUERY_DIRECTORY,
): NamedQueryDefinition[] {
  const files = readdirSync(directory)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file): NamedQueryDefinition => {
      const text = readFileSync(join(directory, file), 'utf8');
      const [first = '', ...rest] = text.split('\n');
      return {
        name: basename(file, '.sql'),
        description: first.replace(/^--\s*/, '').trim(),
        database: names.rawDatabase,
        sql: rest
          .join('\n')
          .replaceAll('{{raw}}', names.rawDatabase)
          .replaceAll('{{curated}}', names.curatedDatabase)
          .trim(),
      };
    });
  return [...lakehouseNamedQueries(names.curatedDatabase), ...files];
}
