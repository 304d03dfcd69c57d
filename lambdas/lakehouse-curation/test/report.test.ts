import { Logger } from '@aws-lambda-powertools/logger';
import type { PartitionOutcome } from '../src/contract';
import { createReportHandler, NAMED_FAILURES, summarize } from '../src/report';

const curated = (site: string, dt: string): PartitionOutcome => ({
  site,
  dt,
  status: 'curated',
  queryExecutionId: `q-${site}-${dt}`,
});
const failed = (
  site: string,
  dt: string,
  stage: 'clear' | 'query',
  error: string,
): PartitionOutcome => ({
  site,
  dt,
  status: 'failed',
  stage,
  error,
});

describe('report: the verdict of an execution', () => {
  it('counts every partition curated when none failed', () => {
    expect(summarize([curated('zwickau', '2026-11-30'), curated('zwickau', '2026-12-01')])).toEqual(
      {
        curated: 2,
        failed: 0,
        failedPartitions: [],
        summary: '2 of 2 partitions curated',
      },
    );
  });

  it('names each failed partition with the step that failed and its error', () => {
    expect(
      summarize([
        curated('zwickau', '2026-11-30'),
        failed('zwickau', '2026-12-01', 'query', 'States.TaskFailed'),
        curated('mlada-boleslav', '2026-11-30'),
        failed('mlada-boleslav', '2026-12-01', 'clear', 'AccessDenied'),
      ]),
    ).toEqual({
      curated: 2,
      failed: 2,
      failedPartitions: ['zwickau/2026-12-01', 'mlada-boleslav/2026-12-01'],
      summary:
        "2 of 4 partitions failed: zwickau/2026-12-01 (query: States.TaskFailed), mlada-boleslav/2026-12-01 (clear: AccessDenied); each error's cause is in the execution history",
    });
  });

  it('names the first failures and counts the rest, so the cause stays within its limit', () => {
    const outcomes = Array.from({ length: 500 }, (_, index) =>
      failed('mlada-boleslav', `day-${String(index).padStart(3, '0')}`, 'query', 'States.Timeout'),
    );
    const report = summarize(outcomes);
    expect(report.failedPartitions).toHaveLength(500);
    expect(report.summary).toContain(
      `mlada-boleslav/day-${String(NAMED_FAILURES - 1).padStart(3, '0')} `,
    );
    expect(report.summary).not.toContain(
      `mlada-boleslav/day-${String(NAMED_FAILURES).padStart(3, '0')}`,
    );
    expect(report.summary).toContain(`, and ${500 - NAMED_FAILURES} more;`);
    expect(report.summary.length).toBeLessThan(32_768);
  });

  it('says "1 partition" of a single one', () => {
    expect(summarize([curated('zwickau', '2026-12-01')]).summary).toBe('1 of 1 partition curated');
  });

  it('returns the report from the handler', async () => {
    const handler = createReportHandler({
      logger: new Logger({ serviceName: 'lakehouse-curation-test', logLevel: 'SILENT' }),
    });
    await expect(
      handler({ outcomes: [failed('zwickau', '2026-12-01', 'query', 'States.TaskFailed')] }),
    ).resolves.toMatchObject({ failed: 1, curated: 0 });
  });
});
