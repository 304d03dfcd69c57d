/**
 * The Lakehouse's Glue catalog re-created in the `hive` catalog of a real Trino (test/services
 * `startTrino`), so that the curation SQL runs on the engine Athena v3 is built on: each Glue table
 * the Lakehouse synthesizes (its CloudFormation `TableInput`: columns, partition keys, location)
 * becomes a Trino table over the local file system, each zone bucket a folder of Trino's data
 * directory (`s3://<raw bucket>/uns_telemetry/` → `local:///<namespace>/raw/uns_telemetry/`).
 * Raw rows are written the way delivery writes them: Parquet files in the Hive layout
 * `site=<site>/dt=<dt>/`. Each test file's Lakehouse has a namespace of its own (its schemas
 * `<namespace>_<database>`, its folder `<namespace>/`), so that files share one server.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import {
  Bool,
  type DataType,
  Float64,
  Int32,
  Int64,
  Table,
  TimestampMillisecond,
  Utf8,
  tableToIPC,
  vectorFromArray,
} from 'apache-arrow';
import {
  Compression,
  Table as WasmTable,
  WriterPropertiesBuilder,
  writeParquet,
} from 'parquet-wasm';
import type { TrinoClient } from '@uns-mlops/test-services';
import { logicalIdOf, synthLakehouse } from './lakehouse';

/** A zone of the Lakehouse, as a folder of Trino's data directory. */
export type Zone = 'raw' | 'curated';

/** One row of a table: column name → value (timestamps as ISO 8601 text, UTC). */
export type Row = Readonly<Record<string, string | number | boolean | null>>;

/** A Glue column as CloudFormation holds it. */
interface GlueColumn {
  readonly Name: string;
  readonly Type: string;
}

/** A Glue table of the synthesized Lakehouse, with what Trino needs to hold it. */
interface GlueTable {
  readonly zone: Zone;
  readonly name: string;
  readonly columns: readonly GlueColumn[];
  readonly partitionKeys: readonly GlueColumn[];
  /** The table's key prefix in its zone bucket, e.g. `uns_telemetry/`. */
  readonly prefix: string;
  /** The `storage.location.template` of its partition projection, relative to the bucket. */
  readonly partitionTemplate: string;
}

/** The Lakehouse's raw and curated databases, as schemas of Trino's `hive` catalog. */
export interface TrinoLakehouse {
  /**
   * The schemas of the Glue databases, for the SQL to name (`<namespace>_uns_mlops_raw`, ...): the
   * database names the Lakehouse gives them, in the test file's namespace.
   */
  readonly databases: { readonly rawDatabase: string; readonly curatedDatabase: string };
  /** Writes `rows` as one Parquet file into a raw table's partition and registers the partition. */
  writeRaw(table: string, site: string, dt: string, rows: readonly Row[]): Promise<void>;
  /**
   * The folder of a partition of a curated table: the path its Glue table's partition projection
   * (`storage.location.template`) names for `site` and `dt`.
   */
  curatedPartitionDirectory(table: string, site: string, dt: string): string;
  /**
   * Deletes every object of a curated partition, as the curation workflow does before it runs the
   * query again (object storage has no folders: the partition's folder goes too).
   */
  deleteCuratedPartition(table: string, site: string, dt: string): void;
  /** The files under a curated table's folder (paths relative to it), each with its SHA-256. */
  curatedFiles(table: string): ReadonlyMap<string, string>;
}

/** The Trino type of each Glue (Hive) column type the Lakehouse uses. */
const TRINO_TYPES: Readonly<Record<string, string>> = {
  string: 'varchar',
  timestamp: 'timestamp(3)',
  double: 'double',
  int: 'integer',
  bigint: 'bigint',
  boolean: 'boolean',
};

/** The Arrow type a Glue column type is written as in Parquet, and how a row value converts. */
const ARROW_TYPES: Readonly<
  Record<string, { type: () => DataType; value: (raw: Row[string]) => unknown }>
