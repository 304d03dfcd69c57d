import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type QueryExecutionState,
  type Row,
  StartQueryExecutionCommand,
  type StartQueryExecutionInput,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { DRIFT_QUERY_COLUMNS } from '../src/drift-query';

export const athena = mockClient(AthenaClient);

/** One result row of the drift query, by column. */
export type DriftRow = Record<(typeof DRIFT_QUERY_COLUMNS)[number], string | undefined>;

/**
 * Athena as the drift check sees it, in memory: each started query goes through the given states
 * (one per GetQueryExecution), then its rows come back in pages of `pageSize` behind a header row,
 * as GetQueryResults returns a SELECT's result.
 */
export class FakeAthena {
  readonly started: StartQueryExecutionInput[] = [];
  readonly stopped: string[] = [];
  private states: QueryExecutionState[] = ['SUCCEEDED'];
  private failure: { reason?: string; error?: string } = {};
  private rows: Row[] = [];
  private pageSize = 1000;
  private columns: readonly string[] = DRIFT_QUERY_COLUMNS;

  constructor() {
    athena.reset();
    athena.on(StartQueryExecutionCommand).callsFake((input: StartQueryExecutionInput) => {
      this.started.push(input);
      return { QueryExecutionId: `query-${this.started.length}` };
    });
    athena.on(GetQueryExecutionCommand).callsFake(({ QueryExecutionId }) => {
      const state = this.states.length > 1 ? this.states.shift()! : this.states[0]!;
      return {
        QueryExecution: {
          QueryExecutionId,
          Status: {
            State: state,
            StateChangeReason: this.failure.reason,
            ...(this.failure.error !== undefined && {
              AthenaError: { ErrorMessage: this.failure.error },
            }),
          },
          Statistics: { DataScannedInBytes: 4096 },
        },
      };
    });
    athena.on(StopQueryExecutionCommand).callsFake(({ QueryExecutionId }) => {
      this.stopped.push(QueryExecutionId as string);
      return {};
    });
    athena.on(GetQueryResultsCommand).callsFake(({ NextToken }) => {
      const all = [row(this.columns.map((name) => name)), ...this.rows];
      const start = NextToken === undefined ? 0 : Number(NextToken);
      const end = start + this.pageSize;
      return {
        ResultSet: {
          ResultSetMetadata: {
            ColumnInfo: this.columns.map((Name) => ({ Name, Type: 'varchar' })),
          },
          Rows: all.slice(start, end),
        },
        NextToken: end < all.length ? String(end) : undefined,
      };
    });
  }

  /** The states the query reports, in turn; the last one stays. */
  reports(...states: QueryExecutionState[]): this {
    this.states = states;
    return this;
  }

  failsWith(failure: { reason?: string; error?: string }): this {
    this.failure = failure;
    return this;
  }

  returns(rows: readonly DriftRow[], pageSize = 1000): this {
    this.rows = rows.map((values) => row(DRIFT_QUERY_COLUMNS.map((column) => values[column])));
    this.pageSize = pageSize;
    return this;
  }

  returnsColumns(columns: readonly string[]): this {
    this.columns = columns;
    return this;
  }
}

function row(values: readonly (string | undefined)[]): Row {
  return { Data: values.map((value) => (value === undefined ? {} : { VarCharValue: value })) };
}

/** A drift query row of a site, model and subject with the model's totals. */
export function driftRow(
  site: string,
  model: string,
  subject: string,
  figures: {
    evaluations: number;
    drifted: number;
    assets: number;
    maxPsi: number;
    meanPsi: number;
  },
): DriftRow {
  return {
    site,
    model_name: model,
    evaluations: String(figures.evaluations),
    drifted_evaluations: String(figures.drifted),
    drifted_share: String(figures.drifted / figures.evaluations),
    assets: String(figures.assets),
    subject,
    max_psi: String(figures.maxPsi),
    mean_psi: String(figures.meanPsi),
  };
}
