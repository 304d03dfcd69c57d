import { Template } from 'aws-cdk-lib/assertions';
import type { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { stackName } from '../../lib/app';
import { ENVIRONMENT_NAMES } from '../support/app';
import { type SynthesizedApp, synthesizedApp } from '../support/assembly';
import { cfnLint } from '../support/cfn-lint';
import { type DashboardBody, dashboardNamed, dashboards, type Reference } from './dashboard-body';

/** A resource of one of the environment's stacks. */
interface StackResource {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  readonly properties: any;
}

/** The dimension naming each kind of resource, and the resource type it must name. */
const DIMENSION_TYPES: Record<string, string> = {
  FunctionName: 'AWS::Lambda::Function',
  DeliveryStreamName: 'AWS::KinesisFirehose::DeliveryStream',
  StateMachineArn: 'AWS::StepFunctions::StateMachine',
  DBInstanceIdentifier: 'AWS::RDS::DBInstance',
  ApiId: 'AWS::ApiGatewayV2::Api',
};

describe.each(ENVIRONMENT_NAMES)('the dashboards of %s', (name) => {
  let app: SynthesizedApp;
  let stacks: CloudFormationStackArtifact[];
  let all: DashboardBody[];
  const prefix = `uns-mlops-${name}`;

  beforeAll(async () => {
    app = await synthesizedApp(name);
    stacks = app.assembly.stacks.filter((stack) => stack.stackName.startsWith('UnsMlops-'));
    all = dashboards(app.template('Dashboards'));
  });

  /** Every resource of the environment's stacks of `type`. */
  const resourcesOf = (type: string): StackResource[] =>
    stacks.flatMap((stack) =>
      Object.entries((stack.template.Resources ?? {}) as Record<string, any>)
        .filter(([, resource]) => resource.Type === type)
        .map(([logicalId, resource]) => ({
          stack: stack.stackName,
          logicalId,
          type: resource.Type,
          properties: resource.Properties,
        })),
    );

  /** The resource a reference of the dashboards stack ends at, through another stack's output. */
  const resolve = (reference: Reference, stack = stackName(app.config, 'Dashboards')) => {
    const template = stacks.find((candidate) => candidate.stackName === stack)!.template;
    const fromOutput = reference['Fn::GetStackOutput'] as
      { StackName: string; OutputName: string } | undefined;
    if (fromOutput !== undefined) {
      const producer = stacks.find((candidate) => candidate.stackName === fromOutput.StackName);
      const output = producer?.template.Outputs?.[fromOutput.OutputName];
      if (output === undefined) {
        throw new Error(`${fromOutput.StackName} has no output ${fromOutput.OutputName}`);
      }
      return resolve(output.Value, fromOutput.StackName);
    }
    const ref = reference.Ref as string | undefined;
    const getAtt = reference['Fn::GetAtt'] as [string, string] | undefined;
    const logicalId = ref ?? getAtt?.[0];
    if (logicalId === undefined) throw new Error(`unexpected ${JSON.stringify(reference)}`);
    const resource = template.Resources?.[logicalId];
    if (resource === undefined) throw new Error(`${stack} has no resource ${logicalId}`);
    return { stack, logicalId, type: resource.Type as string, properties: resource.Properties };
  };

  it('are one for the environment and one per configured plant', () => {
    expect(all.map((dashboard) => dashboard.name).sort()).toEqual(
      [prefix, ...app.config.plants.map(({ siteId }) => `${prefix}-${siteId}`)].sort(),
    );
  });

  it('take from the other stacks only outputs that name their resources', () => {
    const references = all.flatMap((dashboard) => dashboard.references);
    expect(references.length).toBeGreaterThan(0);
    for (const reference of references) {
      if (reference.Ref === 'AWS::Region' || reference.Ref === 'AWS::Partition') continue;
      expect(() => resolve(reference)).not.toThrow();
    }
  });

  it('graph functions, streams, workflows, the database and the API of the environment', () => {
    const seen = new Set<string>();
    for (const { dimensions } of all.flatMap((dashboard) => dashboard.metrics)) {
      for (const [dimension, type] of Object.entries(DIMENSION_TYPES)) {
        const value = dimensions[dimension];
        if (value === undefined) continue;
        expect(typeof value).toBe('object');
        expect(resolve(value as Reference).type).toBe(type);
        seen.add(dimension);
      }
    }
    expect([...seen].sort()).toEqual(Object.keys(DIMENSION_TYPES).sort());
  });

  it('graph every function that consumes MSK, and the lag of each of its consumer groups', () => {
    const environment = dashboardNamed(all, prefix);
    const mappings = resourcesOf('AWS::Lambda::EventSourceMapping').filter(
      ({ properties }) => properties.AmazonManagedKafkaEventSourceConfig !== undefined,
    );
    expect(mappings.length).toBeGreaterThan(0);
    const lagged = environment.metrics
      .filter(({ metricName }) => metricName === 'MaxOffsetLag')
      .map(({ dimensions }) => JSON.stringify([dimensions['Consumer Group'], dimensions.Topic]));
    expect(lagged.sort()).toEqual(
      mappings
        .map(({ properties }) =>
          JSON.stringify([
            properties.AmazonManagedKafkaEventSourceConfig.ConsumerGroupId,
            properties.Topics[0],
          ]),
        )
        .sort(),
    );
    const consumers = new Set(
      environment.metrics
        .filter(({ metricName }) => metricName === 'OffsetLag')
        .map(({ dimensions }) => resolve(dimensions.FunctionName as Reference).logicalId),
    );
    const mapped = new Set(mappings.map(({ properties }) => properties.FunctionName.Ref));
    expect(consumers).toEqual(mapped);
  });

  it('graph every Firehose stream into the Lakehouse', () => {
    const graphed = dashboardNamed(all, prefix)
      .metrics.filter(({ metricName }) => metricName === 'DeliveryToS3.Success')
      .map(({ dimensions }) => resolve(dimensions.DeliveryStreamName as Reference).logicalId);
    expect(graphed.sort()).toEqual(
      resourcesOf('AWS::KinesisFirehose::DeliveryStream')
        .map(({ logicalId }) => logicalId)
        .sort(),
    );
  });

  it('name the cluster, the pipeline, the workgroup and the model the other stacks create', () => {
    const metrics = dashboardNamed(all, prefix).metrics;
    const dimension = (key: string) =>
      new Set(metrics.map(({ dimensions }) => dimensions[key]).filter((v) => v !== undefined));
    const clusters = [
      ...resourcesOf('AWS::MSK::ServerlessCluster'),
      ...resourcesOf('AWS::MSK::Cluster'),
    ];
    expect(dimension('Cluster Name')).toEqual(
      new Set(clusters.map(({ properties }) => properties.ClusterName)),
    );
    expect(dimension('PipelineName')).toEqual(
      new Set(
        resourcesOf('AWS::SageMaker::Pipeline').map(({ properties }) => properties.PipelineName),
      ),
    );
    const [workGroup] = resourcesOf('AWS::Athena::WorkGroup');
    expect(dashboardNamed(all, prefix).expressions).toContainEqual(
      expect.stringContaining(`WorkGroup="${workGroup!.properties.Name}"`),
    );
    const driftCheck = resourcesOf('AWS::Lambda::Function').find(
      ({ properties }) => properties.Environment?.Variables?.MONITORED_MODELS !== undefined,
    );
    expect(dimension('Model')).toEqual(
      new Set([driftCheck!.properties.Environment.Variables.MONITORED_MODELS]),
    );
  });

  it('give each plant a dashboard whose metrics carry its Site only', () => {
    for (const { siteId } of app.config.plants) {
      const plant = dashboardNamed(all, `${prefix}-${siteId}`);
      expect(plant.metrics.length).toBeGreaterThan(0);
      for (const metric of plant.metrics) expect(metric.dimensions.Site).toBe(siteId);
    }
  });

  it('show each plant’s KPI, no-data, spool and drift alarms', () => {
    for (const { siteId } of app.config.plants) {
      const plant = dashboardNamed(all, `${prefix}-${siteId}`);
      const widget = plant.widgets.find(({ type }) => type === 'alarm');
      const alarms = (widget.properties.alarms as string[]).map(
        (alarm) => resolve(plant.value(alarm) as Reference).properties.AlarmName,
      );
      expect(alarms).toEqual(
        expect.arrayContaining([
          `${prefix}-edge-${siteId}-valid-share`,
          `${prefix}-plant-${siteId}-no-data`,
          `${prefix}-plant-${siteId}-spool-growing`,
          `${prefix}-model-drift-${siteId}`,
        ]),
      );
    }
  });

  it('pass cfn-lint', () => {
    expect(cfnLint([app.stack(stackName(app.config, 'Dashboards')).templateFullPath])).toEqual({
      status: 0,
      findings: '',
      error: '',
    });
  });

  it('pass cdk-nag: the stack has no acknowledged finding, as none applies', () => {
    const template = Template.fromJSON(app.stack(stackName(app.config, 'Dashboards')).template);
    expect(JSON.stringify(template.toJSON())).not.toContain('cdk_nag');
  });
});
