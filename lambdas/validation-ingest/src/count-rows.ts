import type { ValidationSummary } from './summary';

/** One row of `validation_counts` (validation-store, migration 001). */
export interface CountRow {
  /** Epoch milliseconds. */
  readonly bucketStart: number;
  readonly bucketSeconds: number;
  readonly site: string;
  readonly area: string;
  readonly line: string;
  readonly channel: string;
  readonly contractVersion: string;
  /** `''` for the valid messages' row. */
  readonly errorKind: string;
  readonly validCount: number;
  readonly invalidCount: number;
}

/** `error_kind` of the valid messages' row, as in the edge store. */
export const VALID_KIND = '';
/**
 * `error_kind` of invalid messages a summary counts in `invalid` but under no kind of
 * `byErrorKind`: the validator counts an invalid verdict without any error description there
 * (`ComplianceSummaries.add`), so `invalid` minus the kinds' sum lands here.
 */
export const UNCLASSIFIED_KIND = 'unclassified';
/** Summaries do not carry area and line; their rows have `''` ("unknown"), as the edge store. */
const UNKNOWN_LEVEL = '';

/**
 * The rows of one site's summary: per channel, one row of its valid messages (`error_kind` '',
 * written even when `valid` is 0, so that every channel of the summary has a row), one row per
 * error kind with a count above 0, and one `unclassified` row for invalid messages the kinds do
 * not account for. The bucket is the summary's interval: `bucket_start` = `intervalStart`,
 * `bucket_seconds` = its length rounded up to whole seconds, at least 1.
 */
export function summaryRows(site: string, summary: ValidationSummary): CountRow[] {
  const bucket = {
    bucketStart: summary.intervalStart,
    bucketSeconds: Math.max(1, Math.ceil((summary.intervalEnd - summary.intervalStart) / 1000)),
    site,
    area: UNKNOWN_LEVEL,
    line: UNKNOWN_LEVEL,
    contractVersion: summary.contractVersion,
  };
  const rows: CountRow[] = [];
  for (const { channel, valid, invalid, byErrorKind } of summary.channels) {
    const row = (errorKind: string, validCount: number, invalidCount: number) => {
      rows.push({ ...bucket, channel, errorKind, validCount, invalidCount });
    };
    row(VALID_KIND, valid, 0);
    let classified = 0;
    for (const [kind, count] of Object.entries(byErrorKind)) {
      if (count === 0) continue;
      row(kind, 0, count);
      classified += count;
    }
    if (invalid > classified) row(UNCLASSIFIED_KIND, 0, invalid - classified);
  }
  return rows;
}

/** The primary key of `validation_counts`, as one string. */
export function rowKey(row: CountRow): string {
  return JSON.stringify([
    row.bucketStart,
    row.bucketSeconds,
    row.site,
    row.area,
    row.line,
    row.channel,
    row.contractVersion,
    row.errorKind,
  ]);
}
