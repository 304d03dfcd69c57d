import type { EnvironmentConfig } from '../../lib/config/environment';
import { environments } from '../../lib/config/environments';
import { EnvironmentConfigError, resolveEnvironment } from '../../lib/config/resolve';

const valid: EnvironmentConfig = {
  name: 'qa',
  account: '123456789012',
  region: 'eu-central-1',
  allowDestroy: false,
  plants: [
    {
      siteId: 'zwickau',
      displayName: 'Zwickau',
      lines: [{ id: 'body-weld-1', area: 'body-shop' }],
      greengrassThingGroup: 'uns-mlops-qa-zwickau',
    },
  ],
  lakehouse: {
    rawGlacierInstantRetrievalAfterDays: 90,
    lakeFormationAdminRoleArns: ['arn:aws:iam::123456789012:role/platform-admin'],
  },
  streaming: { vpcCidr: '10.40.0.0/16', availabilityZones: 2 },
  mlPipeline: { modelApprovalStatus: 'PendingManualApproval' },
  edgeRollout: {
    enterprise: 'acme',
    canary: { thingGroup: 'uns-mlops-qa-canary', siteId: 'zwickau' },
    waves: [['zwickau']],
  },
  complianceStore: {},
};

function errorOf(resolve: () => unknown): EnvironmentConfigError {
  try {
    resolve();
  } catch (error) {
    if (error instanceof EnvironmentConfigError) return error;
    throw error;
  }
  throw new Error('expected an EnvironmentConfigError, but the environment resolved');
}

function withChanges(changes: Partial<EnvironmentConfig>): EnvironmentConfig[] {
  return [{ ...valid, ...changes }];
}

