import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  GreengrassV2Client,
  GreengrassV2ServiceException,
  ListCoreDevicesCommand,
  ListDeploymentsCommand,
  ListEffectiveDeploymentsCommand,
  ListInstalledComponentsCommand,
} from '@aws-sdk/client-greengrassv2';
import { Logger } from '@aws-lambda-powertools/logger';
import type { GateInput } from '../src/contract';
import { createEvaluateHandler } from '../src/evaluate';
import {
  AT_TIMEOUT,
  BEFORE_TIMEOUT,
  CANARY,
  cloudwatch,
  FakeFleet,
  gateInput,
  greengrass,
  STARTED_AT,
  target,
  ZWICKAU,
} from './fake-fleet';

function evaluateAt(now: Date, input: GateInput, startedAt = STARTED_AT) {
  const evaluate = createEvaluateHandler({
    greengrass: new GreengrassV2Client({ region: 'eu-central-1' }),
    cloudwatch: new CloudWatchClient({ region: 'eu-central-1' }),
    logger: new Logger({ serviceName: 'edge-rollout-gate-test', logLevel: 'SILENT' }),
    now: () => now,
  });
  return evaluate({ input, startedAt });
}

let fleet: FakeFleet;
beforeEach(() => {
  fleet = new FakeFleet();
});

describe('evaluate: healthy wave', () => {
  it('promotes when every core device SUCCEEDED or COMPLETED and every KPI alarm is OK', async () => {
    fleet.healthy(ZWICKAU, 'd-zw-2').addCoreDevice(ZWICKAU, 'gg-zwickau-2');
    fleet.reportExecution('gg-zwickau-2', 'd-zw-2', 'COMPLETED');

    const verdict = await evaluateAt(BEFORE_TIMEOUT, gateInput(ZWICKAU));

    expect(verdict).toEqual({
      decision: 'PROMOTE',
      targets: [
        {
          name: 'zwickau',
          decision: 'PROMOTE',
          deploymentId: 'd-zw-2',
          reasons: [
            'core device gg-zwickau-1: deployment d-zw-2 SUCCEEDED',
            'core device gg-zwickau-2: deployment d-zw-2 COMPLETED',
            'alarm uns-mlops-dev-zwickau-valid-share is OK',
            'alarm uns-mlops-dev-zwickau-inference-latency is OK',
          ],
        },
      ],
      summary: 'wave wave-1: PROMOTE: every target healthy (zwickau)',
    });
  });

  it('asks Greengrass for the latest deployment, the group’s core devices and each device’s executions, and CloudWatch for the alarms', async () => {
    fleet.healthy(ZWICKAU, 'd-zw-2');

    await evaluateAt(BEFORE_TIMEOUT, gateInput(ZWICKAU));

    expect(
      greengrass.commandCalls(ListDeploymentsCommand).map((call) => call.args[0].input),
    ).toEqual([{ targetArn: ZWICKAU.thingGroupArn, historyFilter: 'LATEST_ONLY' }]);
    expect(
      greengrass.commandCalls(ListCoreDevicesCommand).map((call) => call.args[0].input),
    ).toEqual([{ thingGroupArn: ZWICKAU.thingGroupArn }]);
    expect(
      greengrass.commandCalls(ListEffectiveDeploymentsCommand).map((call) => call.args[0].input),
    ).toEqual([{ coreDeviceThingName: 'gg-zwickau-1' }]);
    expect(greengrass.commandCalls(ListInstalledComponentsCommand)).toHaveLength(0);
    expect(
      cloudwatch.commandCalls(DescribeAlarmsCommand).map((call) => call.args[0].input),
    ).toEqual([
      {
        AlarmNames: ZWICKAU.kpiAlarmNames,
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        MaxRecords: 100,
      },
    ]);
  });

  it('judges a device by its newest execution of the deployment', async () => {
    fleet.healthy(ZWICKAU, 'd-zw-2');
    fleet.reportExecution('gg-zwickau-1', 'd-zw-2', 'FAILED', {
      modifiedTimestamp: new Date('2025-12-04T09:00:00Z'),
    });

    expect((await evaluateAt(BEFORE_TIMEOUT, gateInput(ZWICKAU))).decision).toBe('PROMOTE');
  });
});

