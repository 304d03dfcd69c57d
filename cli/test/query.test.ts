/**
 * `uns-mlops query`: a named or given SQL query in the environment's Athena workgroup, with
 * progress on a terminal, the rows as a table, CSV or JSON, and what the scan cost.
 */
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type QueryExecutionState,
} from '@aws-sdk/client-athena';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { queryCost } from '../src/athena';
import { awsError, cli, cloudformation, deployAllStacks } from './support';

const athena = mockClient(AthenaClient);
const QUERY_ID = '7d1c2f1e-0000-4000-8000-000000000001';

/**
 * Athena reports these states in turn, then the last one for good, with the scanned bytes (and
 * 300 MB more at each poll before).
 */
function execution(states: QueryExecutionState[], scannedBytes = 1_200_000_000, reason?: string) {
  const mock = athena.on(GetQueryExecutionCommand);
  const report = (state: QueryExecutionState, scanned: number) => ({
    QueryExecution: {
      QueryExecutionId: QUERY_ID,
      Status: { State: state, ...(reason ? { AthenaError: { ErrorMessage: reason } } : {}) },
      Statistics: { DataScannedInBytes: scanned, TotalExecutionTimeInMillis: 3200 },
    },
  });
  states.slice(0, -1).forEach((state, index) => {
    mock.resolvesOnce(report(state, 300_000_000 * index));
  });
  mock.resolves(report(states[states.length - 1]!, scannedBytes));
}

const row = (...values: (string | undefined)[]) => ({
  Data: values.map((value) => (value === undefined ? {} : { VarCharValue: value })),
});
const columns = (...names: string[]) => ({
  ColumnInfo: names.map((name) => ({ Name: name, Type: 'varchar' })),
});

function results(...pages: { rows: ReturnType<typeof row>[]; next?: string }[]) {
  const mock = athena.on(GetQueryResultsCommand);
  for (const page of pages) {
    mock.resolvesOnce({
      ResultSet: { Rows: page.rows, ResultSetMetadata: columns('site', 'drifted_share') },
      ...(page.next ? { NextToken: page.next } : {}),
    });
  }
}

const started = () =>
  athena.commandCalls(StartQueryExecutionCommand).map((call) => call.args[0].input);

beforeEach(() => {
  cloudformation.reset();
  athena.reset();
  deployAllStacks();
  athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: QUERY_ID });
});

