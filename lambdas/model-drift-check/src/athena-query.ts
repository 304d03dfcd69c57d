import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type QueryExecution,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';

/** One query to run in a workgroup whose configuration (results location, key) is enforced. */
export interface AthenaQuery {
  readonly sql: string;
  /** Execution parameters, SQL literals in the order of the `?` in `sql`. */
  readonly parameters: readonly string[];
  readonly workGroup: string;
  /** The database unqualified names resolve in. */
  readonly database: string;
}

/** How long to wait for a query, and how (tests pass their own clock and sleep). */
export interface QueryWait {
  /** Time after which a query still queued or running is stopped and counts as failed. */
  readonly timeoutMs: number;
  /** First pause between two status polls; it doubles up to `maxPollMs`. */
  readonly firstPollMs: number;
  readonly maxPollMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** The rows of a finished query: column names, and each row's values (`undefined` for NULL). */
export interface QueryResult {
  readonly queryExecutionId: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | undefined)[])[];
  /** Bytes the query scanned, as Athena bills them. */
  readonly dataScannedBytes: number | undefined;
}

/** A query that failed, was cancelled or did not finish in time: what Athena said about it. */
export class AthenaQueryFailed extends Error {
  constructor(
    readonly queryExecutionId: string,
    readonly state: string,
    readonly reason: string,
  ) {
    super(`Athena query ${queryExecutionId} ${state}: ${reason}`);
    this.name = 'AthenaQueryFailed';
  }
}

/** Rows per GetQueryResults page: the most Athena returns. */
const RESULTS_PAGE_SIZE = 1000;

/**
 * Runs a query and returns all its rows: StartQueryExecution with the execution parameters, then
 * GetQueryExecution until it ends (pauses doubling from `firstPollMs` to `maxPollMs`), then every
 * page of GetQueryResults. A query still queued or running after `timeoutMs` is stopped.
 *
 * @throws AthenaQueryFailed when the query FAILED, was CANCELLED or ran out of time (with Athena's
 *   reason); AWS errors as the SDK throws them.
 */
export async function runAthenaQuery(
  athena: AthenaClient,
  query: AthenaQuery,
  wait: QueryWait,
): Promise<QueryResult> {
  const started = await athena.send(
    new StartQueryExecutionCommand({
      QueryString: query.sql,
      WorkGroup: query.workGroup,
      QueryExecutionContext: { Database: query.database },
      ...(query.parameters.length > 0 && { ExecutionParameters: [...query.parameters] }),
    }),
  );
  const id = started.QueryExecutionId;
  if (id === undefined) throw new Error('Athena StartQueryExecution returned no QueryExecutionId');
  const execution = await waitForQuery(athena, id, wait);
  const { columns, rows } = await readResults(athena, id);
  return {
    queryExecutionId: id,
    columns,
    rows,
    dataScannedBytes: execution.Statistics?.DataScannedInBytes,
  };
}

async function waitForQuery(
  athena: AthenaClient,
  id: string,
  wait: QueryWait,
): Promise<QueryExecution> {
  const deadline = wait.now() + wait.timeoutMs;
  let pause = wait.firstPollMs;
  for (;;) {
    const { QueryExecution: execution } = await athena.send(
      new GetQueryExecutionCommand({ QueryExecutionId: id }),
    );
    const state = execution?.Status?.State;
    if (state === 'SUCCEEDED' && execution !== undefined) return execution;
    if (state === 'FAILED' || state === 'CANCELLED') {
      const reason =
        execution?.Status?.AthenaError?.ErrorMessage ??
        execution?.Status?.StateChangeReason ??
        'no reason given';
      throw new AthenaQueryFailed(id, state, reason);
    }
    if (wait.now() >= deadline) {
      await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
      throw new AthenaQueryFailed(
        id,
        'TIMED_OUT',
        `still ${state ?? 'without a state'} after ${wait.timeoutMs / 1000} s; stopped`,
      );
    }
    await wait.sleep(Math.min(pause, Math.max(0, deadline - wait.now())));
    pause = Math.min(pause * 2, wait.maxPollMs);
  }
}

async function readResults(
  athena: AthenaClient,
  id: string,
): Promise<{ columns: string[]; rows: (string | undefined)[][] }> {
  let columns: string[] | undefined;
  const rows: (string | undefined)[][] = [];
  let nextToken: string | undefined;
  do {
    const page = await athena.send(
      new GetQueryResultsCommand({
        QueryExecutionId: id,
        MaxResults: RESULTS_PAGE_SIZE,
        NextToken: nextToken,
      }),
    );
    const values = (page.ResultSet?.Rows ?? []).map((row) =>
      (row.Data ?? []).map((datum) => datum.VarCharValue),
    );
    if (columns === undefined) {
      columns = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map(
        (column) => column.Name ?? '',
      );
      // A SELECT's first page starts with a row of the column names.
      const [header] = values;
      if (header !== undefined && columns.every((name, index) => header[index] === name)) {
        values.shift();
      }
    }
    rows.push(...values);
    nextToken = page.NextToken;
  } while (nextToken);
  return { columns, rows };
}
