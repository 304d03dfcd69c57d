/** How the dashboard writes numbers, shares and times (one place, so tests can read them back). */

const integer = new Intl.NumberFormat('en-US');

/** `12,345`. */
export function formatCount(value: number): string {
  return integer.format(value);
}

/** A share from 0 to 1 as `97.5 %`; `n/a` for `null` (nothing counted). */
export function formatShare(share: number | null): string {
  return share === null ? 'n/a' : `${(share * 100).toFixed(1)} %`;
}

/** `2030-01-01 08:15:02` in UTC, the plant's common clock. */
export function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/**
 * A span of time in UTC, the end without its date when it falls on the same day:
 * `2030-01-01 08:14:02 – 08:15:02`.
 */
export function formatTimeRange(startIso: string, endIso: string): string {
  const end = formatTime(endIso);
  const sameDay = startIso.slice(0, 10) === endIso.slice(0, 10);
  return `${formatTime(startIso)} – ${sameDay ? end.slice(11) : end}`;
}

/** `08:15` or `08:15:02` (UTC) for chart axes. */
export function formatClock(epochMs: number, seconds = false): string {
  return new Date(epochMs).toISOString().slice(11, seconds ? 19 : 16);
}

/** A length of time in its largest whole unit: `45 s`, `15 min`, `6 h`, `7 d`. */
export function formatDuration(seconds: number): string {
  for (const [unit, length] of [
    ['d', 86_400],
    ['h', 3_600],
    ['min', 60],
  ] as const) {
    if (seconds >= length && seconds % length === 0) return `${String(seconds / length)} ${unit}`;
  }
  return `${String(seconds)} s`;
}

/** `''` (unknown in the store) shown as a dash. */
export function orDash(value: string): string {
  return value === '' ? '—' : value;
}
