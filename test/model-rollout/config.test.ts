/**
 * The `modelRollout` settings of an environment and the construct's props: defaults where an
 * environment sets nothing, every problem listed at once, and the version line that keeps the
 * registry's models apart from the repository's.
 */
import { Lazy } from 'aws-cdk-lib';
import { componentVersionOf } from '../../lambdas/model-rollout/src/model-bundle';
import type { EnvironmentConfig } from '../../lib/config/environment';
import { environments } from '../../lib/config/environments';
import { validateEnvironment } from '../../lib/config/validate';
import { MODEL_COMPONENT_NAME } from '../../lib/delivery/components';
import { readVersionLock } from '../../lib/delivery/versions';
import {
  MODEL_ROLLOUT_DEFAULTS,
  modelRolloutSettingsProblems,
  modelRolloutStepsProblems,
  resolveModelRolloutSettings,
} from '../../lib/model-rollout';

const dev = environments.find((environment) => environment.name === 'dev')!;

describe('modelRollout settings', () => {
  it('take the defaults where an environment sets none', () => {
    expect(environments.every((environment) => validateEnvironment(environment).length === 0)).toBe(
      true,
    );
    expect(resolveModelRolloutSettings(dev.modelRollout ?? {})).toEqual(MODEL_ROLLOUT_DEFAULTS);
    expect(resolveModelRolloutSettings({ bakeMinutes: 30, minAgreement: undefined })).toEqual({
      ...MODEL_ROLLOUT_DEFAULTS,
      bakeMinutes: 30,
    });
  });

  it('list every problem of an environment at once, each naming its setting', () => {
    const config: EnvironmentConfig = {
      ...dev,
      modelRollout: {
        bakeMinutes: 0,
        retryMinutes: 2.5,
        maxComparisons: 101,
        minAgreement: 95,
        maxAnomalyRateIncrease: 1,
        minWindowsCompared: 0,
        notificationEmails: ['ops@acme.example', 'not an address'],
      },
    };
    expect(validateEnvironment(config)).toEqual([
      'modelRollout.bakeMinutes (0) must be a whole number of minutes from 1 to 10080 (a week)',
      'modelRollout.retryMinutes (2.5) must be a whole number of minutes from 1 to 1440 (a day)',
      'modelRollout.maxComparisons (101) must be a whole number from 1 to 100',
      'modelRollout.minAgreement (95) must be a share above 0 and at most 1, e.g. 0.95 for 95 %',
      'modelRollout.maxAnomalyRateIncrease (1) must be a share from 0 to below 1, e.g. 0.05 for five percentage points',
      'modelRollout.minWindowsCompared (0) must be a whole number of windows, at least 1',
      'modelRollout.notificationEmails: "not an address" is not an email address',
      "modelRollout.notificationEmails: the environment's alert topic carries these notifications; list the addresses in alerts.notificationEmails",
    ]);
  });

  it('accept the limits themselves', () => {
    expect(
      modelRolloutSettingsProblems({
        bakeMinutes: 1,
        retryMinutes: 1440,
        maxComparisons: 1,
        minAgreement: 1,
        maxAnomalyRateIncrease: 0,
        minWindowsCompared: 1,
      }),
    ).toEqual([]);
  });

  it('are not checked while they are tokens', () => {
    const unresolved = Lazy.number({ produce: () => 0 });
    expect(modelRolloutSettingsProblems({ bakeMinutes: unresolved })).toEqual([]);
  });
});

describe('the rollout steps', () => {
  const target = { name: 'canary', thingGroup: 'uns-mlops-dev-canary' };
  const gate = { wave: 'x', targets: [], bakeSeconds: 1, pollSeconds: 1, timeoutSeconds: 2 };

  it('start with the canary, one thing group where the candidate runs in shadow', () => {
    expect(
      modelRolloutStepsProblems([{ name: 'canary', targets: [target], gateInput: gate }]),
    ).toEqual([]);
    expect(
      modelRolloutStepsProblems([
        { name: 'wave-1', targets: [target], gateInput: gate },
        { name: 'wave-2', targets: [], gateInput: gate },
      ]),
    ).toEqual([
      'steps must start with the canary, one thing group where the candidate runs in shadow (got wave-1, wave-2)',
      'steps: wave-2 has no thing group',
    ]);
  });
});

describe('model component versions', () => {
  it("keep the repository's model on 1.0.x, below every registry model's 1.<package version>.0", () => {
    const { version } = readVersionLock()[MODEL_COMPONENT_NAME]!;
    expect(version).toMatch(/^1\.0\.\d+$/);
    expect(componentVersionOf(1)).toBe('1.1.0');
    expect(componentVersionOf(42)).toBe('1.42.0');
  });
});
