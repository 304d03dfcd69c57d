import type { EnvironmentConfig } from '../../lib/config/environment';
import { environments } from '../../lib/config/environments';
import { resolveEnvironment } from '../../lib/config/resolve';
import { modelDriftMonitorSettingsProblems } from '../../lib/model-monitoring';

function environment(name: string): EnvironmentConfig {
  const found = environments.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no environment ${name}`);
  return found;
}

describe('model monitoring settings of the environments', () => {
  it('are valid in every environment, and prod notifies its team through its alert topic', () => {
    for (const { name } of environments) expect(() => resolveEnvironment(name)).not.toThrow();
    // The drift alarms notify the environment's topic, which the team subscribes to.
    expect(environment('prod').modelMonitoring?.notificationEmails).toBeUndefined();
    expect(environment('prod').alerts?.notificationEmails?.length).toBeGreaterThan(0);
  });

  it('may be left out: every default holds', () => {
    const dev = { ...environment('dev'), modelMonitoring: undefined };
    expect(resolveEnvironment('dev', [dev]).modelMonitoring).toBeUndefined();
  });

  it('are reported with their path, every problem at once', () => {
    const dev = environment('dev');
    const broken: EnvironmentConfig = {
      ...dev,
      modelMonitoring: {
        checkIntervalMinutes: 90,
        lookbackHours: 1,
        driftedShareThreshold: 1.5,
        retrainingCooldownHours: 0,
        notificationEmails: ['ops@acme.example', 'ops@acme.example', 'not an address'],
      },
    };
    expect(() => resolveEnvironment('dev', [broken])).toThrow(
      [
        'Environment "dev" in lib/config/environments.ts is invalid (6 problems):',
        '  - modelMonitoring.driftedShareThreshold (1.5) must be a share above 0 and at most 1 (0.5 is half of the evaluations)',
        '  - modelMonitoring.retrainingCooldownHours (0) must be a number of hours above 0, at most 720',
        '  - modelMonitoring.lookbackHours (1) must cover at least one checkIntervalMinutes (90), or evaluations between two checks are never counted',
        '  - modelMonitoring.notificationEmails: "not an address" is not an email address',
        '  - modelMonitoring.notificationEmails: "ops@acme.example" is listed more than once',
        "  - modelMonitoring.notificationEmails: the environment's alert topic carries these notifications; list the addresses in alerts.notificationEmails",
      ].join('\n'),
    );
  });
});

describe('the alarm window', () => {
  it('stays within what CloudWatch evaluates: a day below hourly periods, a week from them on', () => {
    expect(
      modelDriftMonitorSettingsProblems({ checkIntervalMinutes: 30, alarmEvaluationPeriods: 49 }),
    ).toEqual([
      'alarmEvaluationPeriods (49) × checkIntervalMinutes (30) must span at most one day, CloudWatch’s limit for this period',
    ]);
    expect(
      modelDriftMonitorSettingsProblems({ checkIntervalMinutes: 30, alarmEvaluationPeriods: 48 }),
    ).toEqual([]);
    expect(
      modelDriftMonitorSettingsProblems({
        checkIntervalMinutes: 1440,
        lookbackHours: 24,
        alarmEvaluationPeriods: 8,
      }),
    ).toEqual([
      'alarmEvaluationPeriods (8) × checkIntervalMinutes (1440) must span at most seven days, CloudWatch’s limit for this period',
    ]);
  });
});
