import { GetBootstrapBrokersCommand, type KafkaClient } from '@aws-sdk/client-kafka';
import type { Logger } from '@aws-lambda-powertools/logger';
import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import { Kafka, logLevel, type LogEntry, type SASLOptions } from 'kafkajs';

/**
 * The cluster's SASL/IAM bootstrap brokers (port 9098) from the MSK API: MSK Serverless has no
 * CloudFormation attribute for them.
 */
export function mskBootstrapBrokers(
  client: KafkaClient,
): (clusterArn: string) => Promise<string[]> {
  return async (clusterArn) => {
    const output = await client.send(new GetBootstrapBrokersCommand({ ClusterArn: clusterArn }));
    const brokers = output.BootstrapBrokerStringSaslIam?.split(',').filter(Boolean) ?? [];
    if (brokers.length === 0) {
      throw new Error(`MSK cluster ${clusterArn} has no SASL/IAM bootstrap brokers`);
    }
    return brokers;
  };
}

/**
 * SASL OAUTHBEARER with an Amazon MSK IAM token, signed (SigV4, locally) by
 * `aws-msk-iam-sasl-signer-js` with the credentials of the default provider chain (in Lambda: the
 * function role's, from the environment), as the UNS bridge does. kafkajs asks for a fresh token
 * on every connection.
 */
export function mskIamSasl(region: string): SASLOptions {
  return {
    mechanism: 'oauthbearer',
    oauthBearerProvider: async () => ({ value: (await generateAuthToken({ region })).token }),
  };
}

/**
 * Kafka clients for an MSK cluster with IAM authentication (TLS and {@link mskIamSasl}); kafkajs
 * logs warnings and errors through the Powertools logger.
 */
export function mskIamKafka(region: string, logger: Logger): (brokers: string[]) => Kafka {
  return (brokers) =>
    new Kafka({
      clientId: 'uns-kafka-topics',
      brokers,
      ssl: true,
      sasl: mskIamSasl(region),
      logLevel: logLevel.WARN,
      logCreator: () => (entry: LogEntry) => {
        const { message, ...details } = entry.log;
        const text = `kafkajs ${entry.namespace}: ${message}`;
        if (entry.level <= logLevel.ERROR) logger.error(text, details);
        else logger.warn(text, details);
      },
    });
}
