/** The named queries: the workgroup's saved ones and cli/queries/*.sql, in the environment's databases. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveEnvironment } from '../../lib/config/resolve';
import { environmentNames } from '../src/environment';
import { namedQueries } from '../src/named-queries';

const names = environmentNames(resolveEnvironment('prod'));

describe('named queries', () => {
  it('offers the saved queries of the workgroup and the SQL files, each name once, each described', () => {
    const queries = namedQueries(names);
    const queryNames = queries.map((query) => query.name);
    expect(queryNames).toEqual(
      expect.arrayContaining(['anomaly-rate-per-line-per-day', 'last-partitions', 'drift-by-site']),
    );
    expect(new Set(queryNames).size).toBe(queryNames.length);
    for (const query of queries) {
      expect(query.description).not.toBe('');
      expect(query.sql).not.toMatch(/\{\{|\}\}/);
    }
  });

  it("puts the environment's databases for {{raw}} and {{curated}} and runs files in the raw one", () => {
    const directory = mkdtempSync(join(tmpdir(), 'uns-mlops-queries-'));
    writeFileSync(
      join(directory, 'joined.sql'),
      '-- Raw against curated\nSELECT * FROM "{{raw}}"."a" JOIN "{{curated}}"."b" USING (site)\n',
    );
    expect(namedQueries(names, directory).find((query) => query.name === 'joined')).toEqual({
      name: 'joined',
      description: 'Raw against curated',
      database: 'uns_mlops_raw',
      sql: 'SELECT * FROM "uns_mlops_raw"."a" JOIN "uns_mlops_curated"."b" USING (site)',
    });
  });
});