describe('evaluate: failures roll back at once', () => {
  it('rolls back when a core device FAILED the deployment, naming the device, status, reason and error types', async () => {
    fleet.healthy(ZWICKAU, 'd-zw-2').addCoreDevice(ZWICKAU, 'gg-zwickau-2');
    fleet.reportExecution('gg-zwickau-2', 'd-zw-2', 'FAILED', {
      reason: 'FAILED_ROLLBACK_COMPLETE: com.acme.AnomalyInference failed to start',
      statusDetails: { errorTypes: ['COMPONENT_BROKEN', 'COMPONENT_ERROR'] },
    });

    const verdict = await evaluateAt(BEFORE_TIMEOUT, gateInput(ZWICKAU));

    expect(verdict.decision).toBe('ROLLBACK');
    expect(verdict.targets[0]).toEqual({
      name: 'zwickau',
      decision: 'ROLLBACK',
      deploymentId: 'd-zw-2',
      reasons: [
        'core device gg-zwickau-2: deployment d-zw-2 FAILED: FAILED_ROLLBACK_COMPLETE: com.acme.AnomalyInference failed to start; error types: COMPONENT_BROKEN, COMPONENT_ERROR',
      ],
    });
    expect(verdict.summary).toBe(
      'wave wave-1: ROLLBACK: zwickau: core device gg-zwickau-2: deployment d-zw-2 FAILED: FAILED_ROLLBACK_COMPLETE: com.acme.AnomalyInference failed to start; error types: COMPONENT_BROKEN, COMPONENT_ERROR',
    );
  });

  it.each(['REJECTED', 'TIMED_OUT', 'CANCELED'] as const)(
    'rolls back when a core device reports %s',
    async (status) => {
      fleet.deploy(ZWICKAU, 'd-zw-2').addCoreDevice(ZWICKAU, 'gg-zwickau-1');
      fleet.reportExecution('gg-zwickau-1', 'd-zw-2', status);
      for (const name of ZWICKAU.kpiAlarmNames) fleet.alarm(name, 'OK');

      const verdict = await evaluateAt(BEFORE_TIMEOUT, gateInput(ZWICKAU));

      expect(verdict.decision).toBe('ROLLBACK');
      expect(verdict.targets[0]?.reasons).toEqual([
        `core device gg-zwickau-1: deployment d-zw-2 ${status}`,
      ]);
    },
  );

  it('rolls back when a core device is UNHEALTHY, naming its BROKEN and ERRORED components', async () => {
    fleet.healthy(ZWICKAU, 'd-zw-2').addCoreDevice(ZWICKAU, 'gg-zwickau-2', 'UNHEALTHY');
    fleet.reportExecution('gg-zwickau-2', 'd-zw-2', 'SUCCEEDED');
    fleet.install('gg-zwickau-2', [
      {
        componentName: 'aws.greengrass.Nucleus',
        componentVersion: '2.14.3',
        lifecycleState: 'FINISHED',
      },
      {
        componentName: 'com.acme.UnsValidator',
        componentVersion: '1.4.0',
        lifecycleState: 'RUNNING',
      },
      {
        componentName: 'com.acme.AnomalyInference',
        componentVersion: '2.1.0',
        lifecycleState: 'BROKEN',
        lifecycleStateDetails: 'exited with code 1',
      },
      {
        componentName: 'com.acme.AnomalyModel',
        componentVersion: '7.0.0',
        lifecycleState: 'ERRORED',
      },
    ]);

    const verdict = await evaluateAt(BEFORE_TIMEOUT, gateInput(ZWICKAU));

    expect(verdict.decision).toBe('ROLLBACK');
    expect(verdict.targets[0]?.reasons).toEqual([
      'core device gg-zwickau-2 is UNHEALTHY, broken components: com.acme.AnomalyInference 2.1.0 (BROKEN: exited with code 1), com.acme.AnomalyModel 7.0.0 (ERRORED)',
    ]);
    expect(
      greengrass.commandCalls(ListInstalledComponentsCommand).map((call) => call.args[0].input),
    ).toEqual([{ coreDeviceThingName: 'gg-zwickau-2', topologyFilter: 'ALL' }]);
  });

  it('rolls back when a KPI alarm is in ALARM, naming the alarm and its state reason', async () => {
    fleet.healthy(ZWICKAU, 'd-zw-2');
    fleet.alarm(
      'uns-mlops-dev-zwickau-valid-share',
      'ALARM',
      'Threshold Crossed: 1 datapoint [91.2] was less than the threshold (98.0).',
    );

    const verdict = await evaluateAt(BEFORE_TIMEOUT, gateInput(ZWICKAU));

    expect(verdict.decision).toBe('ROLLBACK');
    expect(verdict.targets[0]?.reasons).toEqual([
      'alarm uns-mlops-dev-zwickau-valid-share is in ALARM: Threshold Crossed: 1 datapoint [91.2] was less than the threshold (98.0).',
    ]);
  });

  it('rolls back on a failure even while other devices are still pending, before the timeout', async () => {
    fleet.healthy(ZWICKAU, 'd-zw-2').addCoreDevice(ZWICKAU, 'gg-zwickau-2');
    fleet.reportExecution('gg-zwickau-2', 'd-zw-2', 'IN_PROGRESS');
    fleet.alarm('uns-mlops-dev-zwickau-inference-latency', 'ALARM', 'p99 above 50 ms');

    const verdict = await evaluateAt(BEFORE_TIMEOUT, gateInput(ZWICKAU));

    expect(verdict.targets[0]).toMatchObject({
      decision: 'ROLLBACK',
      reasons: ['alarm uns-mlops-dev-zwickau-inference-latency is in ALARM: p99 above 50 ms'],
    });
  });
});

