/** How often an EventBridge Scheduler expression fires, for pricing what it starts. */

/** Hours in the month AWS prices by (8,760 / 12). */
export const HOURS_PER_MONTH = 730;
/** Days in that month. */
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;
const WEEKS_PER_MONTH = DAYS_PER_MONTH / 7;
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/**
 * Runs a month of a `rate(...)` or `cron(min hour dom month dow year)` expression; `at(...)`
 * runs once. A cron is counted as its firings per day (minutes × hours) times the days it fires:
 * every day, the listed weekdays each week, or the listed days of the month.
 *
 * @throws Error for an expression of another shape (cron with `L`, `W`, `#` or stepped days).
 */
export function runsPerMonth(expression: string): number {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate !== null) {
    const minutes = Number(rate[1]) * { minute: 1, hour: 60, day: 1440 }[unitOf(rate[2])];
    return (HOURS_PER_MONTH * 60) / minutes;
  }
  if (expression.startsWith('at(')) return 1;
  const cron = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expression);
  if (cron === null) throw new Error(`Not a schedule expression: ${expression}`);
  const [, minutes = '', hours = '', dayOfMonth = '', , dayOfWeek = ''] = cron;
  const perDay = count(minutes, 60) * count(hours, 24);
  if (isAny(dayOfWeek) && isAny(dayOfMonth)) return perDay * DAYS_PER_MONTH;
  if (!isAny(dayOfWeek)) return perDay * weekdays(dayOfWeek) * WEEKS_PER_MONTH;
  return perDay * count(dayOfMonth, 31);
}

function unitOf(unit: string | undefined): 'minute' | 'hour' | 'day' {
  return (unit ?? 'minute').replace(/s$/, '') as 'minute' | 'hour' | 'day';
}

function isAny(field: string): boolean {
  return field === '*' || field === '?';
}

/** Values a cron field selects out of `range` (`*`, lists, ranges and `a/b` steps). */
function count(field: string, range: number): number {
  if (field === '*') return range;
  return field.split(',').reduce((sum, part) => {
    const step = /^(\*|\d+)\/(\d+)$/.exec(part);
    if (step !== null) {
      const start = step[1] === '*' ? 0 : Number(step[1]);
      return sum + Math.ceil((range - start) / Number(step[2]));
    }
    const span = /^(\d+)-(\d+)$/.exec(part);
    if (span !== null) return sum + Number(span[2]) - Number(span[1]) + 1;
    if (/^\d+$/.test(part)) return sum + 1;
    throw new Error(`Cannot count the cron field ${field}`);
  }, 0);
}

/** Weekdays a day-of-week field selects (`MON`, `MON,THU`, `MON-FRI`, `2-6`). */
function weekdays(field: string): number {
  const index = (day: string) => (/^\d$/.test(day) ? Number(day) - 1 : DAY_NAMES.indexOf(day));
  return field.split(',').reduce((sum, part) => {
    const [from = '', to] = part.split('-');
    const first = index(from);
    const last = to === undefined ? first : index(to);
    if (first < 0 || last < first) throw new Error(`Cannot count the weekdays ${field}`);
    return sum + last - first + 1;
  }, 0);
}
