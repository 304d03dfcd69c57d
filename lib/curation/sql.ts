import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The curation queries, one per curated table (files `lib/curation/sql/<name>.sql`). */
export type CurationQueryName = 'labelled-telemetry';

/** The Glue databases a curation query reads and writes. */
export interface CurationDatabases {
  /** Database of the raw zone's tables (`<prefix>_raw`). */
  readonly rawDatabase: string;
  /** Database of the curated zone's tables (`<prefix>_curated`). */
  readonly curatedDatabase: string;
}

/** What a curation query writes and reads. */
export interface CurationQuery {
  /** The curated table it fills, one `site`/`dt` partition per execution. */
  readonly table: string;
  /** The raw tables it reads. */
  readonly sourceTables: readonly string[];
  readonly description: string;
}

/** The curation queries by name. */
export const CURATION_QUERIES: Readonly<Record<CurationQueryName, CurationQuery>> = {
  'labelled-telemetry': {
    table: 'labelled_telemetry',
    sourceTables: ['uns_telemetry', 'seam_inspections', 'asset_states'],
    description:
      'Telemetry of one site and day, without duplicates or bad samples, each sample labelled from the inspection of its seam',
  },
};

/**
 * The text of a curation query with the databases filled in: the exact SQL that Athena runs (and
 * the tests run on Trino 476, `test/curation/`). It takes two execution parameters, in order: the
 * site id and the day (`yyyy-MM-dd`, UTC) of the partition it writes, each as a SQL string literal
 * (`'zwickau'`), since Athena substitutes `ExecutionParameters` into the text as they are. It
 * appends to the partition: clear the partition's objects first for a re-run to replace it.
 */
export function curationSql(name: CurationQueryName, databases: CurationDatabases): string {
  const template = readFileSync(join(__dirname, 'sql', `${name}.sql`), 'utf8');
  return template
    .replaceAll('${raw_database}', databases.rawDatabase)
    .replaceAll('${curated_database}', databases.curatedDatabase);
}
