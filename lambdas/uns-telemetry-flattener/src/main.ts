import { telemetryFlattener } from './flatten';
import { lambdaHandler } from './handler';

/** Entry point of the function behind the mapping on `uns.telemetry` (bundled by the CDK). */
export const handler = lambdaHandler('uns-telemetry-flattener', telemetryFlattener);
