import { Token } from 'aws-cdk-lib';

/** An EventBridge Scheduler expression: `rate(...)`, `cron(<6 fields>)` or `at(...)`. */
const SCHEDULE_EXPRESSION =
  /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(\S+( \S+){5}\)|at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\))$/;
/** An IANA time zone name such as `Europe/Berlin` or `UTC`. */
const IANA_TIME_ZONE = /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/;

/** The props of a construct that EventBridge Scheduler starts on a schedule. */
export interface ScheduleSettings {
  readonly scheduleExpression?: string;
  readonly scheduleTimeZone?: string;
}

/**
 * Every problem with a schedule's expression and time zone, each naming the prop; empty when they
 * are valid or not given. Unresolved tokens are not checked.
 */
export function scheduleProblems(props: ScheduleSettings): string[] {
  const problems: string[] = [];
  const check = (value: string | undefined, pattern: RegExp, problem: string): void => {
    if (value !== undefined && !Token.isUnresolved(value) && !pattern.test(value)) {
      problems.push(problem);
    }
  };
  const quote = (value: unknown) => JSON.stringify(value);

  check(
    props.scheduleExpression,
    SCHEDULE_EXPRESSION,
    `scheduleExpression ${quote(props.scheduleExpression)} must be rate(<n> <unit>), cron(<6 fields>) or at(yyyy-mm-ddThh:mm:ss)`,
  );
  check(
    props.scheduleTimeZone,
    IANA_TIME_ZONE,
    `scheduleTimeZone ${quote(props.scheduleTimeZone)} must be an IANA time zone such as "UTC" or "Europe/Berlin"`,
  );
  return problems;
}
