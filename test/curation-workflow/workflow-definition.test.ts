/**
 * The curation state machine, as synthesized and as CloudFormation fills it in: a valid Amazon
 * States Language definition (asl-validator) that plans the partitions, clears and rewrites each
 * with the curation query (bounded, failures caught per partition), then reports and fails when a
 * partition failed.
 */
import aslValidator from 'asl-validator';
import { curationSql } from '../../lib/curation';
import { buildCuration, type StateJson, workflowDefinition } from './support';

const dev = buildCuration('dev');
const stacks = [dev.lakehouse, dev.network, dev.stack];
const definition = workflowDefinition(dev.stack, stacks);
const states = definition.States;
const map = states.CuratePartitions!;
const partitionStates = map.ItemProcessor!.States;

/** The states visited from `start` following `Next` until a state without one. */
function path(from: Record<string, StateJson>, start: string): string[] {
  const visited = [start];
  while (from[visited.at(-1)!]?.Next !== undefined) visited.push(from[visited.at(-1)!]!.Next!);
  return visited;
}

describe('the curation state machine', () => {
  it('is a valid Amazon States Language definition', () => {
    // Function ARNs are attributes until deployment; any function ARN stands in.
    const deployed = JSON.parse(
      JSON.stringify(definition).replaceAll(
        /<(\w+)\.Arn>/g,
        'arn:aws:lambda:eu-central-1:111111111111:function:$1',
      ),
    );
    const { isValid, errorsText } = aslValidator(deployed);
    expect(errorsText('\n')).toBe('');
    expect(isValid).toBe(true);
  });

  it('plans the partitions from the execution input and its start time, then curates, then reports', () => {
    expect(path(states, definition.StartAt)).toEqual([
      'PlanPartitions',
      'CuratePartitions',
      'ReportOutcomes',
      'AnyPartitionFailed',
    ]);
    expect(states.PlanPartitions!.Parameters).toEqual({
      'input.$': '$',
      'startedAt.$': '$$.Execution.StartTime',
    });
    expect(states.PlanPartitions!.ResultPath).toBe('$.plan');
  });

  it('curates the planned partitions at most the configured number at a time', () => {
    expect(map).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.plan.partitions',
      MaxConcurrency: dev.config.curation!.maxConcurrentPartitions,
      ResultPath: '$.outcomes',
    });
  });

  it('clears each partition before its query rewrites it, and records it as curated', () => {
    expect(path(partitionStates, map.ItemProcessor!.StartAt)).toEqual([
      'ClearPartition',
      'RunCurationQuery',
      'PartitionCurated',
    ]);
    expect(partitionStates.ClearPartition!.Parameters).toEqual({
      'site.$': '$.site',
      'dt.$': '$.dt',
    });
    expect(partitionStates.PartitionCurated!.Parameters).toEqual({
      'site.$': '$.site',
      'dt.$': '$.dt',
      status: 'curated',
      'queryExecutionId.$': '$.query.queryExecutionId',
    });
  });

  it('runs the curation query of the environment’s databases, with the partition’s parameters, in the Lakehouse workgroup, and waits for it', () => {
    const query = partitionStates.RunCurationQuery!;
    expect(query.Resource).toBe('arn:aws:states:::athena:startQueryExecution.sync');
    expect(query.Parameters).toEqual({
      QueryString: curationSql('labelled-telemetry', {
        rawDatabase: 'uns_mlops_raw',
        curatedDatabase: 'uns_mlops_curated',
      }),
      'ExecutionParameters.$': '$.parameters',
      WorkGroup: 'uns_mlops',
    });
    expect(query.ResultSelector).toEqual({
      'queryExecutionId.$': '$.QueryExecution.QueryExecutionId',
    });
    expect(query.TimeoutSeconds).toBe(3600);
  });

  it('sends a query that takes exactly the two parameters the plan gives it (site, day)', () => {
    const sql = partitionStates.RunCurationQuery!.Parameters!.QueryString as string;
    const code = sql.replaceAll(/--[^\n]*/g, '').replaceAll(/'(?:[^']|'')*'/g, "''");
    expect(code.match(/\?/g)).toHaveLength(2);
    expect(sql).toMatch(/^INSERT INTO uns_mlops_curated\.labelled_telemetry\b/);
  });

  it('records a failed clear or query as the partition’s outcome and goes on with the others', () => {
    for (const [state, failed, stage] of [
      ['ClearPartition', 'ClearFailed', 'clear'],
      ['RunCurationQuery', 'QueryFailed', 'query'],
    ] as const) {
      expect(partitionStates[state]!.Catch).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: failed },
      ]);
      expect(partitionStates[failed]).toMatchObject({
        Type: 'Pass',
        End: true,
        Parameters: {
          'site.$': '$.site',
          'dt.$': '$.dt',
          status: 'failed',
          stage,
          'error.$': '$.error.Error',
        },
      });
    }
    expect(map.Catch).toBeUndefined();
  });

  it('retries a clear that failed on a passing error, but not a partition the function refuses', () => {
    const retries = partitionStates.ClearPartition!.Retry!;
    const refused = retries.findIndex((retry) => retry.ErrorEquals.includes('InvalidPartition'));
    const failed = retries.findIndex((retry) => retry.ErrorEquals.includes('States.TaskFailed'));
    expect(retries[refused]!.MaxAttempts).toBe(0);
    expect(failed).toBeGreaterThan(refused);
    expect(retries[failed]!.MaxAttempts).toBeGreaterThan(0);
  });

  it('starts a query again only when Athena refused to start it, never after it ran', () => {
    expect(partitionStates.RunCurationQuery!.Retry!.flatMap((retry) => retry.ErrorEquals)).toEqual([
      'Athena.TooManyRequestsException',
    ]);
  });

  it('does not retry an invalid input: the plan fails the execution at once', () => {
    expect(states.PlanPartitions!.Catch).toBeUndefined();
    expect(states.PlanPartitions!.Retry!.flatMap((retry) => retry.ErrorEquals)).not.toContain(
      'States.TaskFailed',
    );
  });

  it('reports every outcome, then fails naming the failed partitions, or succeeds', () => {
    expect(states.ReportOutcomes!.Parameters).toEqual({ 'outcomes.$': '$.outcomes' });
    expect(states.AnyPartitionFailed!.Choices).toEqual([
      { Variable: '$.failed', NumericGreaterThan: 0, Next: 'CurationFailed' },
    ]);
    expect(states.CurationFailed).toEqual({
      Type: 'Fail',
      Error: 'CurationFailed',
      CausePath: '$.summary',
    });
    expect(states[states.AnyPartitionFailed!.Default!]!.Type).toBe('Succeed');
  });

  it('gives up on a run after 12 hours', () => {
    expect(definition.TimeoutSeconds).toBe(12 * 60 * 60);
  });
});