> = {
  string: { type: () => new Utf8(), value: (raw) => raw },
  timestamp: {
    type: () => new TimestampMillisecond(),
    value: (raw) => (raw === null ? null : Date.parse(String(raw))),
  },
  double: { type: () => new Float64(), value: (raw) => raw },
  int: { type: () => new Int32(), value: (raw) => raw },
  bigint: { type: () => new Int64(), value: (raw) => (raw === null ? null : BigInt(Number(raw))) },
  boolean: { type: () => new Bool(), value: (raw) => raw },
};

/** The Glue databases and tables of a synthesized Lakehouse's raw and curated zones. */
export interface GlueCatalog {
  readonly databases: TrinoLakehouse['databases'];
  readonly tables: readonly GlueTable[];
}

/**
 * Creates the raw and curated databases of the Lakehouse's Glue catalog (see
 * {@link synthGlueCatalog}) and all their tables in Trino's `hive` catalog, in `namespace` (a
 * name of the test file's own, e.g. `curation`), and returns the handle to fill and inspect them.
 */
export async function createTrinoLakehouse(
  trino: TrinoClient,
  catalog: GlueCatalog,
  namespace: string,
): Promise<TrinoLakehouse> {
  const { tables } = catalog;
  const databases = {
    rawDatabase: `${namespace}_${catalog.databases.rawDatabase}`,
    curatedDatabase: `${namespace}_${catalog.databases.curatedDatabase}`,
  };
  const zoneDirectory = (zone: Zone) => join(trino.dataDirectory, namespace, zone);
  for (const zone of ['raw', 'curated'] as const) {
    const schema = zone === 'raw' ? databases.rawDatabase : databases.curatedDatabase;
    await trino.query(`CREATE SCHEMA ${schema} WITH (location = 'local:///${namespace}/${zone}/')`);
    for (const table of tables.filter((candidate) => candidate.zone === zone)) {
      await trino.query(createTableStatement(schema, table, namespace));
    }
  }
  const tableIn = (zone: Zone, name: string) => {
    const found = tables.find((table) => table.zone === zone && table.name === name);
    if (found === undefined) throw new Error(`the Lakehouse has no ${zone} table ${name}`);
    return found;
  };
  const curatedPartitionDirectory = (name: string, site: string, dt: string) =>
    resolve(zoneDirectory('curated'), partitionPath(tableIn('curated', name), site, dt));
  return {
    databases,
    writeRaw: async (name, site, dt, rows) => {
      const table = tableIn('raw', name);
      const directory = join(zoneDirectory('raw'), partitionPath(table, site, dt));
      mkdirSync(directory, { recursive: true });
      const files = readdirSync(directory).length;
      writeFileSync(join(directory, `part-${files}.parquet`), toParquet(table.columns, rows));
      await trino.query(
        `CALL system.sync_partition_metadata('${databases.rawDatabase}', '${name}', 'ADD')`,
      );
    },
    curatedPartitionDirectory,
    deleteCuratedPartition: (name, site, dt) => {
      rmSync(curatedPartitionDirectory(name, site, dt), { recursive: true, force: true });
    },
    curatedFiles: (name) => {
      const root = join(zoneDirectory('curated'), tableIn('curated', name).prefix);
      const files = readdirSync(root, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name))
        .sort();
      return new Map(
        files.map((file) => [
          relative(root, file),
          createHash('sha256').update(readFileSync(file)).digest('hex'),
        ]),
      );
    },
  };
}

/** The path of a partition in its zone: the projection's template with `site` and `dt` filled in. */
function partitionPath(table: GlueTable, site: string, dt: string): string {
  return table.partitionTemplate.replace('${site}', site).replace('${dt}', dt);
}

/**
 * Synthesizes the Lakehouse (sites `zwickau` and `mlada-boleslav`, default name prefix) and reads
 * the Glue tables of its raw and curated databases from the template.
 */
