import { GlueClient, paginateGetTables } from '@aws-sdk/client-glue';
import { paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';
import type { Context } from './context';

/** The newest day of data of one raw table at one site. */
export interface LastPartition {
  readonly table: string;
  readonly site: string;
  /** The newest `dt` (UTC date, `yyyy-MM-dd`) within the days looked at; none when absent. */
  readonly lastDay?: string;
}

/** How many days back the partitions are looked for. */
export const PARTITION_LOOKBACK_DAYS = 30;

/**
 * The newest `dt` partition of every raw table at every site of the environment. The tables use
 * partition projection, so the catalog lists no partitions: Glue gives each table's S3 location,
 * and the `site=<site>/dt=<day>/` prefixes under it are listed, from {@link PARTITION_LOOKBACK_DAYS}
 * days back.
 */
export async function lastPartitions(context: Context): Promise<LastPartition[]> {
  const { region, names, config } = context.target;
  const glue = new GlueClient({ region });
  const s3 = new S3Client({ region });
  const tables: { name: string; bucket: string; prefix: string }[] = [];
  for await (const page of paginateGetTables(
    { client: glue },
    { DatabaseName: names.rawDatabase },
  )) {
    for (const table of page.TableList ?? []) {
      const location = /^s3:\/\/([^/]+)\/(.*)$/.exec(table.StorageDescriptor?.Location ?? '');
      if (table.Name && location?.[1] !== undefined && location[2] !== undefined) {
        const prefix =
          location[2] === '' || location[2].endsWith('/') ? location[2] : `${location[2]}/`;
        tables.push({ name: table.Name, bucket: location[1], prefix });
      }
    }
  }
  const since = new Date(context.io.now() - PARTITION_LOOKBACK_DAYS * 86_400_000)
    .toISOString()
    .slice(0, 10);
  const lookups = tables
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((table) => config.plants.map((plant) => ({ table, site: plant.siteId })));
  return Promise.all(
    lookups.map(async ({ table, site }): Promise<LastPartition> => {
      const sitePrefix = `${table.prefix}site=${site}/`;
      let lastDay: string | undefined;
      const pages = paginateListObjectsV2(
        { client: s3 },
        {
          Bucket: table.bucket,
          Prefix: sitePrefix,
          Delimiter: '/',
          StartAfter: `${sitePrefix}dt=${since}`,
        },
      );
      for await (const page of pages) {
        for (const { Prefix: prefix = '' } of page.CommonPrefixes ?? []) {
          const day = /dt=(\d{4}-\d{2}-\d{2})\/$/.exec(prefix)?.[1];
          if (day && (lastDay === undefined || day > lastDay)) lastDay = day;
        }
      }
      return { table: table.name, site, ...(lastDay ? { lastDay } : {}) };
    }),
  );
}
