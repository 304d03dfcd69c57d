import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { connectComplianceStore, rdsIamAuthToken } from '@uns-mlops/validation-store';
import { configFromEnvironment, SERVICE_NAME } from './config';
import { createApiMetrics, createComplianceApiHandler } from './handler';

const config = configFromEnvironment(process.env);

/**
 * Entry point of the Lambda function (bundled by the CDK's NodejsFunction), for the HTTP API's
 * compliance routes. The connection pool lives as long as the execution environment; it connects
 * at the first request.
 */
export const handler = createComplianceApiHandler({
  store: connectComplianceStore(config.database, rdsIamAuthToken(config.database)),
  logger: new Logger({ serviceName: SERVICE_NAME }),
  metrics: createApiMetrics(config.namespace),
  tracer: new Tracer({ serviceName: SERVICE_NAME }),
});
