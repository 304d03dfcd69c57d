import { lambdaHandler } from './handler';
import { mlFlattener } from './ml-messages';

/**
 * Entry point of the function behind the mapping on `uns.ml` that fills `inference_results`,
 * `anomaly_events`, `model_drift` and `model_status` (bundled by the CDK).
 */
export const handler = lambdaHandler('uns-ml-flattener', mlFlattener);
