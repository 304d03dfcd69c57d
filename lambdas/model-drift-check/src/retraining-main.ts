import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { Logger } from '@aws-lambda-powertools/logger';
import { SERVICE_NAME, triggerConfigFromEnvironment } from './config';
import { createTriggerRetrainingHandler } from './trigger-retraining';

/** Entry point of the retraining trigger, the workspace's second function (`entryFile`). */
export const handler = createTriggerRetrainingHandler({
  sagemaker: new SageMakerClient({}),
  cloudwatch: new CloudWatchClient({}),
  logger: new Logger({ serviceName: `${SERVICE_NAME}-retraining` }),
  config: triggerConfigFromEnvironment(process.env),
});