/** Each way a target can be unsettled, and the reason the gate gives for it. */
const UNSETTLED: {
  situation: string;
  arrange: (fleet: FakeFleet) => void;
  kind: 'pending' | 'missing';
  reason: string;
}[] = [
  {
    situation: 'a KPI alarm has INSUFFICIENT_DATA',
    arrange: (fleet) =>
      fleet.alarm('uns-mlops-dev-zwickau-valid-share', 'INSUFFICIENT_DATA', 'no datapoints'),
    kind: 'missing',
    reason: 'alarm uns-mlops-dev-zwickau-valid-share has INSUFFICIENT_DATA: no datapoints',
  },
  {
    situation: 'a KPI alarm does not exist',
    arrange: (fleet) => fleet.removeAlarm('uns-mlops-dev-zwickau-valid-share'),
    kind: 'missing',
    reason: 'alarm uns-mlops-dev-zwickau-valid-share does not exist',
  },
  {
    situation: 'a core device is still IN_PROGRESS',
    arrange: (fleet) =>
      fleet
        .addCoreDevice(ZWICKAU, 'gg-zwickau-2')
        .reportExecution('gg-zwickau-2', 'd-zw-2', 'IN_PROGRESS'),
    kind: 'pending',
    reason: 'core device gg-zwickau-2: deployment d-zw-2 is IN_PROGRESS',
  },
  {
    situation: 'a core device has the deployment QUEUED',
    arrange: (fleet) =>
      fleet
        .addCoreDevice(ZWICKAU, 'gg-zwickau-2')
        .reportExecution('gg-zwickau-2', 'd-zw-2', 'QUEUED'),
    kind: 'pending',
    reason: 'core device gg-zwickau-2: deployment d-zw-2 is QUEUED',
  },
  {
    situation: 'a core device has not received the deployment yet',
    arrange: (fleet) =>
      fleet
        .addCoreDevice(ZWICKAU, 'gg-zwickau-2')
        .reportExecution('gg-zwickau-2', 'd-zw-1', 'SUCCEEDED'),
    kind: 'pending',
    reason: 'core device gg-zwickau-2 has not received deployment d-zw-2 yet',
  },
];