describe('resolveEnvironment', () => {
  it('selects dev when no environment is given', () => {
    expect(resolveEnvironment(undefined).name).toBe('dev');
  });

  it('selects the environment named with -c env=<name>', () => {
    expect(resolveEnvironment('prod').name).toBe('prod');
    expect(resolveEnvironment('qa', [valid])).toBe(valid);
  });

  it.each(environments.map((environment) => environment.name))(
    'accepts the repository environment %s',
    (name) => {
      expect(() => resolveEnvironment(name)).not.toThrow();
    },
  );

  it('rejects an unknown environment name and lists the known ones', () => {
    const error = errorOf(() => resolveEnvironment('staging'));
    expect(error.message).toContain('Unknown environment "staging"');
    expect(error.message).toContain('known environments: dev, prod');
  });

  it('rejects a missing account', () => {
    const error = errorOf(() => resolveEnvironment('qa', withChanges({ account: '' })));
    expect(error.problems).toEqual(['account "" must be a 12-digit AWS account id']);
    expect(error.message).toBe(
      'Environment "qa" in lib/config/environments.ts is invalid (1 problem):\n' +
        '  - account "" must be a 12-digit AWS account id',
    );
  });

  it('rejects a region that is not an AWS region name', () => {
    const error = errorOf(() => resolveEnvironment('qa', withChanges({ region: 'Frankfurt' })));
    expect(error.problems).toEqual([
      'region "Frankfurt" must be an AWS region name such as "eu-central-1"',
    ]);
  });

  it.each(['Zwickau', 'plant a', 'plant/a', '9plant', 'plant+a', ''])(
    'rejects the site id %j, which is no valid UNS topic level',
    (siteId) => {
      const plant = { ...valid.plants[0]!, siteId };
      const error = errorOf(() => resolveEnvironment('qa', withChanges({ plants: [plant] })));
      expect(error.problems).toEqual([
        `plants[0].siteId ${JSON.stringify(siteId)} must be 1-32 lowercase letters, digits or hyphens, starting with a letter (it is a UNS topic level)`,
      ]);
    },
  );

  it('rejects a site id, line id or thing group used twice', () => {
    const plant = valid.plants[0]!;
    const error = errorOf(() =>
      resolveEnvironment(
        'qa',
        withChanges({
          plants: [
            { ...plant, lines: [plant.lines[0]!, plant.lines[0]!] },
            { ...plant, displayName: 'Zwickau 2' },
          ],
        }),
      ),
    );
    expect(error.problems).toEqual(
      expect.arrayContaining([
        'plants[0].lines: line id "body-weld-1" is used more than once',
        'plants: site id "zwickau" is used more than once',
        'plants: Greengrass thing group "uns-mlops-qa-zwickau" is used more than once',
      ]),
    );
  });

  it('rejects an environment without plants or a plant without lines', () => {
    expect(errorOf(() => resolveEnvironment('qa', withChanges({ plants: [] }))).problems).toEqual([
      'plants must list at least one plant',
    ]);
    const lineless = { ...valid.plants[0]!, lines: [] };
    expect(
      errorOf(() => resolveEnvironment('qa', withChanges({ plants: [lineless] }))).problems,
    ).toEqual(['plants[0].lines must list at least one line']);
  });

  it('rejects Lakehouse sizes that the Lakehouse construct would reject, named under lakehouse.', () => {
    const error = errorOf(() =>
      resolveEnvironment(
        'qa',
        withChanges({
          lakehouse: {
            rawIntelligentTieringAfterDays: 30,
            rawGlacierInstantRetrievalAfterDays: 10,
            athenaResultsExpireAfterDays: 0,
            athenaBytesScannedCutoffGiB: 0.001,
            lakeFormationAdminRoleArns: ['platform-admin'],
          },
        }),
      ),
    );
    expect(error.problems).toEqual([
      'lakehouse.athenaResultsExpireAfterDays (0) must be a whole number of days >= 1',
      'lakehouse.rawGlacierInstantRetrievalAfterDays (10) must be later than rawIntelligentTieringAfterDays (30)',
      "lakehouse.athenaBytesScannedCutoffGiB (0.001) must be at least 10 MB (Athena's minimum)",
      'lakehouse.lakeFormationAdminRoleArns: "platform-admin" must be an IAM role ARN',
    ]);
  });

  it('rejects a rollout whose canary or waves do not match the plants', () => {
    const plant = valid.plants[0]!;
    const error = errorOf(() =>
      resolveEnvironment(
        'qa',
        withChanges({
          plants: [plant, { ...plant, siteId: 'leipzig', greengrassThingGroup: 'qa-leipzig' }],
          edgeRollout: {
            enterprise: 'acme',
            canary: { thingGroup: 'uns-mlops-qa-zwickau', siteId: 'dresden' },
            waves: [['zwickau', 'chemnitz'], ['zwickau']],
            bakeMinutes: 0,
          },
        }),
      ),
    );
    expect(error.problems).toEqual([
      'edgeRollout.canary.thingGroup "uns-mlops-qa-zwickau" is a plant\'s group; the canary needs a group of its own',
      'edgeRollout.canary.siteId "dresden" is not a plant of this environment (zwickau, leipzig)',
      'edgeRollout.waves[0]: "chemnitz" is not a plant of this environment',
      'edgeRollout.waves: "zwickau" is in more than one wave',
      'edgeRollout.waves: plant "leipzig" is in no wave, so it would never get new versions',
      'edgeRollout.bakeMinutes (0) must be a number above 0 and at most 1440',
    ]);
  });

  it('rejects a gate that would time out before its bake time is over', () => {
    const error = errorOf(() =>
      resolveEnvironment(
        'qa',
        withChanges({ edgeRollout: { ...valid.edgeRollout, bakeMinutes: 60 } }),
      ),
    );
    expect(error.problems).toEqual([
      "edgeRollout.gateTimeoutMinutes (60) must be longer than bakeMinutes (60): the gate's timeout counts from its start, bake time included",
    ]);
  });

  it('rejects a plant broker that is no MQTT URL', () => {
    const plant = { ...valid.plants[0]!, brokerUrl: 'tcp://uns:1883' };
    expect(
      errorOf(() => resolveEnvironment('qa', withChanges({ plants: [plant] }))).problems,
    ).toEqual([
      'plants[0].brokerUrl "tcp://uns:1883" must be an mqtt://, mqtts://, ws:// or wss:// URL',
    ]);
  });

  it('lists every problem of an environment in one error', () => {
    const error = errorOf(() =>
      resolveEnvironment(
        'qa',
        withChanges({
          account: '12345',
          region: 'mars-1',
          plants: [{ ...valid.plants[0]!, displayName: ' ' }],
        }),
      ),
    );
    expect(error.problems).toHaveLength(3);
    expect(error.message.split('\n')).toHaveLength(4);
    expect(error.message).toContain('(3 problems)');
  });
});
