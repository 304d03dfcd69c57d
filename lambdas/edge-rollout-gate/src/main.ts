import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { GreengrassV2Client } from '@aws-sdk/client-greengrassv2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { Logger } from '@aws-lambda-powertools/logger';
import { createEvaluateHandler } from './evaluate';
import { createRecordLastGoodHandler } from './record-last-good';
import { createRollbackHandler } from './rollback';

const logger = new Logger({ serviceName: 'edge-rollout-gate' });
const greengrass = new GreengrassV2Client({});
const cloudwatch = new CloudWatchClient({});
const ssm = new SSMClient({});

/** Entry point of the gate's Evaluate task: PROMOTE, WAIT or ROLLBACK for the wave. */
export const evaluate = createEvaluateHandler({ greengrass, cloudwatch, logger });

/** Entry point of the gate's RecordLastGood task, after a PROMOTE. */
export const recordLastGood = createRecordLastGoodHandler({ greengrass, ssm, logger });

/** Entry point of the gate's Rollback task, after a ROLLBACK. */
export const rollback = createRollbackHandler({ greengrass, ssm, logger });
