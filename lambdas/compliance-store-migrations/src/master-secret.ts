import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** The database user and password of an RDS master secret. */
export interface DatabaseCredentials {
  readonly username: string;
  readonly password: string;
}

/**
 * Reads the master secret RDS generated (`{"username": ..., "password": ..., ...}`); a secret
 * without both fields throws, naming what is missing but never the values.
 */
export async function readMasterSecret(
  secrets: SecretsManagerClient,
  secretArn: string,
): Promise<DatabaseCredentials> {
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
  let parsed: unknown;
  try {
    parsed = JSON.parse(SecretString ?? '');
  } catch {
    throw new Error(`secret ${secretArn} is not JSON`);
  }
  const { username, password } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof username !== 'string' || typeof password !== 'string')
    throw new Error(`secret ${secretArn} lacks a username or a password string`);
  return { username, password };
}
