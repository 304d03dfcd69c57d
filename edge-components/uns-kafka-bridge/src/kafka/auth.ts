import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js';
import type { SASLOptions } from 'kafkajs';
import type { BridgeConfig } from '../config/config';

/** The security part of a kafkajs client configuration. */
export interface KafkaSecurityOptions {
  ssl?: ConnectionOptions | boolean;
  sasl?: SASLOptions;
}

/** What building the security options needs from outside (replaced in tests). */
export interface SecurityDependencies {
  readFile: (path: string) => Buffer;
  /** AWS credentials for IAM; the default provider chain, which on Greengrass reaches the token
   * exchange service through `AWS_CONTAINER_CREDENTIALS_FULL_URI`. */
  credentials: () => ReturnType<typeof fromNodeProviderChain>;
  env: NodeJS.ProcessEnv;
}

const defaultDependencies: SecurityDependencies = {
  readFile: (path) => readFileSync(path),
  credentials: () => fromNodeProviderChain(),
  env: process.env,
};

/**
 * kafkajs `ssl`/`sasl` options for the configured protocol:
 * - `plaintext`: neither (local development and tests);
 * - `tls`: TLS, with the configured CA and, for mutual TLS, client certificate and key;
 * - `iam`: TLS and SASL OAUTHBEARER with an Amazon MSK IAM token signed (SigV4, locally) with the
 *   credentials of the provider chain; kafkajs asks for a fresh token on every connection.
 */
export function kafkaSecurityOptions(
  security: BridgeConfig['kafka']['security'],
  dependencies: Partial<SecurityDependencies> = {},
): KafkaSecurityOptions {
  const { readFile, credentials, env } = { ...defaultDependencies, ...dependencies };
  if (security.protocol === 'plaintext') return {};
  const tls: ConnectionOptions = {
    ...(security.caFile !== undefined && { ca: [readFile(security.caFile)] }),
    ...(security.certFile !== undefined && { cert: readFile(security.certFile) }),
    ...(security.keyFile !== undefined && { key: readFile(security.keyFile) }),
  };
  const ssl = Object.keys(tls).length > 0 ? tls : true;
  if (security.protocol === 'tls') return { ssl };

  const region = security.region ?? env.AWS_REGION;
  if (region === undefined) throw new Error('IAM authentication needs a region');
  const provider = credentials();
  return {
    ssl,
    sasl: {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => {
        const { token } = await generateAuthTokenFromCredentialsProvider({
          region,
          awsCredentialsProvider: provider,
        });
        return { value: token };
      },
    },
  };
}