export function synthGlueCatalog(): GlueCatalog {
  const { stack, lakehouse, template } = synthLakehouse();
  const { raw, curated } = lakehouse.catalog;
  const zoneOfDatabase = new Map<string, Zone>([
    [logicalIdOf(stack, raw.database), 'raw'],
    [logicalIdOf(stack, curated.database), 'curated'],
  ]);
  const tables: GlueTable[] = [];
  for (const resource of Object.values(template.findResources('AWS::Glue::Table'))) {
    const zone = zoneOfDatabase.get(resource.Properties.DatabaseName.Ref);
    if (zone === undefined) continue;
    const input = resource.Properties.TableInput;
    tables.push({
      zone,
      name: input.Name,
      columns: input.StorageDescriptor.Columns,
      partitionKeys: input.PartitionKeys,
      prefix: bucketRelative(input.StorageDescriptor.Location),
      partitionTemplate: bucketRelative(input.Parameters['storage.location.template']),
    });
  }
  const databaseName = (database: typeof raw.database) =>
    template.toJSON().Resources[logicalIdOf(stack, database)].Properties.DatabaseInput
      .Name as string;
  return {
    databases: {
      rawDatabase: databaseName(raw.database),
      curatedDatabase: databaseName(curated.database),
    },
    tables,
  };
}

/** The key part of an `s3://<bucket>/<key>` location that CloudFormation joins from the bucket. */
function bucketRelative(location: { 'Fn::Join': [string, unknown[]] }): string {
  const [separator, [scheme, , key]] = location['Fn::Join'];
  if (separator !== '' || scheme !== 's3://' || typeof key !== 'string' || !key.startsWith('/')) {
    throw new Error(`not an s3://<bucket>/<key> location: ${JSON.stringify(location)}`);
  }
  return key.slice(1);
}

/** `CREATE TABLE` for a Glue table: its columns, Parquet, its partition keys, its location. */
function createTableStatement(schema: string, table: GlueTable, namespace: string): string {
  const columns = [...table.columns, ...table.partitionKeys].map(
    (column) => `${column.Name} ${trinoType(column.Type)}`,
  );
  const partitionedBy = table.partitionKeys.map((key) => `'${key.Name}'`).join(', ');
  return [
    `CREATE TABLE ${schema}.${table.name} (${columns.join(', ')})`,
    `WITH (format = 'PARQUET', partitioned_by = ARRAY[${partitionedBy}],`,
    `external_location = 'local:///${namespace}/${table.zone}/${table.prefix}')`,
  ].join(' ');
}

function trinoType(glueType: string): string {
  const type = TRINO_TYPES[glueType];
  if (type === undefined) throw new Error(`no Trino type for the Glue type ${glueType}`);
  return type;
}

/** A Parquet file (Snappy) of `rows` with the table's data columns: partition values are in the path. */
function toParquet(columns: readonly GlueColumn[], rows: readonly Row[]): Uint8Array {
  const unknown = rows.flatMap((row) =>
    Object.keys(row).filter((name) => !columns.some((column) => column.Name === name)),
  );
  if (unknown.length > 0) throw new Error(`no such columns: ${[...new Set(unknown)].join(', ')}`);
  const vectors = Object.fromEntries(
    columns.map((column) => {
      const arrow = ARROW_TYPES[column.Type];
      if (arrow === undefined) throw new Error(`no Parquet type for the Glue type ${column.Type}`);
      const values = rows.map((row) => arrow.value(row[column.Name] ?? null));
      return [column.Name, vectorFromArray(values, arrow.type())];
    }),
  );
  const table = new Table(vectors);
  const properties = new WriterPropertiesBuilder().setCompression(Compression.SNAPPY).build();
  return writeParquet(WasmTable.fromIPCStream(tableToIPC(table, 'stream')), properties);
}
