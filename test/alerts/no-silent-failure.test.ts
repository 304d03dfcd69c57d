/**
 * No resource of an environment can fail silently: every resource that can fail at run time has an
 * alarm, and every alarm notifies the environment's alert topic. Read from the whole app as
 * `cdk synth -c env=<name>` writes it (synthesized once per run).
 */
import { ArtifactMetadataEntryType } from 'aws-cdk-lib/cloud-assembly-schema';
import { stackName } from '../../lib/app';
import { ENVIRONMENT_NAMES } from '../support/app';
import { synthesizedApp, type SynthesizedApp } from '../support/assembly';

/** The resource types that can fail at run time, and the properties that name them literally. */
const WATCHED: Record<string, readonly string[]> = {
  'AWS::Lambda::Function': ['FunctionName'],
  'AWS::KinesisFirehose::DeliveryStream': ['DeliveryStreamName'],
  'AWS::MSK::Cluster': ['ClusterName'],
  'AWS::MSK::ServerlessCluster': ['ClusterName'],
  'AWS::RDS::DBInstance': ['DBInstanceIdentifier'],
  'AWS::SageMaker::Pipeline': ['PipelineName'],
  'AWS::StepFunctions::StateMachine': ['StateMachineName'],
  'AWS::Athena::WorkGroup': ['Name'],
  // Dead-letter queues only (see deadLetterQueues).
  'AWS::SQS::Queue': ['QueueName'],
};

/**
 * Functions without alarms, by construct path, each with why it cannot fail silently or why an
 * alarm would be noise. All run only while CloudFormation deploys a stack.
 */
const EXCEPTIONS: readonly { readonly path: RegExp; readonly reason: string }[] = [
  {
    path: /\/Custom::CDKBucketDeployment[^/]*\//,
    reason:
      "aws-cdk-lib's BucketDeployment provider: CloudFormation invokes it while the stack deploys, and its failure fails and rolls back the deployment",
  },
  {
    path: /\/AWS679f53fac002430cb0da5b7982bd2287\//,
    reason:
      "aws-cdk-lib's AwsCustomResource provider (SDK calls at deploy time): a failed call fails and rolls back the deployment",
  },
  {
    path: /\/framework-onEvent\//,
    reason:
      "aws-cdk-lib's custom resource provider framework: it runs a handler for CloudFormation and reports its failure back as a failed deployment",
  },
  {
    path: /\/ComplianceStore\/Migrator\//,
    reason:
      'the schema migrations of the compliance store, a custom resource handler: run only while the stack deploys, a failed migration fails the deployment',
  },
  {
    path: /\/ServerlessTopics\/Creator\//,
    reason:
      'creates the UNS topics on MSK Serverless, a custom resource handler: run only while the stack deploys, a failure fails the deployment',
  },
];

interface Resource {
  readonly stack: string;
  readonly id: string;
  readonly type: string;
  readonly path: string;
  readonly properties: Record<string, unknown>;
}

interface Alarm {
  readonly stack: string;
  readonly id: string;
  readonly properties: any;
}

/** The environment's own stacks (`UnsMlops-<Env>-*`), by name, with their templates. */
function environmentStacks(app: SynthesizedApp) {
  const prefix = stackName(app.config, '');
  return app.assembly.stacks
    .filter((artifact) => artifact.stackName.startsWith(prefix))
    .map((artifact) => ({
      name: artifact.stackName,
      template: artifact.template as { Resources: Record<string, any>; Outputs?: any },
      paths: new Map(
        artifact
          .findMetadataByType(ArtifactMetadataEntryType.LOGICAL_ID)
          .map((entry) => [entry.data as string, entry.path]),
      ),
    }));
}

