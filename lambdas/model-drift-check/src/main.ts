import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { Logger } from '@aws-lambda-powertools/logger';
import { createCheckDriftHandler } from './check-drift';
import { checkConfigFromEnvironment, SERVICE_NAME } from './config';

/** Entry point of the scheduled drift check (bundled by the CDK's NodejsFunction). */
export const handler = createCheckDriftHandler({
  athena: new AthenaClient({}),
  cloudwatch: new CloudWatchClient({}),
  logger: new Logger({ serviceName: SERVICE_NAME }),
  config: checkConfigFromEnvironment(process.env),
});
