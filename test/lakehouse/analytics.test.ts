import { RemovalPolicy } from 'aws-cdk-lib';
import { logicalIdOf, synthLakehouse } from '../support/lakehouse';

describe('Lakehouse Athena workgroup', () => {
  const { stack, lakehouse, template } = synthLakehouse({ athenaBytesScannedCutoffGiB: 25 });
  const workGroup = Object.values(template.findResources('AWS::Athena::WorkGroup'))[0]!;
  const configuration = workGroup.Properties.WorkGroupConfiguration;

  it('enforces its configuration on every query and publishes metrics', () => {
    expect(configuration.EnforceWorkGroupConfiguration).toBe(true);
    expect(configuration.PublishCloudWatchMetricsEnabled).toBe(true);
    expect(configuration.EngineVersion).toEqual({
      SelectedEngineVersion: 'Athena engine version 3',
    });
  });

  it('encrypts results with the Lakehouse key in the results bucket', () => {
    expect(configuration.ResultConfiguration.EncryptionConfiguration).toEqual({
      EncryptionOption: 'SSE_KMS',
      KmsKey: { 'Fn::GetAtt': [logicalIdOf(stack, lakehouse.encryptionKey), 'Arn'] },
    });
    expect(JSON.stringify(configuration.ResultConfiguration.OutputLocation)).toContain(
      logicalIdOf(stack, lakehouse.storage.athenaResultsBucket),
    );
  });

  it('cancels a query that scans more than the configured limit', () => {
    expect(configuration.BytesScannedCutoffPerQuery).toBe(25 * 1024 ** 3);
  });

  it('keeps query history when the stack is deleted, unless the environment is destroyable', () => {
    expect(workGroup.Properties.RecursiveDeleteOption).toBe(false);
    const { template: destroyable } = synthLakehouse({ removalPolicy: RemovalPolicy.DESTROY });
    destroyable.hasResourceProperties('AWS::Athena::WorkGroup', { RecursiveDeleteOption: true });
  });

  it('saves the common analyses as named queries over the curated database', () => {
    const queries = Object.values(template.findResources('AWS::Athena::NamedQuery')).map(
      (q) => q.Properties,
    );
    expect(queries.map((query) => query.Name).sort()).toEqual([
      'anomaly-rate-per-line-per-day',
      'telemetry-coverage-per-asset-per-day',
      'top-contract-violations',
      'validation-compliance-per-site',
    ]);
    const curatedDatabaseId = logicalIdOf(stack, lakehouse.catalog.curated.database);
    for (const query of queries) {
      expect(query.Database).toEqual({ Ref: curatedDatabaseId });
      expect(query.WorkGroup).toEqual({ Ref: logicalIdOf(stack, lakehouse.analytics.workGroup) });
      const sql = (query.QueryString['Fn::Join'][1] as unknown[])
        .map((part) => (typeof part === 'string' ? part : '<curated>'))
        .join('');
      expect(sql).toMatch(/FROM "<curated>"\."\w+"\s+WHERE dt >= /);
    }
  });
});
