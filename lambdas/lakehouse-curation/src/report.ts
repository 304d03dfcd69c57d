import type { Logger } from '@aws-lambda-powertools/logger';
import type { PartitionOutcome, Report, ReportEvent } from './contract';

/**
 * Failed partitions named in the summary; the rest are counted. The summary becomes the cause of
 * the failed execution, which Step Functions caps at 32,768 characters.
 */
export const NAMED_FAILURES = 50;

/**
 * The report of an execution: how many partitions were curated, and each failed one with the
 * step that failed (`clear` or `query`) and its error, e.g.
 * `2 of 6 partitions failed: zwickau/2026-12-01 (query: States.TaskFailed), ...`.
 */
export function summarize(outcomes: readonly PartitionOutcome[]): Report {
  const failures = outcomes.filter((outcome) => outcome.status === 'failed');
  const curated = outcomes.length - failures.length;
  const failedPartitions = failures.map(({ site, dt }) => `${site}/${dt}`);
  const total = `${outcomes.length} partition${outcomes.length === 1 ? '' : 's'}`;
  if (failures.length === 0) {
    return { curated, failed: 0, failedPartitions, summary: `${curated} of ${total} curated` };
  }
  const named = failures
    .slice(0, NAMED_FAILURES)
    .map(({ site, dt, stage, error }) => `${site}/${dt} (${stage}: ${error})`);
  const more =
    failures.length > NAMED_FAILURES ? `, and ${failures.length - NAMED_FAILURES} more` : '';
  return {
    curated,
    failed: failures.length,
    failedPartitions,
    summary: `${failures.length} of ${total} failed: ${named.join(', ')}${more}; each error's cause is in the execution history`,
  };
}

/** Dependencies of {@link createReportHandler}. */
export interface ReportDependencies {
  readonly logger: Logger;
}

/** The `report` handler: the execution's {@link summarize | report}, also logged. */
export function createReportHandler(
  deps: ReportDependencies,
): (event: ReportEvent) => Promise<Report> {
  // Nothing to wait for, but the Node.js runtime takes promises.
  return (event) =>
    Promise.resolve(event).then(({ outcomes }) => {
      const report = summarize(outcomes);
      if (report.failed > 0) deps.logger.error('Curation incomplete', { ...report });
      else deps.logger.info('Curation complete', { ...report });
      return report;
    });
}
