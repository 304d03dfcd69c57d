import { Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { environments } from '../../lib/config/environments';
import { EnvironmentConfigError, resolveEnvironment } from '../../lib/config/resolve';
import { LakehouseCuration } from '../../lib/curation';
import { Lakehouse } from '../../lib/lakehouse';
import { newApp } from '../support/app';
import { ACCOUNT, REGION } from '../support/lakehouse';

function curationIn(props: Partial<ConstructorParameters<typeof LakehouseCuration>[2]>) {
  const stack = new Stack(newApp(), 'TestStack', { env: { account: ACCOUNT, region: REGION } });
  const lakehouse = new Lakehouse(stack, 'Lakehouse', { siteIds: ['zwickau'] });
  const logKey = new kms.Key(stack, 'LogKey', { enableKeyRotation: true });
  return () =>
    new LakehouseCuration(stack, 'Curation', {
      lakehouse,
      logKey,
      namePrefix: 'uns-mlops-test',
      ...props,
    });
}

describe('Lakehouse curation props', () => {
  it('lists every invalid prop at once, before creating anything', () => {
    expect(
      curationIn({
        namePrefix: 'uns mlops',
        lookbackDays: 0,
        maxConcurrentPartitions: 11,
        scheduleExpression: 'daily at 02:30',
        scheduleTimeZone: 'Central European Time',
      }),
    ).toThrow(
      [
        'Invalid Lakehouse curation props at TestStack/Curation:',
        '  - namePrefix "uns mlops" must be 1-60 letters, digits, hyphens or underscores, starting with a letter or digit',
        "  - lookbackDays (0) must be a whole number from 1 to 31; name older days in a run's input instead",
        "  - maxConcurrentPartitions (11) must be a whole number from 1 to 10: each partition runs an Athena DML query, and the account's quota of active ones is shared",
        '  - scheduleExpression "daily at 02:30" must be rate(<n> <unit>), cron(<6 fields>) or at(yyyy-mm-ddThh:mm:ss)',
        '  - scheduleTimeZone "Central European Time" must be an IANA time zone such as "UTC" or "Europe/Berlin"',
      ].join('\n'),
    );
  });

  it('accepts the defaults', () => {
    expect(curationIn({})).not.toThrow();
  });
});

describe('curation settings of the environments', () => {
  it('reports invalid settings with their path, with the other problems of the environment', () => {
    const dev = environments.find((environment) => environment.name === 'dev')!;
    const broken = {
      ...dev,
      curation: { lookbackDays: 2.5, scheduleEnabled: 'no' as unknown as boolean },
    };
    let error: unknown;
    try {
      resolveEnvironment('dev', [broken]);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EnvironmentConfigError);
    expect((error as EnvironmentConfigError).problems).toEqual([
      "curation.lookbackDays (2.5) must be a whole number from 1 to 31; name older days in a run's input instead",
      'curation.scheduleEnabled ("no") must be true or false',
    ]);
  });

  it('accepts an environment without a curation section (every default)', () => {
    const dev = environments.find((environment) => environment.name === 'dev')!;
    expect(() => resolveEnvironment('dev', [{ ...dev, curation: undefined }])).not.toThrow();
  });
});
