import { Logger } from '@aws-lambda-powertools/logger';
import { configFromEnvironment, SERVICE_NAME } from './config';
import { createHandler, createKpiMetrics } from './handler';

const config = configFromEnvironment(process.env);

/** Entry point of the Lambda function (bundled by the CDK's NodejsFunction). */
export const handler = createHandler({
  config,
  logger: new Logger({ serviceName: SERVICE_NAME }),
  metrics: createKpiMetrics(config),
});
