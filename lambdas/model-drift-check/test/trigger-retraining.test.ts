import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { ListPipelineExecutionsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { MalformedAlarmEvent } from '../src/alarm-event';
import type { TriggerConfig } from '../src/config';
import { createTriggerRetrainingHandler, executionDisplayName } from '../src/trigger-retraining';
import { TRIGGER_CONFIG } from './configs';
import { FakePipeline, PIPELINE, sagemaker } from './fake-pipeline';

const cloudwatch = mockClient(CloudWatchClient);

const ALARM_ARN =
  'arn:aws:cloudwatch:eu-central-1:111122223333:alarm:uns-mlops-dev-model-drift-zwickau';

/** The EventBridge event of a drift alarm's state change, as CloudWatch sends it. */
function alarmEvent(
  options: { site?: string; state?: string; at?: string; model?: string } = {},
): Record<string, unknown> {
  const { site = 'zwickau', state = 'ALARM', at = '2025-12-04T10:00:00.000+0000' } = options;
  return {
    version: '0',
    id: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: '111122223333',
    time: '2025-12-04T10:00:00Z',
    region: 'eu-central-1',
    resources: [ALARM_ARN.replace('zwickau', site)],
    detail: {
      alarmName: `uns-mlops-dev-model-drift-${site}`,
      state: {
        value: state,
        reason:
          'Threshold Crossed: 2 out of the last 3 datapoints were greater than or equal to the threshold (0.5).',
        timestamp: at,
      },
      previousState: { value: 'OK', reason: '', timestamp: '2025-12-04T08:00:00.000+0000' },
      configuration: {
        metrics: [
          {
            id: 'm1',
            metricStat: {
              metric: {
                namespace: 'UnsMlops/ModelDrift',
                name: 'DriftedShare',
                dimensions: {
                  Environment: 'dev',
                  Site: site,
                  Model: options.model ?? 'weld-seam-anomaly',
                },
              },
              period: 3600,
              stat: 'Maximum',
            },
            returnData: true,
          },
        ],
      },
    },
  };
}

let clock: Date;
let pipeline: FakePipeline;

function trigger(config: Partial<TriggerConfig> = {}) {
  const logger = new Logger({ serviceName: 'retraining-test', logLevel: 'SILENT' });
  const handler = createTriggerRetrainingHandler({
    sagemaker: new SageMakerClient({ region: 'eu-central-1' }),
    cloudwatch: new CloudWatchClient({ region: 'eu-central-1' }),
    logger,
    config: { ...TRIGGER_CONFIG, ...config },
    now: () => clock,
  });
  return { handler, info: jest.spyOn(logger, 'info') };
}

/** The retraining metrics written, as `name {dimensions} value`. */
function metrics(): string[] {
  return cloudwatch.commandCalls(PutMetricDataCommand).flatMap((call) => {
    expect(call.args[0].input.Namespace).toBe('UnsMlops/ModelDrift');
    return call.args[0].input.MetricData!.map(
      (datum) =>
        `${datum.MetricName} ${datum.Dimensions!.map((d) => `${d.Name}=${d.Value}`).join(',')} ${datum.Value}`,
    );
  });
}

beforeEach(() => {
  clock = new Date('2025-12-04T10:00:05.000Z');
  pipeline = new FakePipeline(() => clock);
  cloudwatch.reset();
  cloudwatch.on(PutMetricDataCommand).resolves({});
});

describe('a drift alarm going to ALARM', () => {
  it('starts the pipeline, named after the alarm’s site and time, described by the alarm', async () => {
    const decision = await trigger().handler(alarmEvent());

    expect(decision).toEqual({
      action: 'started',
      alarmName: 'uns-mlops-dev-model-drift-zwickau',
      pipelineExecutionArn: pipeline.executions[0]!.PipelineExecutionArn,
      displayName: 'drift-zwickau-20251204T1000',
    });
    expect(pipeline.startRequests).toEqual([
      {
        PipelineName: PIPELINE,
        PipelineExecutionDisplayName: 'drift-zwickau-20251204T1000',
        PipelineExecutionDescription:
          'Retraining started by drift alarm uns-mlops-dev-model-drift-zwickau (site zwickau, model weld-seam-anomaly), in ALARM since 2025-12-04T10:00:00.000+0000: Threshold Crossed: 2 out of the last 3 datapoints were greater than or equal to the threshold (0.5).',
        ClientRequestToken: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);
    expect(metrics()).toEqual(['RetrainingStarted Environment=dev,Model=weld-seam-anomaly 1']);
  });

  it('passes the configured pipeline parameters', async () => {
    await trigger({ pipelineParameters: { Epochs: '30', Window: '128' } }).handler(alarmEvent());

    expect(pipeline.startRequests[0]!.PipelineParameters).toEqual([
      { Name: 'Epochs', Value: '30' },
      { Name: 'Window', Value: '128' },
    ]);
  });

  it('asks only for executions started within the cooldown, newest first', async () => {
    await trigger({ cooldownHours: 12 }).handler(alarmEvent());

    expect(sagemaker.commandCalls(ListPipelineExecutionsCommand)[0]!.args[0].input).toEqual({
      PipelineName: PIPELINE,
      CreatedAfter: new Date('2025-12-03T22:00:05.000Z'),
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 1,
    });
  });
});

describe('the cooldown: at most one retraining per model and cooldown', () => {
  it('skips a second alarm within the cooldown, logs why and counts RetrainingSkipped', async () => {
    const { handler, info } = trigger();
    await handler(alarmEvent({ site: 'zwickau' }));
    clock = new Date('2025-12-04T15:00:00.000Z');

    const decision = await handler(
      alarmEvent({ site: 'mlada-boleslav', at: '2025-12-04T14:59:58.000+0000' }),
    );

    const first = pipeline.executions[0]!.PipelineExecutionArn!;
    const reason = `execution ${first} (Executing) started at 2025-12-04T10:00:05.000Z, within the 24 h cooldown that ends at 2025-12-05T10:00:05.000Z`;
    expect(decision).toEqual({
      action: 'skipped',
      alarmName: 'uns-mlops-dev-model-drift-mlada-boleslav',
      reason,
      recentExecutionArn: first,
    });
    expect(pipeline.executions).toHaveLength(1);
    expect(info).toHaveBeenCalledWith(
      'Retraining skipped',
      expect.objectContaining({ site: 'mlada-boleslav', reason }),
    );
    expect(metrics()).toEqual([
      'RetrainingStarted Environment=dev,Model=weld-seam-anomaly 1',
      'RetrainingSkipped Environment=dev,Model=weld-seam-anomaly 1',
    ]);
  });

  it('counts a failed execution within the cooldown too: a failing pipeline is not restarted in a loop', async () => {
    pipeline.add(new Date('2025-12-04T06:00:00.000Z'), 'Failed');

    const decision = await trigger().handler(alarmEvent());

    expect(decision).toMatchObject({ action: 'skipped' });
    expect(decision.action === 'skipped' && decision.reason).toContain('(Failed)');
    expect(pipeline.startRequests).toHaveLength(0);
  });

  it('counts the scheduled execution of the week too', async () => {
    pipeline.add(new Date('2025-12-04T02:00:00.000Z'), 'Succeeded', 'scheduled');

    expect(await trigger().handler(alarmEvent())).toMatchObject({ action: 'skipped' });
  });

  it('starts again once the cooldown has passed', async () => {
    pipeline.add(new Date('2025-12-03T10:00:00.000Z'), 'Succeeded');

    expect(await trigger().handler(alarmEvent())).toMatchObject({ action: 'started' });
    expect(pipeline.executions).toHaveLength(2);
  });

  it('starts once for a redelivered event: the same state change gives the same client token', async () => {
    const { handler } = trigger({ cooldownHours: 0.0001 });
    await handler(alarmEvent());
    clock = new Date('2025-12-04T10:10:00.000Z');

    await handler(alarmEvent());

    expect(pipeline.startRequests).toHaveLength(2);
    expect(pipeline.startRequests[1]!.ClientRequestToken).toBe(
      pipeline.startRequests[0]!.ClientRequestToken,
    );
    expect(pipeline.executions).toHaveLength(1);
  });
});

describe('events the trigger does not retrain on', () => {
  it('ignores a drift alarm going back to OK', async () => {
    const decision = await trigger().handler(alarmEvent({ state: 'OK' }));

    expect(decision).toEqual({
      action: 'ignored',
      alarmName: 'uns-mlops-dev-model-drift-zwickau',
      reason: 'the alarm went to OK, not ALARM',
    });
    expect(pipeline.startRequests).toHaveLength(0);
    expect(metrics()).toEqual([]);
  });

  it('refuses an alarm about another model than the pipeline’s', async () => {
    await expect(trigger().handler(alarmEvent({ model: 'spot-weld-anomaly' }))).rejects.toThrow(
      `alarm uns-mlops-dev-model-drift-zwickau is about model "spot-weld-anomaly", but pipeline ${PIPELINE} trains "weld-seam-anomaly"`,
    );
    expect(pipeline.startRequests).toHaveLength(0);
  });

  it('rejects a malformed event, naming every problem', async () => {
    const event = alarmEvent();
    const detail = event.detail as Record<string, any>;
    delete detail.alarmName;
    delete detail.state.timestamp;
    detail.configuration.metrics = [];
    event.resources = [];

    const rejection = trigger().handler(event);

    await expect(rejection).rejects.toBeInstanceOf(MalformedAlarmEvent);
    await expect(rejection).rejects.toThrow(
      'not a CloudWatch Alarm State Change of a drift alarm: resources names no alarm ARN; detail.alarmName is missing; detail.state.timestamp is missing; detail.configuration.metrics must hold one metric, not 0 (a metric alarm, not a composite or math alarm)',
    );
    expect(pipeline.startRequests).toHaveLength(0);
  });

  it('rejects another kind of event', async () => {
    await expect(
      trigger().handler({ source: 'aws.scheduler', 'detail-type': 'Scheduled Event' }),
    ).rejects.toThrow(
      'source is "aws.scheduler", not "aws.cloudwatch"; detail-type is "Scheduled Event", not "CloudWatch Alarm State Change"',
    );
    await expect(trigger().handler('ALARM')).rejects.toThrow('the event is not a JSON object');
  });
});

describe('the execution’s display name', () => {
  it('keeps to the characters and length SageMaker allows', () => {
    const name = executionDisplayName({
      alarmArn: ALARM_ARN,
      alarmName: 'a',
      state: 'ALARM',
      reason: '',
      timestamp: '2025-12-04T10:00:00.000+0000',
      dimensions: { Site: 'very_long.site '.repeat(10) },
    });

    expect(name).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,81}$/);
  });
});