/** Logical ids of the queues some resource sends its dead letters to. */
function deadLetterQueues(template: { Resources: Record<string, any> }): Set<string> {
  const ids = new Set<string>();
  const visit = (value: unknown, inDeadLetterConfig: boolean): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item, inDeadLetterConfig);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key === 'Fn::GetAtt' && inDeadLetterConfig && Array.isArray(child)) {
          ids.add(child[0] as string);
        }
        visit(child, inDeadLetterConfig || /deadletter/i.test(key));
      }
    }
  };
  for (const resource of Object.values(template.Resources)) visit(resource.Properties, false);
  return ids;
}

function collect(app: SynthesizedApp) {
  const resources: Resource[] = [];
  const alarms: Alarm[] = [];
  for (const { name, template, paths } of environmentStacks(app)) {
    const dlqs = deadLetterQueues(template);
    for (const [id, resource] of Object.entries(template.Resources)) {
      if (resource.Type === 'AWS::CloudWatch::Alarm') {
        alarms.push({ stack: name, id, properties: resource.Properties });
      } else if (WATCHED[resource.Type] !== undefined) {
        if (resource.Type === 'AWS::SQS::Queue' && !dlqs.has(id)) continue;
        resources.push({
          stack: name,
          id,
          type: resource.Type,
          path: paths.get(id) ?? id,
          properties: resource.Properties ?? {},
        });
      }
    }
  }
  return { config: app.config, resources, alarms, stacks: environmentStacks(app) };
}

/** What an alarm watches: its dimension values and Metrics Insights queries. */
function watchedBy(alarm: Alarm): { readonly values: unknown[]; readonly queries: string[] } {
  const { properties } = alarm;
  const metrics: any[] = properties.Metrics ?? [];
  const dimensions: any[] = [
    ...(properties.Dimensions ?? []),
    ...metrics.flatMap((metric) => metric.MetricStat?.Metric?.Dimensions ?? []),
  ];
  return {
    values: dimensions.map((dimension) => dimension.Value),
    queries: metrics.map((metric) => metric.Expression).filter((query) => query !== undefined),
  };
}

function isWatched(resource: Resource, alarms: readonly Alarm[]): boolean {
  const names = WATCHED[resource.type]!.map((property) => resource.properties[property]).filter(
    (name): name is string => typeof name === 'string',
  );
  return alarms.some((alarm) => {
    const { values, queries } = watchedBy(alarm);
    const sameStack = alarm.stack === resource.stack;
    return (
      values.some(
        (value: any) =>
          (sameStack &&
            (value?.Ref === resource.id || value?.['Fn::GetAtt']?.[0] === resource.id)) ||
          (typeof value === 'string' && names.includes(value)),
      ) || queries.some((query) => names.some((name) => query.includes(`'${name}'`)))
    );
  });
}

