import { assetStatesFlattener } from './asset-states';
import { lambdaHandler } from './handler';

/** Entry point of the function behind the mapping on `uns.state` (bundled by the CDK). */
export const handler = lambdaHandler('asset-states-flattener', assetStatesFlattener);
