import { FirehoseClient } from '@aws-sdk/client-firehose';
import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { configFromEnvironment, createFlattenerHandler } from './handler';
import { flattenValidationRecord } from './validation-summaries';

const SERVICE_NAME = 'validation-summaries-flattener';

/**
 * Entry point of the function behind the MSK event source mapping on `uns.validation` that fills
 * the Lakehouse table `validation_summaries` (bundled by the CDK's NodejsFunction; the same
 * workspace's `main.ts` serves `uns.telemetry`).
 */
export const handler = createFlattenerHandler(
  {
    config: configFromEnvironment(process.env),
    firehose: new FirehoseClient({}),
    s3: new S3Client({}),
    logger: new Logger({ serviceName: SERVICE_NAME }),
    metrics: new Metrics({ namespace: 'uns-mlops', serviceName: SERVICE_NAME }),
  },
  flattenValidationRecord,
);
