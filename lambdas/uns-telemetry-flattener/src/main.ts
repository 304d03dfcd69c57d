import { FirehoseClient } from '@aws-sdk/client-firehose';
import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { configFromEnvironment, createHandler } from './handler';

const logger = new Logger({ serviceName: 'uns-telemetry-flattener' });
const metrics = new Metrics({ namespace: 'uns-mlops', serviceName: 'uns-telemetry-flattener' });

/** Entry point of the Lambda function (bundled by the CDK's NodejsFunction). */
export const handler = createHandler({
  config: configFromEnvironment(process.env),
  firehose: new FirehoseClient({}),
  s3: new S3Client({}),
  logger,
  metrics,
});
