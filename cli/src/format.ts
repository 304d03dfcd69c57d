/** Lays rows out as a text table with a header line, columns padded to their widest cell. */
export function formatTable(
  columns: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const widths = columns.map((column, index) =>
    Math.max(column.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    columns
      .map((_, index) => (cells[index] ?? '').padEnd(widths[index] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(columns), ...rows.map(line)].map((text) => `${text}\n`).join('');
}

/** Rows as CSV (RFC 4180): a header line, fields quoted when they hold a comma, quote or newline. */
export function formatCsv(
  columns: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const field = (value: string) =>
    /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
  return [columns, ...rows].map((cells) => `${cells.map(field).join(',')}\r\n`).join('');
}

/** A byte count for people, in decimal units as AWS bills them: `0 B`, `12.3 MB`, `300 GB`, `1.50 TB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0
    ? `${bytes} B`
    : `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)} ${units[unit]}`;
}

/** A duration for people: `850 ms`, `12.4 s`, `3 min 05 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
}

/** A time stamp as an ISO date and time to the minute, UTC: `2026-12-05 11:52Z`. */
export function formatTime(time: Date | undefined): string {
  return time ? `${time.toISOString().slice(0, 16).replace('T', ' ')}Z` : '-';
}
