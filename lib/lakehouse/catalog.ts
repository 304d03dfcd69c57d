import * as glue from 'aws-cdk-lib/aws-glue';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { toGlueIdentifier } from '../uns-id';
import {
  inZone,
  LAKEHOUSE_TABLES,
  type LakehouseTableDefinition,
  type LakehouseZone,
} from './tables';

/** Resolved settings of {@link LakehouseCatalog}. */
export interface LakehouseCatalogProps {
  readonly namePrefix: string;
  readonly siteIds: readonly string[];
  readonly rawBucket: s3.IBucket;
  readonly curatedBucket: s3.IBucket;
  /** First day of the projected `dt` range, yyyy-MM-dd. */
  readonly firstPartitionDate: string;
}

/** The Glue tables of one database, by table name (see `LAKEHOUSE_TABLES`). */
export type LakehouseTables = Readonly<Record<string, glue.S3Table>>;

/** A Glue database and its tables. */
export interface LakehouseDatabase {
  readonly database: glue.Database;
  readonly tables: LakehouseTables;
}

/**
 * The Glue Data Catalog of the Lakehouse: every table is Parquet with partition projection, so
 * Athena finds new `site`/`dt` partitions without a crawler or `MSCK REPAIR`.
 * - `<prefix>_raw`: the tables over the raw zone, partitioned by `site` and `dt`;
 * - `<prefix>_curated`: the tables over the curated zone, partitioned the same way;
 * - `<prefix>_site_<site>`: per site, the curated tables narrowed to that site's partitions
 *   (partitioned by `dt` only), the unit of a plant engineer's grant.
 */
export class LakehouseCatalog extends Construct {
  readonly raw: LakehouseDatabase;
  readonly curated: LakehouseDatabase;
  /** Site-scoped databases, by site id. */
  readonly sites: ReadonlyMap<string, LakehouseDatabase>;

  private readonly dateProjection: glue.PartitionProjectionConfiguration;

  constructor(scope: Construct, id: string, props: LakehouseCatalogProps) {
    super(scope, id);
    this.dateProjection = glue.PartitionProjectionConfiguration.date({
      min: props.firstPartitionDate,
      max: 'NOW',
      format: 'yyyy-MM-dd',
      step: { interval: 1, intervalUnit: glue.DateIntervalUnit.DAYS },
    });
    const siteProjection = glue.PartitionProjectionConfiguration.enum({
      values: [...props.siteIds],
    });

    this.raw = this.createDatabase('Raw', {
      name: `${props.namePrefix}_raw`,
      description: 'UNS data as delivered from the plants (restricted: invalid payloads included)',
      bucket: props.rawBucket,
      zone: 'raw',
      sitePartition: { projection: siteProjection },
    });
    this.curated = this.createDatabase('Curated', {
      name: `${props.namePrefix}_curated`,
      description: 'Deduplicated, contract-valid UNS data of all sites',
      bucket: props.curatedBucket,
      zone: 'curated',
      sitePartition: { projection: siteProjection },
    });
    this.sites = new Map(
      props.siteIds.map((siteId) => [
        siteId,
        this.createDatabase(`Site-${siteId}`, {
          name: `${props.namePrefix}_site_${toGlueIdentifier(siteId)}`,
          description: `Curated UNS data of site ${siteId} only`,
          bucket: props.curatedBucket,
          zone: 'curated',
          sitePartition: { fixedSiteId: siteId },
        }),
      ]),
    );
  }

  private createDatabase(
    id: string,
    options: {
      name: string;
      description: string;
      bucket: s3.IBucket;
      /** The zone whose tables the database holds. */
      zone: LakehouseZone;
      /** Either a projected `site` partition, or a table fixed to one site's partitions. */
      sitePartition:
        { projection: glue.PartitionProjectionConfiguration } | { fixedSiteId: string };
    },
  ): LakehouseDatabase {
    const namespace = new Construct(this, id);
    const database = new glue.Database(namespace, 'Database', {
      databaseName: options.name,
      description: options.description,
      locationUri: `s3://${options.bucket.bucketName}/`,
    });
    const tables: Record<string, glue.S3Table> = {};
    for (const definition of LAKEHOUSE_TABLES.filter((table) => inZone(table, options.zone))) {
      tables[definition.name] = this.createTable(namespace, database, definition, options);
    }
    return { database, tables };
  }

  private createTable(
    namespace: Construct,
    database: glue.Database,
    definition: LakehouseTableDefinition,
    options: Parameters<LakehouseCatalog['createDatabase']>[1],
  ): glue.S3Table {
    const dt: glue.Column = {
      name: 'dt',
      type: glue.Schema.STRING,
      comment: 'UTC date, yyyy-MM-dd',
    };
    const site: glue.Column = {
      name: 'site',
      type: glue.Schema.STRING,
      comment: 'Site id (ISA-95 site)',
    };
    const bucketUrl = `s3://${options.bucket.bucketName}`;
    const layout: {
      prefix: string;
      partitionKeys: glue.Column[];
      partitionProjection: glue.PartitionProjection;
      locationTemplate: string;
    } =
      'projection' in options.sitePartition
        ? {
            prefix: `${definition.name}/`,
            partitionKeys: [site, dt],
            partitionProjection: {
              site: options.sitePartition.projection,
              dt: this.dateProjection,
            },
            locationTemplate: `${bucketUrl}/${definition.name}/site=\${site}/dt=\${dt}/`,
          }
        : {
            prefix: `${definition.name}/site=${options.sitePartition.fixedSiteId}/`,
            partitionKeys: [dt],
            partitionProjection: { dt: this.dateProjection },
            locationTemplate: `${bucketUrl}/${definition.name}/site=${options.sitePartition.fixedSiteId}/dt=\${dt}/`,
          };
    return new glue.S3Table(namespace, definition.name, {
      database,
      tableName: definition.name,
      description: definition.description,
      columns: [...definition.columns],
      partitionKeys: layout.partitionKeys,
      partitionProjection: layout.partitionProjection,
      parameters: { 'storage.location.template': layout.locationTemplate },
      dataFormat: glue.DataFormat.PARQUET,
      storage: glue.S3TableStorage.fromBucket(options.bucket),
      s3Prefix: layout.prefix,
    });
  }
}
