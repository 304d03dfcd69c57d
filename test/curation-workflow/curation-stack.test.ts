/**
 * The curation stack of each environment: its schedule from the environment's `curation` settings,
 * the state machine's logs and traces, where it sits among the stacks, cdk-nag and cfn-lint.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { stackName } from '../../lib/app';
import { byId, only } from '../support/resources';
import { buildCuration } from './support';
import { cfnLint } from '../support/cfn-lint';

describe('the curation schedule', () => {
  it('starts the workflow with the defaults daily at the configured time', () => {
    const dev = buildCuration('dev');
    const template = Template.fromStack(dev.stack);
    const { resource } = only(template, 'AWS::Scheduler::Schedule');
    expect(resource.Properties).toMatchObject({
      ScheduleExpression: 'cron(30 2 * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: { Ref: only(template, 'AWS::StepFunctions::StateMachine').id },
        RoleArn: {
          'Fn::GetAtt': [byId(template, 'AWS::IAM::Role', 'CurationScheduleRole').id, 'Arn'],
        },
        Input: '{}',
      },
    });
  });

  it('follows the environment’s schedule and can be switched off, keeping the schedule', () => {
    const { stack } = buildCuration('dev', {
      scheduleExpression: 'cron(0 4 * * ? *)',
      scheduleTimeZone: 'Europe/Berlin',
      scheduleEnabled: false,
    });
    expect(
      only(Template.fromStack(stack), 'AWS::Scheduler::Schedule').resource.Properties,
    ).toMatchObject({
      ScheduleExpression: 'cron(0 4 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      State: 'DISABLED',
    });
  });

  it('gives the plan function the Lakehouse sites and the environment’s lookback', () => {
    const prod = buildCuration('prod');
    const fn = byId(
      Template.fromStack(prod.stack),
      'AWS::Lambda::Function',
      'CurationFunctionsPlan',
    );
    expect(fn.resource.Properties.Environment.Variables).toEqual({
      POWERTOOLS_SERVICE_NAME: 'lakehouse-curation',
      SITE_IDS: 'zwickau,mlada-boleslav',
      LOOKBACK_DAYS: String(prod.config.curation!.lookbackDays),
    });
  });
});

describe.each(['dev', 'prod'])('the %s curation stack', (name) => {
  // A fresh app: synthesis runs the compliance checks once, on the first synth.
  const built = buildCuration(name);
  const template = Template.fromStack(built.stack);
  let synthesized = false;
  const synth = () => {
    if (!synthesized) built.app.synth();
    synthesized = true;
    return built.outdir;
  };

  it('names the state machine after the environment, Standard, traced, logging to a log group under the network’s log key', () => {
    const { resource } = only(template, 'AWS::StepFunctions::StateMachine');
    expect(resource.Properties).toMatchObject({
      StateMachineName: `uns-mlops-${name}-lakehouse-curation`,
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
    });
    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(logGroups).toHaveLength(4);
    for (const logGroup of logGroups) {
      expect(logGroup.Properties.KmsKeyId['Fn::GetStackOutput'].StackName).toBe(
        stackName(built.config, 'Network'),
      );
      expect(logGroup.Properties.RetentionInDays).toBe(365);
    }
  });

  it('bundles each function from the lakehouse-curation workspace, with its own handler', () => {
    const outdir = synth();
    const synthesized = JSON.parse(
      readFileSync(join(outdir, `${built.stack.artifactId}.template.json`), 'utf8'),
    );
    for (const [prefix, handler] of [
      ['CurationFunctionsPlan', 'index.plan'],
      ['CurationFunctionsClearPartition', 'index.clearPartition'],
      ['CurationFunctionsReport', 'index.report'],
    ] as const) {
      const [, fn] = Object.entries<any>(synthesized.Resources).find(
        ([id, resource]) => id.startsWith(prefix) && resource.Type === 'AWS::Lambda::Function',
      )!;
      expect(fn.Properties.Handler).toBe(handler);
      const asset = join(outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
      expect(readFileSync(join(asset, 'index.js'), 'utf8')).toContain('lakehouse-curation');
    }
  });

  it('deploys after the alerts, the Lakehouse and the network', () => {
    expect(built.stack.dependencies.map((stack) => stack.stackName).sort()).toEqual(
      ['Alerts', 'Lakehouse', 'Network'].map((part) => stackName(built.config, part)).sort(),
    );
  });

  it('synthesizes with no unacknowledged cdk-nag finding (AwsSolutions, NIST 800-53 rev 5)', () => {
    expect(() => synth()).not.toThrow();
  });

  it('passes cfn-lint with no error or warning, with the Lakehouse stack it exports from', () => {
    expect(cfnLint(built.templateFiles(built.stack, built.lakehouse))).toEqual({
      status: 0,
      findings: '',
      error: '',
    });
  });
});
