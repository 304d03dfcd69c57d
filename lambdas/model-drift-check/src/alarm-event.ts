/** What the retraining trigger needs of an EventBridge `CloudWatch Alarm State Change` event. */
export interface AlarmStateChange {
  readonly alarmArn: string;
  readonly alarmName: string;
  /** The new state: `ALARM`, `OK` or `INSUFFICIENT_DATA`. */
  readonly state: string;
  readonly reason: string;
  /** When the alarm changed state (as CloudWatch writes it, e.g. `2025-12-04T10:00:00.000+0000`). */
  readonly timestamp: string;
  /** The dimensions of the alarm's metric: `Environment`, `Site` and `Model` for a drift alarm. */
  readonly dimensions: Readonly<Record<string, string>>;
}

/** An event that is not a usable alarm state change; `problems` says what is wrong. */
export class MalformedAlarmEvent extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`not a CloudWatch Alarm State Change of a drift alarm: ${problems.join('; ')}`);
    this.name = 'MalformedAlarmEvent';
  }
}

const DETAIL_TYPE = 'CloudWatch Alarm State Change';

/**
 * Reads the alarm, its new state and its metric's dimensions from an EventBridge event (`source`
 * `aws.cloudwatch`, the alarm's ARN in `resources`, a metric alarm on one metric in `detail`).
 *
 * @throws MalformedAlarmEvent naming every missing or unexpected part.
 */
export function parseAlarmStateChange(event: unknown): AlarmStateChange {
  const problems: string[] = [];
  const root = asObject(event);
  if (root === undefined) throw new MalformedAlarmEvent(['the event is not a JSON object']);
  if (root.source !== 'aws.cloudwatch') {
    problems.push(`source is ${JSON.stringify(root.source)}, not "aws.cloudwatch"`);
  }
  if (root['detail-type'] !== DETAIL_TYPE) {
    problems.push(`detail-type is ${JSON.stringify(root['detail-type'])}, not "${DETAIL_TYPE}"`);
  }
  const resources = Array.isArray(root.resources) ? (root.resources as unknown[]) : [];
  const alarmArn = resources.find(
    (resource): resource is string => typeof resource === 'string' && resource.includes(':alarm:'),
  );
  if (alarmArn === undefined) problems.push('resources names no alarm ARN');
  const detail = asObject(root.detail);
  const state = asObject(detail?.state);
  const text = (value: unknown, path: string): string => {
    if (typeof value === 'string' && value !== '') return value;
    problems.push(`${path} is missing`);
    return '';
  };
  const alarmName = text(detail?.alarmName, 'detail.alarmName');
  const stateValue = text(state?.value, 'detail.state.value');
  const timestamp = text(state?.timestamp, 'detail.state.timestamp');
  const reason = typeof state?.reason === 'string' ? state.reason : '';
  const metrics = asObject(detail?.configuration)?.metrics;
  const metricStats = (Array.isArray(metrics) ? (metrics as unknown[]) : []).flatMap((query) => {
    const metric = asObject(asObject(asObject(query)?.metricStat)?.metric);
    return metric === undefined ? [] : [metric];
  });
  if (metricStats.length !== 1) {
    problems.push(
      `detail.configuration.metrics must hold one metric, not ${metricStats.length} (a metric alarm, not a composite or math alarm)`,
    );
  }
  const dimensions = asObject(metricStats[0]?.dimensions) ?? {};
  if (problems.length > 0 || alarmArn === undefined) throw new MalformedAlarmEvent(problems);
  return {
    alarmArn,
    alarmName,
    state: stateValue,
    reason,
    timestamp,
    dimensions: Object.fromEntries(
      Object.entries(dimensions).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    ),
  };
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
