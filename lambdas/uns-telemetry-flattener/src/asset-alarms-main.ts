import { assetAlarmsFlattener } from './asset-alarms';
import { lambdaHandler } from './handler';

/** Entry point of the function behind the mapping on `uns.alarm` (bundled by the CDK). */
export const handler = lambdaHandler('asset-alarms-flattener', assetAlarmsFlattener);