describe.each(ENVIRONMENT_NAMES)('the %s environment', (name) => {
  let found: ReturnType<typeof collect>;
  beforeAll(async () => {
    found = collect(await synthesizedApp(name));
  }, 600_000);

  it('has an alarm on every resource that can fail at run time, but the listed deploy-time functions', () => {
    const unwatched = found.resources
      .filter((resource) => !EXCEPTIONS.some((exception) => exception.path.test(resource.path)))
      .filter((resource) => !isWatched(resource, found.alarms))
      .map((resource) => `${resource.type} ${resource.path}`);
    expect(unwatched).toEqual([]);
  });

  it('excepts only functions, each for a reason that still applies', () => {
    const excepted = found.resources.filter((resource) =>
      EXCEPTIONS.some((exception) => exception.path.test(resource.path)),
    );
    expect(new Set(excepted.map((resource) => resource.type))).toEqual(
      new Set(['AWS::Lambda::Function']),
    );
    // Every exception still matches something: a stale one would hide a new function.
    for (const exception of EXCEPTIONS.filter(
      ({ path }) => !/ServerlessTopics/.test(path.source),
    )) {
      expect(excepted.some((resource) => exception.path.test(resource.path))).toBe(true);
    }
  });

  it('watches every kind of resource the issue names', () => {
    const kinds = new Set(found.resources.map((resource) => resource.type));
    for (const kind of [
      'AWS::Lambda::Function',
      'AWS::KinesisFirehose::DeliveryStream',
      'AWS::RDS::DBInstance',
      'AWS::SageMaker::Pipeline',
      'AWS::StepFunctions::StateMachine',
      'AWS::SQS::Queue',
      'AWS::Athena::WorkGroup',
    ]) {
      expect(kinds).toContain(kind);
    }
    expect(kinds.has('AWS::MSK::Cluster') || kinds.has('AWS::MSK::ServerlessCluster')).toBe(true);
  });

  it('notifies the environment’s alert topic from every alarm', () => {
    const alerts = found.stacks.find((stack) => stack.name === stackName(found.config, 'Alerts'));
    expect(alerts).toBeDefined();
    const [topicId] = Object.entries(alerts!.template.Resources)
      .filter(([, resource]) => resource.Type === 'AWS::SNS::Topic')
      .map(([id]) => id);
    const topicOutputs = new Set(
      Object.entries(alerts!.template.Outputs ?? {})
        .filter(([, output]: [string, any]) => output.Value?.Ref === topicId)
        .map(([outputName]) => outputName),
    );
    const silent = found.alarms
      .filter(
        (alarm) =>
          !(alarm.properties.AlarmActions ?? []).some(
            (action: any) =>
              action['Fn::GetStackOutput']?.StackName === alerts!.name &&
              topicOutputs.has(action['Fn::GetStackOutput'].OutputName),
          ),
      )
      .map((alarm) => `${alarm.stack} ${alarm.properties.AlarmName ?? alarm.id}`);
    expect(found.alarms.length).toBeGreaterThan(50);
    expect(silent).toEqual([]);
  });

  it('names every alarm once, under the environment’s prefix, and says what to look at', () => {
    const names = found.alarms.map((alarm) => alarm.properties.AlarmName);
    const unnamed = found.alarms.filter((alarm) => typeof alarm.properties.AlarmName !== 'string');
    expect(unnamed.map((alarm) => `${alarm.stack} ${alarm.id}`)).toEqual([]);
    expect(names.filter((alarmName, index) => names.indexOf(alarmName) !== index)).toEqual([]);
    for (const alarm of found.alarms) {
      expect(alarm.properties.AlarmName).toMatch(new RegExp(`^uns-mlops-${name}-`));
      expect(alarm.properties.AlarmDescription?.length ?? 0).toBeGreaterThan(30);
    }
  });
});

describe('the delivery pipeline', () => {
  let template: { Resources: Record<string, any> };
  beforeAll(async () => {
    template = (await synthesizedApp('dev')).stack('UnsMlops-Delivery').template;
  }, 600_000);
  const ofType = (type: string) =>
    Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

  it('alarms on its own alert topic when a run of the pipeline fails', () => {
    const [[pipelineId]] = ofType('AWS::CodePipeline::Pipeline') as [[string, any]];
    const [[topicId, topic]] = ofType('AWS::SNS::Topic') as [[string, any]];
    expect(topic.Properties.TopicName).toBe('uns-mlops-delivery-alerts');
    const [ruleId, failedRuns] = ofType('AWS::Events::Rule')
      .map(([id, rule]) => [id, rule.Properties])
      .find(([, rule]) => rule.Name === 'uns-mlops-delivery-pipeline-failed')!;
    expect(failedRuns.EventPattern).toEqual({
      source: ['aws.codepipeline'],
      'detail-type': ['CodePipeline Pipeline Execution State Change'],
      detail: { pipeline: [{ Ref: pipelineId }], state: ['FAILED'] },
    });
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    expect(alarms.map((alarm) => alarm.AlarmName)).toEqual(['uns-mlops-delivery-pipeline-failed']);
    expect(alarms[0].Dimensions).toEqual([{ Name: 'RuleName', Value: { Ref: ruleId } }]);
    expect(alarms[0].AlarmActions).toEqual([{ Ref: topicId }]);
  });
});
