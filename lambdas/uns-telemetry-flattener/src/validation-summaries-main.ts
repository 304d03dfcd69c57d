import { lambdaHandler } from './handler';
import { validationSummariesFlattener } from './validation-summaries';

/**
 * Entry point of the function behind the MSK event source mapping on `uns.validation` that fills
 * the Lakehouse table `validation_summaries` (bundled by the CDK's NodejsFunction; the same
 * workspace's `main.ts` serves `uns.telemetry`).
 */
export const handler = lambdaHandler(
  'validation-summaries-flattener',
  validationSummariesFlattener,
);