describe('evaluate: what is pending or missing waits, until the timeout', () => {
  it.each(UNSETTLED)('waits before the timeout when $situation', async ({ arrange, reason }) => {
    arrange(fleet.healthy(ZWICKAU, 'd-zw-2'));

    const verdict = await evaluateAt(BEFORE_TIMEOUT, gateInput(ZWICKAU));

    expect(verdict.decision).toBe('WAIT');
    expect(verdict.targets[0]).toEqual({
      name: 'zwickau',
      decision: 'WAIT',
      deploymentId: 'd-zw-2',
      reasons: [reason],
    });
    expect(verdict.summary).toBe(`wave wave-1: WAIT: zwickau: ${reason}`);
  });

  it.each(UNSETTLED)(
    'rolls back at the timeout when $situation, saying what was still $kind',
    async ({ arrange, kind, reason }) => {
      arrange(fleet.healthy(ZWICKAU, 'd-zw-2'));

      const verdict = await evaluateAt(AT_TIMEOUT, gateInput(ZWICKAU));

      expect(verdict.decision).toBe('ROLLBACK');
      expect(verdict.targets[0]?.reasons).toEqual([
        `still ${kind} at the timeout (3600 s after the start): ${reason}`,
      ]);
    },
  );

  it('waits while a thing group has no core device, and rolls back at the timeout', async () => {
    fleet.deploy(ZWICKAU, 'd-zw-2');
    ZWICKAU.kpiAlarmNames.forEach((name) => fleet.alarm(name, 'OK'));

    const early = await evaluateAt(BEFORE_TIMEOUT, gateInput(ZWICKAU));
    const late = await evaluateAt(AT_TIMEOUT, gateInput(ZWICKAU));

    expect(early.targets[0]).toMatchObject({
      decision: 'WAIT',
      reasons: ['no core device in uns-mlops-dev-zwickau'],
    });
    expect(late.targets[0]).toMatchObject({
      decision: 'ROLLBACK',
      reasons: [
        'still missing at the timeout (3600 s after the start): no core device in uns-mlops-dev-zwickau',
      ],
    });
  });

  it('waits while the thing group has no deployment, without looking for executions', async () => {
    fleet.addCoreDevice(ZWICKAU, 'gg-zwickau-1');
    ZWICKAU.kpiAlarmNames.forEach((name) => fleet.alarm(name, 'OK'));

    const verdict = await evaluateAt(BEFORE_TIMEOUT, gateInput(ZWICKAU));

    expect(verdict.targets[0]).toEqual({
      name: 'zwickau',
      decision: 'WAIT',
      reasons: ['no deployment for zwickau'],
    });
    expect(greengrass.commandCalls(ListEffectiveDeploymentsCommand)).toHaveLength(0);
  });

  it('still waits one second before the deadline', async () => {
    fleet.healthy(ZWICKAU, 'd-zw-2');
    fleet.alarm('uns-mlops-dev-zwickau-valid-share', 'INSUFFICIENT_DATA');

    const verdict = await evaluateAt(new Date(AT_TIMEOUT.getTime() - 1000), gateInput(ZWICKAU));

    expect(verdict.decision).toBe('WAIT');
  });
});

describe('evaluate: a wave of several targets', () => {
  it('rolls back the whole wave when one target fails, naming only the failing target in the summary', async () => {
    fleet.healthy(CANARY, 'd-ca-2').healthy(ZWICKAU, 'd-zw-2');
    fleet.reportExecution('gg-zwickau-1', 'd-zw-2', 'FAILED', {
      modifiedTimestamp: new Date('2025-12-04T10:10:00Z'),
      reason: 'component com.acme.UnsKafkaBridge BROKEN',
    });

    const verdict = await evaluateAt(BEFORE_TIMEOUT, gateInput(CANARY, ZWICKAU));

    expect(verdict.decision).toBe('ROLLBACK');
    expect(verdict.targets.map(({ name, decision }) => ({ name, decision }))).toEqual([
      { name: 'canary', decision: 'PROMOTE' },
      { name: 'zwickau', decision: 'ROLLBACK' },
    ]);
    expect(verdict.summary).toBe(
      'wave wave-1: ROLLBACK: zwickau: core device gg-zwickau-1: deployment d-zw-2 FAILED: component com.acme.UnsKafkaBridge BROKEN',
    );
  });

  it('waits when one target is healthy and another still pending', async () => {
    fleet.healthy(CANARY, 'd-ca-2').healthy(ZWICKAU, 'd-zw-2');
    fleet.alarm('uns-mlops-dev-canary-inference-latency', 'INSUFFICIENT_DATA', 'no datapoints yet');

    const verdict = await evaluateAt(BEFORE_TIMEOUT, gateInput(CANARY, ZWICKAU));

    expect(verdict.decision).toBe('WAIT');
    expect(verdict.summary).toBe(
      'wave wave-1: WAIT: canary: alarm uns-mlops-dev-canary-inference-latency has INSUFFICIENT_DATA: no datapoints yet',
    );
  });
});

