import type { SqlExecutor } from '@uns-mlops/validation-store';
import type { ContractsInForce } from './contracts-in-force';

/** The contracts in force of one site, as its validator last published them. */
export interface SiteContracts extends ContractsInForce {
  readonly site: string;
}

/**
 * The newest report of each site replaces the stored one only when it is newer (`published_at`):
 * an older message, delivered again or late, never wins over a newer one.
 */
const UPSERT_IN_FORCE = `
WITH upserted AS (
  INSERT INTO contracts_in_force AS stored (site, published_at, report)
  SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::jsonb[])
  ON CONFLICT (site) DO UPDATE SET published_at = EXCLUDED.published_at, report = EXCLUDED.report
  WHERE stored.published_at < EXCLUDED.published_at
  RETURNING 1
)
SELECT count(*)::integer AS changed FROM upserted`;

/**
 * The history of every site's contracts: first and last loaded are the earliest and latest
 * `publishedAt` of the messages that named the contract, and source and channels those of the
 * latest, whatever order the messages come in.
 */
const UPSERT_HISTORY = `
INSERT INTO contracts AS stored (site, title, version, source, channels, first_loaded_at,
                                 last_loaded_at)
SELECT site, title, version, source, ARRAY(SELECT jsonb_array_elements_text(channels)),
       first_loaded_at, last_loaded_at
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::timestamptz[],
            $7::timestamptz[])
  AS loaded (site, title, version, source, channels, first_loaded_at, last_loaded_at)
ON CONFLICT (site, title, version) DO UPDATE SET
  first_loaded_at = LEAST(stored.first_loaded_at, EXCLUDED.first_loaded_at),
  last_loaded_at = GREATEST(stored.last_loaded_at, EXCLUDED.last_loaded_at),
  source = CASE WHEN EXCLUDED.last_loaded_at > stored.last_loaded_at
                THEN EXCLUDED.source ELSE stored.source END,
  channels = CASE WHEN EXCLUDED.last_loaded_at > stored.last_loaded_at
                  THEN EXCLUDED.channels ELSE stored.channels END
WHERE EXCLUDED.first_loaded_at < stored.first_loaded_at
   OR EXCLUDED.last_loaded_at > stored.last_loaded_at`;

/** A contract of a site's history, over the messages of one batch. */
interface HistoryRow {
  readonly site: string;
  readonly title: string;
  readonly version: string;
  readonly source: string;
  readonly channels: readonly string[];
  readonly firstLoadedAt: number;
  readonly lastLoadedAt: number;
}

/**
 * Writes the contracts messages of one batch, in the batch's transaction `tx`: per site the newest
 * into `contracts_in_force` (if newer than the stored one), and every contract they name into the
 * site's `contracts` history. Rows go in key order, so that concurrent writers cannot deadlock.
 *
 * @returns how many sites got newer contracts in force.
 */
export async function upsertContracts(
  tx: SqlExecutor,
  messages: readonly SiteContracts[],
): Promise<number> {
  if (messages.length === 0) return 0;
  const newest = new Map<string, SiteContracts>();
  const history = new Map<string, HistoryRow>();
  for (const message of messages) {
    const { site, publishedAt, report } = message;
    if ((newest.get(site)?.publishedAt ?? -Infinity) < publishedAt) newest.set(site, message);
    for (const { title, version, source, channels } of report.inForce) {
      const key = JSON.stringify([site, title, version]);
      const known = history.get(key);
      const latest = known === undefined || known.lastLoadedAt < publishedAt;
      history.set(key, {
        site,
        title,
        version,
        source: latest ? source : known.source,
        channels: latest ? channels.map(({ id }) => id) : known.channels,
        firstLoadedAt: Math.min(known?.firstLoadedAt ?? publishedAt, publishedAt),
        lastLoadedAt: Math.max(known?.lastLoadedAt ?? publishedAt, publishedAt),
      });
    }
  }
  const sites = [...newest.values()].sort((a, b) => compare(a.site, b.site));
  const [result] = await tx.query(UPSERT_IN_FORCE, [
    sites.map(({ site }) => site),
    sites.map(({ publishedAt }) => new Date(publishedAt).toISOString()),
    sites.map(({ report }) => JSON.stringify(report)),
  ]);
  const rows = [...history.entries()].sort(([a], [b]) => compare(a, b)).map(([, row]) => row);
  if (rows.length > 0) {
    await tx.query(UPSERT_HISTORY, [
      rows.map((row) => row.site),
      rows.map((row) => row.title),
      rows.map((row) => row.version),
      rows.map((row) => row.source),
      rows.map((row) => JSON.stringify(row.channels)),
      rows.map((row) => new Date(row.firstLoadedAt).toISOString()),
      rows.map((row) => new Date(row.lastLoadedAt).toISOString()),
    ]);
  }
  return Number(result?.changed ?? 0);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
