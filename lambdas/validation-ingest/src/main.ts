import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { connectComplianceStore, rdsIamAuthToken } from '@uns-mlops/validation-store';
import { configFromEnvironment, SERVICE_NAME } from './config';
import { createIngestHandler, createIngestMetrics } from './handler';

const config = configFromEnvironment(process.env);

/**
 * Entry point of the Lambda function (bundled by the CDK's NodejsFunction), for the MSK event
 * source mapping on `uns.validation`. The connection pool lives as long as the execution
 * environment; it connects at the first batch.
 */
export const handler = createIngestHandler({
  settings: config,
  store: connectComplianceStore(config.database, rdsIamAuthToken(config.database)),
  logger: new Logger({ serviceName: SERVICE_NAME }),
  metrics: createIngestMetrics(config.namespace),
  tracer: new Tracer({ serviceName: SERVICE_NAME }),
});
