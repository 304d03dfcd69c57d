import { CfnResource, Lazy, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Lakehouse, type LakehouseProps } from '../../lib/lakehouse';
import { newApp } from '../support/app';
import { ACCOUNT, logicalIdOf, REGION } from '../support/lakehouse';

function testStack(): Stack {
  return new Stack(newApp(), 'TestStack', { env: { account: ACCOUNT, region: REGION } });
}

function construct(props: Partial<LakehouseProps>, stack = testStack()): Lakehouse {
  return new Lakehouse(stack, 'Lakehouse', { siteIds: ['zwickau'], ...props });
}

describe('Lakehouse props', () => {
  it('rejects invalid props before creating anything, listing every problem', () => {
    const stack = testStack();
    expect(() =>
      construct(
        {
          siteIds: ['Zwickau'],
          rawIntelligentTieringAfterDays: 120,
          rawGlacierInstantRetrievalAfterDays: 90,
          athenaResultsExpireAfterDays: 1.5,
          namePrefix: 'uns-mlops',
          firstPartitionDate: '2024-13-45',
        },
        stack,
      ),
    ).toThrow(
      [
        'Invalid Lakehouse props at TestStack/Lakehouse:',
        '  - athenaResultsExpireAfterDays (1.5) must be a whole number of days >= 1',
        '  - rawGlacierInstantRetrievalAfterDays (90) must be later than rawIntelligentTieringAfterDays (120)',
        '  - namePrefix "uns-mlops" must be 1-40 lowercase letters, digits or underscores, starting with a letter',
        '  - firstPartitionDate "2024-13-45" must be a date as yyyy-MM-dd',
        '  - siteIds: "Zwickau" must be 1-32 lowercase letters, digits or hyphens, starting with a letter (it is a UNS topic level)',
      ].join('\n'),
    );
    expect(stack.node.findAll().filter((child) => child instanceof CfnResource)).toEqual([]);
  });

  it('rejects an empty site list', () => {
    expect(() => construct({ siteIds: [] })).toThrow('siteIds must list at least one site');
  });

  it('rejects a given access-log bucket together with an expiry for the default one', () => {
    const stack = testStack();
    const logs = s3.Bucket.fromBucketName(stack, 'OrgLogs', 'org-access-logs');
    expect(() =>
      construct({ serverAccessLogsBucket: logs, accessLogsExpireAfterDays: 30 }, stack),
    ).toThrow('serverAccessLogsBucket and accessLogsExpireAfterDays exclude each other');
  });

  it('does not check values that are only known at deployment (tokens)', () => {
    const deployTimeDays = Lazy.number({ produce: () => 0 });
    expect(() => construct({ rawExpireAfterDays: deployTimeDays })).not.toThrow();
  });

  it('encrypts with a given key instead of creating one', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'OrgKey', { enableKeyRotation: true });
    const lakehouse = construct({ encryptionKey: key }, stack);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Key', 1);
    expect(lakehouse.encryptionKey).toBe(key);
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: {
        ResultConfiguration: {
          EncryptionConfiguration: { KmsKey: { 'Fn::GetAtt': [logicalIdOf(stack, key), 'Arn'] } },
        },
      },
    });
  });

  it('logs to a given access-log bucket instead of creating one', () => {
    const stack = testStack();
    const logs = s3.Bucket.fromBucketName(stack, 'OrgLogs', 'org-access-logs');
    Validations.of(stack).acknowledge({
      id: 'Annotation::@aws-cdk/aws-s3:accessLogsPolicyNotAdded',
      reason:
        'An imported log bucket keeps its own policy; this test checks only where the logs go.',
    });
    construct({ serverAccessLogsBucket: logs }, stack);
    const buckets = Object.values(Template.fromStack(stack).findResources('AWS::S3::Bucket'));
    expect(buckets).toHaveLength(3);
    for (const bucket of buckets) {
      expect(bucket.Properties.LoggingConfiguration.DestinationBucketName).toBe('org-access-logs');
    }
  });
});
