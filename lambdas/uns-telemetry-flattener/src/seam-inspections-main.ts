import { lambdaHandler } from './handler';
import { seamInspectionsFlattener } from './seam-inspections';

/** Entry point of the function behind the mapping on `uns.inspection` (bundled by the CDK). */
export const handler = lambdaHandler('seam-inspections-flattener', seamInspectionsFlattener);
