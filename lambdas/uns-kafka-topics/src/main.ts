import { KafkaClient } from '@aws-sdk/client-kafka';
import { Logger } from '@aws-lambda-powertools/logger';
import { createHandler } from './handler';
import { mskBootstrapBrokers, mskIamKafka } from './msk';

const logger = new Logger({ serviceName: 'uns-kafka-topics' });
const region = process.env.AWS_REGION;
if (region === undefined) throw new Error('uns-kafka-topics: AWS_REGION is not set');

/** Entry point of the Lambda function (bundled by the CDK's NodejsFunction). */
export const handler = createHandler({
  bootstrapBrokers: mskBootstrapBrokers(new KafkaClient({ region })),
  kafka: mskIamKafka(region, logger),
  logger,
});