describe('query', () => {
  it("runs a named query from cli/queries in the workgroup, in the environment's raw database", async () => {
    execution(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    results({
      rows: [row('site', 'drifted_share'), row('zwickau', '0.5'), row('mlada-boleslav', '0.0')],
    });
    const { code, stdout } = await cli(['query', 'drift-by-site', '-c', 'env=prod']);
    expect(code).toBe(0);
    const [input] = started();
    expect(input).toMatchObject({
      WorkGroup: 'uns_mlops',
      QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: 'uns_mlops_raw' },
    });
    expect(input!.QueryString).toContain('FROM "uns_mlops_raw"."model_drift"');
    expect(input!.QueryString).not.toContain('{{');
    expect(stdout).toBe(
      [
        'site            drifted_share',
        'zwickau         0.5',
        'mlada-boleslav  0.0',
        "2 rows, scanned 1.20 GB in 3.2 s, about $0.0060 at Athena's $5 per TB (10 MB minimum)",
        '',
      ].join('\n'),
    );
  });

  it("runs the workgroup's saved queries by name too, in the curated database", async () => {
    execution(['SUCCEEDED']);
    results({ rows: [row('site', 'drifted_share')] });
    await cli(['query', 'validation-compliance-per-site', '-c', 'env=prod']);
    expect(started()[0]!.QueryExecutionContext!.Database).toBe('uns_mlops_curated');
    expect(started()[0]!.QueryString).toContain('FROM "uns_mlops_curated"."validation_summaries"');
  });

  it('runs --sql in the curated database, or the one given with --database', async () => {
    execution(['SUCCEEDED']);
    results({ rows: [] });
    await cli(['query', '--sql', 'SELECT 1', '-c', 'env=prod']);
    execution(['SUCCEEDED']);
    results({ rows: [] });
    await cli([
      'query',
      '--sql',
      'SELECT 2',
      '--database',
      'uns_mlops_site_zwickau',
      '-c',
      'env=prod',
    ]);
    expect(
      started().map((input) => [input.QueryString, input.QueryExecutionContext!.Database]),
    ).toEqual([
      ['SELECT 1', 'uns_mlops_curated'],
      ['SELECT 2', 'uns_mlops_site_zwickau'],
    ]);
  });

  it('shows the state, time and bytes scanned after the first second, on a terminal only', async () => {
    execution(['QUEUED', 'RUNNING', 'RUNNING', 'SUCCEEDED']);
    results({ rows: [] });
    const terminal = await cli(['query', '--sql', 'SELECT 1'], { tty: true });
    expect(terminal.stderr).not.toContain('queued');
    expect(terminal.stderr).toContain(`running 1.0 s, 300 MB scanned (query ${QUERY_ID})`);
    expect(terminal.stderr).toContain(`running 2.0 s, 600 MB scanned (query ${QUERY_ID})`);
    expect(terminal.stderr.endsWith('\r\x1b[2K')).toBe(true);
  });

  it('shows no progress when standard error is not a terminal', async () => {
    execution(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    results({ rows: [] });
    expect((await cli(['query', '--sql', 'SELECT 1'])).stderr).toBe('');
  });

  it('prints CSV with --csv, the cost on standard error', async () => {
    execution(['SUCCEEDED']);
    results({ rows: [row('site', 'drifted_share'), row('zwickau, line "1"', undefined)] });
    const { stdout, stderr } = await cli(['query', '--sql', 'SELECT 1', '--csv']);
    expect(stdout).toBe('site,drifted_share\r\n"zwickau, line ""1""",\r\n');
    expect(stderr).toContain('1 row, scanned 1.20 GB');
  });

  it('prints rows as objects and the statistics with --json', async () => {
    execution(['SUCCEEDED']);
    results({ rows: [row('site', 'drifted_share'), row('zwickau', '0.5')] });
    const { stdout } = await cli(['query', '--sql', 'SELECT 1', '--json']);
    expect(JSON.parse(stdout)).toEqual({
      queryExecutionId: QUERY_ID,
      scannedBytes: 1_200_000_000,
      costUsd: 0.006,
      durationMs: 3200,
      columns: ['site', 'drifted_share'],
      rows: [{ site: 'zwickau', drifted_share: '0.5' }],
      truncated: false,
    });
  });

  it('reads every page of results, up to --max-rows', async () => {
    execution(['SUCCEEDED']);
    results(
      { rows: [row('site', 'drifted_share'), row('a', '1'), row('b', '2')], next: 'page-2' },
      { rows: [row('c', '3'), row('d', '4')] },
    );
    const { stdout } = await cli(['query', '--sql', 'SELECT 1', '--max-rows', '3']);
    expect(stdout).toContain('a     1\nb     2\nc     3\n3 rows (first 3; --max-rows for more)');
    expect(athena.commandCalls(GetQueryResultsCommand)[1]!.args[0].input.NextToken).toBe('page-2');
  });

  it("fails with Athena's reason and the cost so far, exit 1", async () => {
    execution(
      ['RUNNING', 'FAILED'],
      5_000_000,
      "TABLE_NOT_FOUND: line 1:15: Table 'uns_mlops_curated.nope' does not exist",
    );
    const { code, stderr } = await cli(['query', '--sql', 'SELECT * FROM nope']);
    expect(code).toBe(1);
    expect(stderr).toContain(`error: Query ${QUERY_ID} failed: TABLE_NOT_FOUND`);
    expect(stderr).toContain('scanned 5.00 MB');
    expect(stderr).toContain(
      'fix: Fix the SQL, or look the query up in the Athena console under its id.',
    );
  });

  it('explains the scan limit of the workgroup when a query hits it', async () => {
    execution(['FAILED'], 10_737_418_240, 'Query cancelled! Bytes scanned limit was exceeded');
    const { stderr } = await cli(['query', '--sql', 'SELECT * FROM uns_telemetry']);
    expect(stderr).toContain(
      'fix: The workgroup caps the bytes a query may scan: filter on the dt partition',
    );
  });

  it('lists the named queries with --list', async () => {
    const { code, stdout } = await cli(['query', '--list', '-c', 'env=prod']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^NAME\s+DATABASE\s+DESCRIPTION\n/);
    for (const name of ['last-partitions', 'drift-by-site', 'anomaly-rate-per-line-per-day']) {
      expect(stdout).toContain(name);
    }
    expect(cloudformation.calls()).toHaveLength(0);
  });

  it('needs a named query or --sql, not both and not an unknown name, exit 2', async () => {
    expect((await cli(['query'])).code).toBe(2);
    expect((await cli(['query', 'drift-by-site', '--sql', 'SELECT 1'])).code).toBe(2);
    const { code, stderr } = await cli(['query', 'drift-per-site']);
    expect(code).toBe(2);
    expect(stderr).toContain('error: Unknown named query "drift-per-site".');
    expect(stderr).toContain('drift-by-site');
    expect(athena.calls()).toHaveLength(0);
  });

  it('stops before querying when the Lakehouse is not deployed, exit 1', async () => {
    cloudformation
      .on(DescribeStacksCommand)
      .rejects(awsError('ValidationError', 'Stack with id UnsMlops-Dev-Lakehouse does not exist'));
    const { code, stderr } = await cli(['query', 'last-partitions']);
    expect(code).toBe(1);
    expect(stderr).toContain('stack UnsMlops-Dev-Lakehouse does not exist');
    expect(athena.calls()).toHaveLength(0);
  });
});

describe('query cost', () => {
  it('is $5 per TB scanned, at least 10 MB, rounded up to the MB', () => {
    expect(queryCost(1e12)).toBe(5);
    expect(queryCost(0)).toBe(queryCost(10_000_000));
    expect(queryCost(10_000_001)).toBe(queryCost(11_000_000));
  });
});
