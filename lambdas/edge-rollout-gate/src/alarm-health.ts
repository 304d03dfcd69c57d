import {
  type CloudWatchClient,
  DescribeAlarmsCommand,
  type StateValue,
} from '@aws-sdk/client-cloudwatch';
import type { Finding } from './decide';
import { collectPages } from './pages';

/** DescribeAlarms takes at most 100 alarm names per call and returns at most 100 per page. */
const ALARMS_PER_CALL = 100;

/** An alarm's name and state, whether it is a metric or a composite alarm. */
interface AlarmState {
  readonly AlarmName?: string | undefined;
  readonly StateValue?: StateValue | undefined;
  readonly StateReason?: string | undefined;
}

/**
 * Checks the KPI alarms of a target: ALARM is failing, INSUFFICIENT_DATA and an alarm that does
 * not exist are missing evidence, OK is healthy. Metric and composite alarms are both read.
 */
export async function checkAlarms(
  cloudwatch: CloudWatchClient,
  alarmNames: readonly string[],
): Promise<Finding[]> {
  const names = [...new Set(alarmNames)];
  const states = new Map<string, AlarmState>();
  for (let start = 0; start < names.length; start += ALARMS_PER_CALL) {
    for (const alarm of await describeAlarms(
      cloudwatch,
      names.slice(start, start + ALARMS_PER_CALL),
    )) {
      if (alarm.AlarmName !== undefined) states.set(alarm.AlarmName, alarm);
    }
  }
  return names.map((name) => judge(name, states.get(name)));
}

function describeAlarms(cloudwatch: CloudWatchClient, alarmNames: string[]): Promise<AlarmState[]> {
  return collectPages(async (nextToken) => {
    const page = await cloudwatch.send(
      new DescribeAlarmsCommand({
        AlarmNames: alarmNames,
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        MaxRecords: ALARMS_PER_CALL,
        NextToken: nextToken,
      }),
    );
    return {
      items: [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])],
      nextToken: page.NextToken,
    };
  });
}

function judge(name: string, alarm: AlarmState | undefined): Finding {
  if (alarm === undefined) return { kind: 'missing', reason: `alarm ${name} does not exist` };
  const because = alarm.StateReason ? `: ${alarm.StateReason}` : '';
  switch (alarm.StateValue) {
    case 'OK':
      return { kind: 'ok', reason: `alarm ${name} is OK` };
    case 'ALARM':
      return { kind: 'failing', reason: `alarm ${name} is in ALARM${because}` };
    case 'INSUFFICIENT_DATA':
      return { kind: 'missing', reason: `alarm ${name} has INSUFFICIENT_DATA${because}` };
    default:
      return { kind: 'missing', reason: `alarm ${name} has no known state` };
  }
}
