import { inZone, LAKEHOUSE_TABLES } from '../../lib/lakehouse';
import { logicalIdOf, synthLakehouse } from '../support/lakehouse';

describe('Lakehouse catalog', () => {
  const { stack, lakehouse, template } = synthLakehouse({ firstPartitionDate: '2025-06-01' });
  const tables = Object.values(template.findResources('AWS::Glue::Table'));
  const tableInputs = tables.map((table) => table.Properties.TableInput);
  const databaseNames = Object.values(template.findResources('AWS::Glue::Database')).map(
    (database) => database.Properties.DatabaseInput.Name,
  );
  const databaseOf = (zoneOrSite: string) =>
    zoneOrSite === 'raw' || zoneOrSite === 'curated'
      ? lakehouse.catalog[zoneOrSite]
      : lakehouse.catalog.sites.get(zoneOrSite)!;
  /** The TableInput of a table in the raw or curated database, or in a site's database. */
  const tableIn = (zoneOrSite: string, table: string) => {
    const databaseId = logicalIdOf(stack, databaseOf(zoneOrSite).database);
    const found = tables.find(
      (candidate) =>
        candidate.Properties.DatabaseName.Ref === databaseId &&
        candidate.Properties.TableInput.Name === table,
    );
    if (!found) throw new Error(`no table ${table} in ${zoneOrSite}`);
    return found.Properties.TableInput;
  };

  it('creates a raw, a curated and one site-scoped database per site', () => {
    expect(databaseNames.sort()).toEqual([
      'uns_mlops_curated',
      'uns_mlops_raw',
      'uns_mlops_site_mlada_boleslav',
      'uns_mlops_site_zwickau',
    ]);
  });

  it('holds every UNS data class in the raw zone and the curated training table in the curated ones', () => {
    const zoneOf = (zone: 'raw' | 'curated') =>
      LAKEHOUSE_TABLES.filter((table) => inZone(table, zone)).map((table) => table.name);
    expect(zoneOf('raw')).toEqual([
      'uns_telemetry',
      'inference_results',
      'validation_summaries',
      'anomaly_events',
      'model_status',
      'model_drift',
      'asset_states',
      'asset_alarms',
      'seam_inspections',
    ]);
    expect(zoneOf('curated')).toEqual([
      'uns_telemetry',
      'inference_results',
      'validation_summaries',
      'labelled_telemetry',
    ]);
    // raw, curated and the two sites' databases (each a curated one)
    expect(tables).toHaveLength(zoneOf('raw').length + 3 * zoneOf('curated').length);
  });

  it('stores every table as Parquet', () => {
    for (const input of tableInputs) {
      expect(input.StorageDescriptor.InputFormat).toBe(
        'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
      );
      expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe(
        'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
      );
      expect(input.Parameters.classification).toBe('parquet');
    }
  });

  it('partitions the zone tables by site and date, and projects both partitions', () => {
    const telemetry = tableIn('raw', 'uns_telemetry');
    expect(telemetry.PartitionKeys.map((key: { Name: string }) => key.Name)).toEqual([
      'site',
      'dt',
    ]);
    expect(telemetry.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.site.type': 'enum',
      'projection.site.values': 'zwickau,mlada-boleslav',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      'projection.dt.range': '2025-06-01,NOW',
      'projection.dt.interval': '1',
      'projection.dt.interval.unit': 'DAYS',
    });
    expect(JSON.stringify(telemetry.Parameters['storage.location.template'])).toContain(
      '/uns_telemetry/site=${site}/dt=${dt}/',
    );
  });

  it('narrows a site database to its site partitions, projected by date only', () => {
    const siteTelemetry = tableIn('zwickau', 'uns_telemetry');
    expect(siteTelemetry.PartitionKeys.map((key: { Name: string }) => key.Name)).toEqual(['dt']);
    expect(siteTelemetry.Parameters['projection.site.type']).toBeUndefined();
    expect(JSON.stringify(siteTelemetry.Parameters['storage.location.template'])).toContain(
      '/uns_telemetry/site=zwickau/dt=${dt}/',
    );
    expect(JSON.stringify(siteTelemetry.StorageDescriptor.Location)).toContain(
      '/uns_telemetry/site=zwickau/',
    );
  });

  it('points raw tables at the raw bucket and curated and site tables at the curated bucket', () => {
    const rawId = logicalIdOf(stack, lakehouse.storage.rawBucket);
    const curatedId = logicalIdOf(stack, lakehouse.storage.curatedBucket);
    expect(
      JSON.stringify(tableIn('raw', 'inference_results').StorageDescriptor.Location),
    ).toContain(rawId);
    expect(
      JSON.stringify(tableIn('curated', 'inference_results').StorageDescriptor.Location),
    ).toContain(curatedId);
    expect(
      JSON.stringify(tableIn('mlada-boleslav', 'inference_results').StorageDescriptor.Location),
    ).toContain(curatedId);
  });

  it('documents every column with a comment', () => {
    for (const input of tableInputs) {
      for (const column of [...input.StorageDescriptor.Columns, ...input.PartitionKeys]) {
        expect(column.Comment).toEqual(expect.any(String));
      }
    }
  });
});
