import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { createClearPartitionHandler } from './clear-partition';
import type {
  ClearPartitionEvent,
  ClearPartitionResult,
  Plan,
  PlanEvent,
  Report,
  ReportEvent,
} from './contract';
import { createPlanHandler } from './plan';
import { createReportHandler } from './report';

const logger = new Logger({ serviceName: 'lakehouse-curation' });

/**
 * A variable of the function's environment, set by the construct (lib/curation). Each function
 * gets only the variables of its own handler, so they are read on its first invocation.
 */
function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

/** A variable holding a whole number of days, 1 or more. */
function wholeDays(name: string): number {
  const days = Number(env(name));
  if (!Number.isInteger(days) || days < 1) {
    throw new Error(`${name} (${env(name)}) must be a whole number of days, 1 or more`);
  }
  return days;
}

let planHandler: ((event: PlanEvent) => Promise<Plan>) | undefined;
/** Entry point of the workflow's Plan task (environment `SITE_IDS`, `LOOKBACK_DAYS`). */
export const plan = (event: PlanEvent): Promise<Plan> => {
  planHandler ??= createPlanHandler({
    settings: { siteIds: env('SITE_IDS').split(','), lookbackDays: wholeDays('LOOKBACK_DAYS') },
    logger,
  });
  return planHandler(event);
};

let clearHandler: ((event: ClearPartitionEvent) => Promise<ClearPartitionResult>) | undefined;
/** Entry point of the workflow's ClearPartition task (`CURATED_BUCKET`, `TABLE_PREFIX`, `SITE_IDS`). */
export const clearPartition = (event: ClearPartitionEvent): Promise<ClearPartitionResult> => {
  clearHandler ??= createClearPartitionHandler({
    s3: new S3Client({}),
    settings: {
      bucket: env('CURATED_BUCKET'),
      tablePrefix: env('TABLE_PREFIX'),
      siteIds: env('SITE_IDS').split(','),
    },
    logger,
  });
  return clearHandler(event);
};

/** Entry point of the workflow's Report task. */
export const report: (event: ReportEvent) => Promise<Report> = createReportHandler({ logger });