describe('evaluate: pagination', () => {
  it('follows nextToken through core devices, their executions and installed components', async () => {
    fleet.pageSize = 1;
    fleet.healthy(ZWICKAU, 'd-zw-2');
    fleet
      .addCoreDevice(ZWICKAU, 'gg-zwickau-2')
      .addCoreDevice(ZWICKAU, 'gg-zwickau-3', 'UNHEALTHY');
    fleet
      .reportExecution('gg-zwickau-2', 'd-zw-1', 'SUCCEEDED')
      .reportExecution('gg-zwickau-2', 'd-zw-0', 'SUCCEEDED')
      .reportExecution('gg-zwickau-2', 'd-zw-2', 'COMPLETED');
    fleet.reportExecution('gg-zwickau-3', 'd-zw-2', 'SUCCEEDED').install('gg-zwickau-3', [
      {
        componentName: 'com.acme.UnsValidator',
        componentVersion: '1.4.0',
        lifecycleState: 'RUNNING',
      },
      {
        componentName: 'com.acme.UnsKafkaBridge',
        componentVersion: '3.0.0',
        lifecycleState: 'BROKEN',
      },
    ]);

    const verdict = await evaluateAt(BEFORE_TIMEOUT, gateInput(ZWICKAU));

    expect(verdict.targets[0]?.reasons).toEqual([
      'core device gg-zwickau-3 is UNHEALTHY, broken components: com.acme.UnsKafkaBridge 3.0.0 (BROKEN)',
    ]);
    expect(
      greengrass.commandCalls(ListCoreDevicesCommand).map((call) => call.args[0].input.nextToken),
    ).toEqual([undefined, '1', '2']);
    expect(
      greengrass
        .commandCalls(ListEffectiveDeploymentsCommand, { coreDeviceThingName: 'gg-zwickau-2' })
        .map((call) => call.args[0].input.nextToken),
    ).toEqual([undefined, '1', '2']);
    expect(
      greengrass
        .commandCalls(ListInstalledComponentsCommand)
        .map((call) => call.args[0].input.nextToken),
    ).toEqual([undefined, '1']);
  });

  it('asks for more than 100 KPI alarms in batches of 100, following NextToken', async () => {
    const names = Array.from({ length: 150 }, (_, index) => `uns-mlops-dev-zwickau-kpi-${index}`);
    const manyAlarms = { ...ZWICKAU, kpiAlarmNames: names };
    fleet.healthy(manyAlarms, 'd-zw-2');
    fleet.pageSize = 60;
    fleet.alarm('uns-mlops-dev-zwickau-kpi-149', 'ALARM', 'cell-040 scores above threshold');

    const verdict = await evaluateAt(BEFORE_TIMEOUT, gateInput(manyAlarms));

    expect(verdict.targets[0]?.reasons).toEqual([
      'alarm uns-mlops-dev-zwickau-kpi-149 is in ALARM: cell-040 scores above threshold',
    ]);
    const calls = cloudwatch.commandCalls(DescribeAlarmsCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => [input.AlarmNames?.length, input.NextToken])).toEqual([
      [100, undefined],
      [100, '60'],
      [50, undefined],
    ]);
    expect(calls[2]?.AlarmNames).toEqual(names.slice(100));
  });
});

describe('evaluate: errors', () => {
  it('lets AWS errors (throttling) fail the task, for Step Functions to retry', async () => {
    fleet.healthy(ZWICKAU, 'd-zw-2');
    greengrass.on(ListCoreDevicesCommand).rejects(
      new GreengrassV2ServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        $metadata: { httpStatusCode: 429 },
        message: 'Rate exceeded',
      }),
    );

    await expect(evaluateAt(BEFORE_TIMEOUT, gateInput(ZWICKAU))).rejects.toThrow('Rate exceeded');
  });

  it('rejects a startedAt that is not a date', async () => {
    await expect(
      evaluateAt(BEFORE_TIMEOUT, gateInput(target('leipzig')), 'yesterday'),
    ).rejects.toThrow('evaluate: startedAt "yesterday" is not an ISO date-time');
  });
});
