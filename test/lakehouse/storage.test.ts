import { RemovalPolicy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { logicalIdOf, synthLakehouse } from '../support/lakehouse';

describe('Lakehouse storage', () => {
  const { stack, lakehouse, template } = synthLakehouse({
    rawIntelligentTieringAfterDays: 0,
    rawGlacierInstantRetrievalAfterDays: 60,
    rawExpireAfterDays: 400,
    curatedIntelligentTieringAfterDays: 14,
    athenaResultsExpireAfterDays: 5,
  });
  const keyId = logicalIdOf(stack, lakehouse.encryptionKey);
  const { rawBucket, curatedBucket, athenaResultsBucket } = lakehouse.storage;
  const dataBuckets = {
    raw: rawBucket,
    curated: curatedBucket,
    athenaResults: athenaResultsBucket,
  };

  it('creates a customer-managed key with automatic rotation', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it.each(Object.entries(dataBuckets))(
    'encrypts the %s bucket with the Lakehouse key and a bucket key',
    (_, bucket) => {
      const resource = template.toJSON().Resources[logicalIdOf(stack, bucket)];
      expect(resource.Properties.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] },
            },
          },
        ],
      });
    },
  );

  it('blocks public access and disables ACLs on every bucket', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(4);
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.OwnershipControls).toEqual({
        Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }],
      });
    }
  });

  it('denies every request without TLS 1.2 on every bucket', () => {
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(4);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          expect.objectContaining({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
          }),
        ]),
      );
    }
  });

  it('versions the raw bucket and expires replaced versions', () => {
    const raw = template.toJSON().Resources[logicalIdOf(stack, rawBucket)];
    expect(raw.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(raw.Properties.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
        Status: 'Enabled',
      }),
    );
  });

  it('tiers raw data to Intelligent-Tiering, then Glacier Instant Retrieval, then expires it, as configured', () => {
    const raw = template.toJSON().Resources[logicalIdOf(stack, rawBucket)];
    expect(raw.Properties.LifecycleConfiguration.Rules).toContainEqual({
      Id: 'tier-raw-data',
      Status: 'Enabled',
      ExpirationInDays: 400,
      Transitions: [
        { StorageClass: 'INTELLIGENT_TIERING', TransitionInDays: 0 },
        { StorageClass: 'GLACIER_IR', TransitionInDays: 60 },
      ],
    });
  });

  it('tiers curated data to Intelligent-Tiering and expires Athena results, as configured', () => {
    const resources = template.toJSON().Resources;
    expect(
      resources[logicalIdOf(stack, curatedBucket)].Properties.LifecycleConfiguration.Rules,
    ).toContainEqual({
      Id: 'tier-curated-data',
      Status: 'Enabled',
      Transitions: [{ StorageClass: 'INTELLIGENT_TIERING', TransitionInDays: 14 }],
    });
    expect(
      resources[logicalIdOf(stack, athenaResultsBucket)].Properties.LifecycleConfiguration.Rules,
    ).toContainEqual({
      Id: 'expire-query-results',
      Status: 'Enabled',
      ExpirationInDays: 5,
    });
  });

  it('keeps raw data forever unless an expiry is configured', () => {
    const {
      stack: defaultStack,
      lakehouse: defaults,
      template: defaultTemplate,
    } = synthLakehouse();
    const raw =
      defaultTemplate.toJSON().Resources[logicalIdOf(defaultStack, defaults.storage.rawBucket)];
    const tiering = raw.Properties.LifecycleConfiguration.Rules.find(
      (rule: { Id: string }) => rule.Id === 'tier-raw-data',
    );
    expect(tiering.ExpirationInDays).toBeUndefined();
    expect(tiering.Transitions).toEqual([
      { StorageClass: 'INTELLIGENT_TIERING', TransitionInDays: 0 },
      { StorageClass: 'GLACIER_IR', TransitionInDays: 90 },
    ]);
  });

  it('aborts incomplete multipart uploads in every data bucket', () => {
    for (const bucket of Object.values(dataBuckets)) {
      const rules =
        template.toJSON().Resources[logicalIdOf(stack, bucket)].Properties.LifecycleConfiguration
          .Rules;
      expect(rules).toContainEqual(
        expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }),
      );
    }
  });

  it('sends the access logs of every data bucket to the SSE-S3 access-log bucket', () => {
    const logsId = logicalIdOf(stack, lakehouse.storage.accessLogsBucket);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 365 })]),
      },
    });
    for (const bucket of Object.values(dataBuckets)) {
      expect(
        template.toJSON().Resources[logicalIdOf(stack, bucket)].Properties.LoggingConfiguration,
      ).toEqual({
        DestinationBucketName: { Ref: logsId },
        LogFilePrefix: expect.any(String),
      });
    }
  });

  it('retains buckets and key by default', () => {
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key']) {
      for (const resource of Object.values(template.findResources(type))) {
        expect(resource.DeletionPolicy).toBe('Retain');
        expect(resource.UpdateReplacePolicy).toBe('Retain');
      }
    }
  });

  it('deletes buckets and key with the stack only when asked to', () => {
    const { template: destroyable } = synthLakehouse({ removalPolicy: RemovalPolicy.DESTROY });
    for (const type of ['AWS::S3::Bucket', 'AWS::KMS::Key']) {
      for (const resource of Object.values(destroyable.findResources(type))) {
        expect(resource.DeletionPolicy).toBe('Delete');
      }
    }
  });
});
