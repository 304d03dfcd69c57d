import {
  AthenaClient,
  GetQueryExecutionCommand,
  paginateGetQueryResults,
  StartQueryExecutionCommand,
  type QueryExecution,
} from '@aws-sdk/client-athena';
import { type Context, endProgress, progress } from './context';
import { CliError } from './errors';
import { formatBytes, formatDuration } from './format';

/**
 * Athena's list price per TB (10^12 bytes) scanned, in US dollars, as in most regions; a query is
 * billed at least 10 MB, rounded up to the next MB.
 */
export const ATHENA_PRICE = { usdPerTb: 5, minimumBytes: 10_000_000, roundingBytes: 1_000_000 };

/** How often a running query is asked for its state. */
export const POLL_INTERVAL_MS = 1000;

/** A query shows its progress once it has run this long; a quick one prints nothing but its rows. */
export const PROGRESS_AFTER_MS = 1000;

/** What a finished query cost and took. */
export interface QueryStatistics {
  readonly queryExecutionId: string;
  readonly scannedBytes: number;
  /** The price of the scanned bytes at {@link ATHENA_PRICE}, in US dollars. */
  readonly costUsd: number;
  readonly durationMs: number;
}

/** The result of a query: its column names, its rows (nulls as empty strings) and statistics. */
export interface QueryResult {
  readonly columns: string[];
  readonly rows: string[][];
  /** Whether rows were left out at `maxRows`. */
  readonly truncated: boolean;
  readonly statistics: QueryStatistics;
}

/** The cost of scanning `bytes` at {@link ATHENA_PRICE}, in US dollars. */
export function queryCost(bytes: number): number {
  const billed = Math.max(
    ATHENA_PRICE.minimumBytes,
    Math.ceil(bytes / ATHENA_PRICE.roundingBytes) * ATHENA_PRICE.roundingBytes,
  );
  return (billed * ATHENA_PRICE.usdPerTb) / 1e12;
}

/** A dollar amount for people: two decimals, or two significant digits below a cent. */
export function formatUsd(usd: number): string {
  return `$${usd < 0.01 ? usd.toPrecision(2) : usd.toFixed(2)}`;
}

/** "scanned 1.20 GB in 3.2 s, about $0.0060 at Athena's $5 per TB (10 MB minimum)" */
export function describeCost(statistics: QueryStatistics): string {
  return (
    `scanned ${formatBytes(statistics.scannedBytes)} in ${formatDuration(statistics.durationMs)}, ` +
    `about ${formatUsd(statistics.costUsd)} at Athena's $${ATHENA_PRICE.usdPerTb} per TB (10 MB minimum)`
  );
}

/**
 * Runs `sql` in the environment's workgroup (whose enforced settings encrypt the results and cap
 * the bytes a query may scan), showing its progress on a terminal, and reads up to `maxRows` rows.
 *
 * @throws CliError when the query fails or is cancelled, with Athena's reason.
 */
export async function runQuery(
  context: Context,
  query: { readonly sql: string; readonly database: string; readonly maxRows: number },
): Promise<QueryResult> {
  const client = new AthenaClient({ region: context.target.region });
  const started = context.io.now();
  const { QueryExecutionId: id } = await client.send(
    new StartQueryExecutionCommand({
      QueryString: query.sql,
      WorkGroup: context.target.names.workGroup,
      QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: query.database },
    }),
  );
  if (!id) throw new Error('Athena started the query without returning its id');
  let execution: QueryExecution;
  let shown = false;
  for (;;) {
    ({ QueryExecution: execution = {} } = await client.send(
      new GetQueryExecutionCommand({ QueryExecutionId: id }),
    ));
    const state = execution.Status?.State ?? 'QUEUED';
    if (state === 'SUCCEEDED' || state === 'FAILED' || state === 'CANCELLED') break;
    const elapsed = context.io.now() - started;
    if (elapsed >= PROGRESS_AFTER_MS) {
      const scanned = formatBytes(execution.Statistics?.DataScannedInBytes ?? 0);
      progress(
        context,
        `${state.toLowerCase()} ${formatDuration(elapsed)}, ${scanned} scanned (query ${id})`,
      );
      shown = true;
    }
    await context.io.sleep(POLL_INTERVAL_MS);
  }
  if (shown) endProgress(context);
  const scannedBytes = execution.Statistics?.DataScannedInBytes ?? 0;
  const statistics: QueryStatistics = {
    queryExecutionId: id,
    scannedBytes,
    costUsd: queryCost(scannedBytes),
    durationMs: execution.Statistics?.TotalExecutionTimeInMillis ?? context.io.now() - started,
  };
  if (execution.Status?.State !== 'SUCCEEDED') {
    const reason =
      execution.Status?.AthenaError?.ErrorMessage ??
      execution.Status?.StateChangeReason ??
      'no reason given';
    throw new CliError(
      `Query ${id} ${execution.Status?.State?.toLowerCase() ?? 'failed'}: ${reason} (${describeCost(statistics)})`,
      /scanned|limit/i.test(reason)
        ? `The workgroup caps the bytes a query may scan: filter on the dt partition (e.g. dt >= '2026-12-01').`
        : 'Fix the SQL, or look the query up in the Athena console under its id.',
    );
  }
  return { ...(await readResults(client, id, query.maxRows)), statistics };
}

async function readResults(client: AthenaClient, id: string, maxRows: number) {
  let columns: string[] | undefined;
  const rows: string[][] = [];
  let truncated = false;
  for await (const page of paginateGetQueryResults({ client }, { QueryExecutionId: id })) {
    const pageRows = (page.ResultSet?.Rows ?? []).map((row) =>
      (row.Data ?? []).map((datum) => datum.VarCharValue ?? ''),
    );
    if (columns === undefined) {
      columns = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map(
        (column) => column.Name ?? '',
      );
      // The first row of a SELECT's first page repeats the column names.
      if (pageRows[0]?.join('\u0000') === columns.join('\u0000')) pageRows.shift();
    }
    for (const row of pageRows) {
      if (rows.length === maxRows) {
        truncated = true;
        break;
      }
      rows.push(row);
    }
    if (truncated) break;
  }
  return { columns: columns ?? [], rows, truncated };
}
