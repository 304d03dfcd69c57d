import type { SASLOptions } from 'kafkajs';
import { kafkaSecurityOptions } from '../../src/kafka/auth';

const files: Record<string, string> = { '/ca.pem': 'CA', '/cert.pem': 'CERT', '/key.pem': 'KEY' };
const readFile = (path: string) => Buffer.from(files[path] ?? '');
/** Static credentials in place of the provider chain: signing is local, nothing calls AWS. */
const credentials = () => () =>
  Promise.resolve({
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  });

describe('Kafka security options', () => {
  it('uses neither TLS nor SASL for plaintext (local use)', () => {
    expect(kafkaSecurityOptions({ protocol: 'plaintext' }, { readFile })).toEqual({});
  });

  it('uses TLS with the configured CA and client certificate for tls', () => {
    expect(
      kafkaSecurityOptions(
        { protocol: 'tls', caFile: '/ca.pem', certFile: '/cert.pem', keyFile: '/key.pem' },
        { readFile },
      ),
    ).toEqual({
      ssl: { ca: [Buffer.from('CA')], cert: Buffer.from('CERT'), key: Buffer.from('KEY') },
    });
    expect(kafkaSecurityOptions({ protocol: 'tls' }, { readFile })).toEqual({ ssl: true });
  });

  it('signs an MSK IAM token (SASL OAUTHBEARER over TLS) with the provider chain’s credentials', async () => {
    const options = kafkaSecurityOptions(
      { protocol: 'iam' },
      { readFile, credentials, env: { AWS_REGION: 'eu-central-1' } },
    );
    expect(options.ssl).toBe(true);
    const sasl = options.sasl as Extract<SASLOptions, { mechanism: 'oauthbearer' }>;
    expect(sasl.mechanism).toBe('oauthbearer');

    const { value } = await sasl.oauthBearerProvider();
    const url = new URL(Buffer.from(value, 'base64url').toString());
    expect(url.host).toBe('kafka.eu-central-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('kafka-cluster:Connect');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(
      /^AKIDEXAMPLE\/\d{8}\/eu-central-1\/kafka-cluster\/aws4_request$/,
    );
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('prefers the configured region over AWS_REGION', async () => {
    const options = kafkaSecurityOptions(
      { protocol: 'iam', region: 'us-east-2' },
      { readFile, credentials, env: { AWS_REGION: 'eu-central-1' } },
    );
    const sasl = options.sasl as Extract<SASLOptions, { mechanism: 'oauthbearer' }>;
    const { value } = await sasl.oauthBearerProvider();
    expect(Buffer.from(value, 'base64url').toString()).toContain('kafka.us-east-2.amazonaws.com');
  });
});
