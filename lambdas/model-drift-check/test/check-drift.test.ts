import { AthenaClient } from '@aws-sdk/client-athena';
import {
  CloudWatchClient,
  type MetricDatum,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { AthenaQueryFailed } from '../src/athena-query';
import { createCheckDriftHandler } from '../src/check-drift';
import type { CheckConfig } from '../src/config';
import { DRIFT_QUERY_COLUMNS, driftQuery } from '../src/drift-query';
import { CHECK_CONFIG } from './configs';
import { driftRow, FakeAthena } from './fake-athena';

const cloudwatch = mockClient(CloudWatchClient);

const SCHEDULED = '2025-12-04T10:00:00.000Z';
const MODEL = 'weld-seam-anomaly';

/** A clock that the check's pauses advance: no test waits for real time. */
function fakeClock(start = '2025-12-04T10:00:07.000Z') {
  let time = new Date(start).getTime();
  const pauses: number[] = [];
  return {
    pauses,
    now: () => new Date(time),
    sleep: (ms: number) => {
      pauses.push(ms);
      time += ms;
      return Promise.resolve();
    },
  };
}

function check(config: Partial<CheckConfig> = {}, clock = fakeClock()) {
  const logger = new Logger({ serviceName: 'model-drift-check-test', logLevel: 'SILENT' });
  const handler = createCheckDriftHandler({
    athena: new AthenaClient({ region: 'eu-central-1' }),
    cloudwatch: new CloudWatchClient({ region: 'eu-central-1' }),
    logger,
    config: { ...CHECK_CONFIG, ...config },
    ...clock,
  });
  return { handler, logger, clock };
}

/** Every data point written, with its dimensions as an object, in order. */
function written(): { name: string; dimensions: Record<string, string>; value: number }[] {
  return cloudwatch.commandCalls(PutMetricDataCommand).flatMap((call) => {
    expect(call.args[0].input.Namespace).toBe('UnsMlops/ModelDrift');
    return (call.args[0].input.MetricData ?? []).map((datum: MetricDatum) => ({
      name: datum.MetricName!,
      dimensions: Object.fromEntries(datum.Dimensions!.map((d) => [d.Name, d.Value])),
      value: datum.Value!,
    }));
  });
}

const zwickau = (subject: string, maxPsi: number, meanPsi: number) =>
  driftRow('zwickau', MODEL, subject, { evaluations: 48, drifted: 30, assets: 4, maxPsi, meanPsi });

let athena: FakeAthena;
beforeEach(() => {
  athena = new FakeAthena();
  cloudwatch.reset();
  cloudwatch.on(PutMetricDataCommand).resolves({});
});

describe('the drift query', () => {
  it('runs once in the workgroup over the six hours before the scheduled time', async () => {
    await check().handler({ scheduledTime: SCHEDULED });

    expect(athena.started).toEqual([
      {
        QueryString: driftQuery('uns_mlops_raw', 'model_drift'),
        WorkGroup: 'uns_mlops',
        QueryExecutionContext: { Database: 'uns_mlops_raw' },
        ExecutionParameters: [
          "'2025-12-03'",
          "'2025-12-04'",
          "'2025-12-04 04:00:00.000'",
          "'2025-12-04 10:00:00.000'",
        ],
      },
    ]);
  });

  it('looks back from now when the event has no scheduled time (a test invoke)', async () => {
    await check({ lookbackHours: 1 }, fakeClock('2025-12-04T00:30:00.000Z')).handler({});

    expect(athena.started[0]!.ExecutionParameters!.slice(2)).toEqual([
      "'2025-12-03 23:30:00.000'",
      "'2025-12-04 00:30:00.000'",
    ]);
  });

  it('polls the query’s status with pauses doubling up to 5 s until it succeeds', async () => {
    athena.reports('QUEUED', 'RUNNING', 'RUNNING', 'RUNNING', 'RUNNING', 'RUNNING', 'SUCCEEDED');
    const clock = fakeClock();

    await check({}, clock).handler({ scheduledTime: SCHEDULED });

    expect(clock.pauses).toEqual([500, 1000, 2000, 4000, 5000, 5000]);
  });

  it('reads every page of the result', async () => {
    const subjects = Array.from({ length: 25 }, (_, index) => `channel_${index}`);
    athena.returns(
      subjects.map((subject, index) => zwickau(subject, index / 10, index / 20)),
      10,
    );

    const result = await check().handler({ scheduledTime: SCHEDULED });

    expect(result.summaries[0]!.subjects.map((s) => s.subject)).toEqual(subjects);
  });

  it('fails the invocation and logs Athena’s reason when the query fails', async () => {
    athena.reports('RUNNING', 'FAILED').failsWith({
      reason: 'query failed',
      error: "TABLE_NOT_FOUND: Table 'uns_mlops_raw.model_drift' does not exist",
    });
    const { handler, logger } = check();
    const error = jest.spyOn(logger, 'error');

    await expect(handler({ scheduledTime: SCHEDULED })).rejects.toThrow(
      "Athena query query-1 FAILED: TABLE_NOT_FOUND: Table 'uns_mlops_raw.model_drift' does not exist",
    );
    expect(error).toHaveBeenCalledWith(
      'Drift query did not succeed',
      expect.objectContaining({ queryExecutionId: 'query-1', state: 'FAILED' }),
    );
    expect(cloudwatch.commandCalls(PutMetricDataCommand)).toHaveLength(0);
  });

  it('fails the invocation when the query is cancelled', async () => {
    athena.reports('CANCELLED').failsWith({ reason: 'Query cancelled by user' });

    await expect(check().handler({ scheduledTime: SCHEDULED })).rejects.toEqual(
      new AthenaQueryFailed('query-1', 'CANCELLED', 'Query cancelled by user'),
    );
  });

  it('stops a query still running at the timeout and fails the invocation', async () => {
    athena.reports('RUNNING');
    const clock = fakeClock();

    await expect(
      check({ queryTimeoutSeconds: 30 }, clock).handler({ scheduledTime: SCHEDULED }),
    ).rejects.toThrow('Athena query query-1 TIMED_OUT: still RUNNING after 30 s; stopped');
    expect(athena.stopped).toEqual(['query-1']);
    expect(clock.pauses.reduce((sum, pause) => sum + pause, 0)).toBe(30_000);
  });

  it('refuses a result without the query’s columns', async () => {
    athena.returnsColumns(DRIFT_QUERY_COLUMNS.slice(1));

    await expect(check().handler({ scheduledTime: SCHEDULED })).rejects.toThrow(
      /returned columns model_name, .*; expected site, model_name/,
    );
  });

  it('rejects a scheduled time that is not a time', async () => {
    await expect(check().handler({ scheduledTime: 'yesterday' })).rejects.toThrow(
      'check drift: scheduledTime "yesterday" is not a time',
    );
  });
});

describe('the drift metrics', () => {
  it('writes the drifted share, evaluations, assets and the highest PSI per site and model', async () => {
    athena.returns([
      zwickau('arc_current', 0.04, 0.02),
      zwickau('arc_voltage', 0.61, 0.33),
      zwickau('score', 0.22, 0.11),
      driftRow('mlada-boleslav', MODEL, 'arc_current', {
        evaluations: 12,
        drifted: 0,
        assets: 1,
        maxPsi: 0.05,
        meanPsi: 0.01,
      }),
    ]);

    await check().handler({ scheduledTime: SCHEDULED });

    const perModel = written().filter((datum) => datum.dimensions.Subject === undefined);
    const dims = (site: string) => ({ Environment: 'dev', Site: site, Model: MODEL });
    expect(perModel).toEqual([
      { name: 'DriftedShare', dimensions: dims('zwickau'), value: 0.625 },
      { name: 'Evaluations', dimensions: dims('zwickau'), value: 48 },
      { name: 'AssetsReporting', dimensions: dims('zwickau'), value: 4 },
      { name: 'MaxPsi', dimensions: dims('zwickau'), value: 0.61 },
      { name: 'DriftedShare', dimensions: dims('mlada-boleslav'), value: 0 },
      { name: 'Evaluations', dimensions: dims('mlada-boleslav'), value: 12 },
      { name: 'AssetsReporting', dimensions: dims('mlada-boleslav'), value: 1 },
      { name: 'MaxPsi', dimensions: dims('mlada-boleslav'), value: 0.05 },
    ]);
  });

  it('writes the highest and the mean PSI of each subject, the score among them', async () => {
    athena.returns([zwickau('arc_voltage', 0.61, 0.33), zwickau('score', 0.22, 0.11)]);

    await check().handler({ scheduledTime: SCHEDULED });

    const subject = (name: string) => ({
      Environment: 'dev',
      Site: 'zwickau',
      Model: MODEL,
      Subject: name,
    });
    expect(written().filter((datum) => datum.dimensions.Subject !== undefined)).toEqual([
      { name: 'MaxPsi', dimensions: subject('arc_voltage'), value: 0.61 },
      { name: 'MeanPsi', dimensions: subject('arc_voltage'), value: 0.33 },
      { name: 'MaxPsi', dimensions: subject('score'), value: 0.22 },
      { name: 'MeanPsi', dimensions: subject('score'), value: 0.11 },
    ]);
  });

  it('writes Evaluations 0 and no drifted share for a monitored site that sent no drift data', async () => {
    athena.returns([zwickau('arc_voltage', 0.61, 0.33)]);
    const { handler, logger } = check();
    const warn = jest.spyOn(logger, 'warn');

    const result = await handler({ scheduledTime: SCHEDULED });

    const silent = { Environment: 'dev', Site: 'mlada-boleslav', Model: MODEL };
    expect(written().filter((datum) => datum.dimensions.Site === 'mlada-boleslav')).toEqual([
      { name: 'Evaluations', dimensions: silent, value: 0 },
      { name: 'AssetsReporting', dimensions: silent, value: 0 },
    ]);
    expect(result.silent).toEqual([{ site: 'mlada-boleslav', model: MODEL }]);
    expect(warn).toHaveBeenCalledWith(
      'No drift data from a monitored site and model',
      expect.objectContaining({ site: 'mlada-boleslav', model: MODEL }),
    );
  });

  it('also writes the drift of a model nobody monitors, so nothing reported is hidden', async () => {
    athena.returns([
      driftRow('zwickau', 'spot-weld-anomaly', 'current', {
        evaluations: 2,
        drifted: 1,
        assets: 1,
        maxPsi: 0.3,
        meanPsi: 0.2,
      }),
    ]);

    const result = await check().handler({ scheduledTime: SCHEDULED });

    expect(result.summaries.map(({ site, model }) => ({ site, model }))).toEqual([
      { site: 'zwickau', model: 'spot-weld-anomaly' },
    ]);
    expect(result.silent).toHaveLength(2);
    expect(written()).toContainEqual({
      name: 'DriftedShare',
      dimensions: { Environment: 'dev', Site: 'zwickau', Model: 'spot-weld-anomaly' },
      value: 0.5,
    });
  });

  it('dates every point at the scheduled time, so a retried check rewrites the same points', async () => {
    athena.returns([zwickau('arc_voltage', 0.61, 0.33)]);

    await check().handler({ scheduledTime: SCHEDULED });

    const timestamps = cloudwatch
      .commandCalls(PutMetricDataCommand)
      .flatMap((call) => call.args[0].input.MetricData!.map((datum) => datum.Timestamp));
    expect(new Set(timestamps.map((time) => time!.toISOString()))).toEqual(new Set([SCHEDULED]));
  });

  it('writes at most 1000 points per call', async () => {
    const sites = Array.from({ length: 300 }, (_, index) => `site-${index}`);
    athena.returns(
      sites.map((site) =>
        driftRow(site, MODEL, 'score', {
          evaluations: 1,
          drifted: 0,
          assets: 1,
          maxPsi: 0.1,
          meanPsi: 0.1,
        }),
      ),
    );

    await check({ sites }).handler({ scheduledTime: SCHEDULED });

    const sizes = cloudwatch
      .commandCalls(PutMetricDataCommand)
      .map((call) => call.args[0].input.MetricData!.length);
    expect(sizes).toEqual([1000, 800]);
  });
});
