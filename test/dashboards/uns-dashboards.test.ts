import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { EnvironmentConfig, PlantConfig } from '../../lib/config/environment';
import { resolveEnvironment } from '../../lib/config/resolve';
import { PIPELINE_NAMESPACE, UnsDashboards, type UnsDashboardsProps } from '../../lib/dashboards';
import { dashboardNamed, dashboards } from './dashboard-body';

/**
 * The dashboards of `config` in a stack of their own, over resources imported by name (the
 * construct takes resources by interface; the app's stack hands it the real ones).
 */
function build(
  config: EnvironmentConfig,
  change: (stack: Stack, props: UnsDashboardsProps) => Partial<UnsDashboardsProps> = () => ({}),
) {
  const stack = new Stack(new App(), 'Dashboards', {
    env: { account: config.account, region: config.region },
  });
  const fn = (name: string) =>
    lambda.Function.fromFunctionArn(
      stack,
      name,
      `arn:aws:lambda:${config.region}:${config.account}:function:${name}`,
    );
  const props: UnsDashboardsProps = {
    environmentName: config.name,
    plants: config.plants,
    dataPath: {
      clusterName: 'uns-mlops',
      clusterMode: 'serverless',
      topics: ['uns.telemetry', 'uns.validation'],
      consumers: [
        {
          label: 'telemetry flattener',
          function: fn('telemetry-flattener'),
          subscriptions: [{ topic: 'uns.telemetry', consumerGroup: 'lakehouse-telemetry' }],
        },
        {
          label: 'edge KPIs',
          function: fn('edge-kpis'),
          subscriptions: [
            { topic: 'uns.validation', consumerGroup: 'kpis-validation' },
            { topic: 'uns.heartbeat', consumerGroup: 'kpis-heartbeat' },
          ],
        },
      ],
      streams: [
        {
          table: 'uns_telemetry',
          stream: firehose.DeliveryStream.fromDeliveryStreamName(stack, 'Stream', 'telemetry'),
        },
      ],
      buckets: [{ zone: 'raw', bucket: s3.Bucket.fromBucketName(stack, 'Raw', 'raw-bucket') }],
      workGroup: new athena.CfnWorkGroup(stack, 'WorkGroup', { name: 'lakehouse' }),
    },
    mlPipeline: {
      pipelineName: 'anomaly-pipeline',
      stateMachines: [
        {
          label: 'Lakehouse curation',
          stateMachine: sfn.StateMachine.fromStateMachineName(stack, 'Curation', 'curation'),
        },
      ],
      driftCheck: fn('drift-check'),
      retrainingTrigger: fn('retraining'),
      driftNamespace: 'UnsMlops/ModelDrift',
      modelName: 'weld-anomaly',
    },
    compliance: {
      database: rds.DatabaseInstance.fromDatabaseInstanceAttributes(stack, 'Db', {
        instanceIdentifier: 'validation',
        instanceEndpointAddress: 'validation.example',
        port: 5432,
        securityGroups: [],
      }),
      api: apigwv2.HttpApi.fromHttpApiAttributes(stack, 'Api', { httpApiId: 'api123' }),
      apiFunction: fn('api'),
      ingestFunction: fn('ingest'),
      ingestNamespace: 'UnsMlops/Compliance',
      ingestService: 'validation-ingest',
    },
  };
  new UnsDashboards(stack, 'Dashboards', { ...props, ...change(stack, props) });
  return dashboards(Template.fromStack(stack));
}

const dev = resolveEnvironment('dev');
const prod = resolveEnvironment('prod');
const anotherPlant: PlantConfig = {
  siteId: 'puebla',
  displayName: 'Puebla paint shop',
  lines: [{ id: 'paint-1', area: 'paint' }],
  greengrassThingGroup: 'uns-mlops-dev-puebla',
};

describe('which dashboards', () => {
  it.each([
    ['dev', dev, ['uns-mlops-dev', 'uns-mlops-dev-zwickau']],
    ['prod', prod, ['uns-mlops-prod', 'uns-mlops-prod-zwickau', 'uns-mlops-prod-mlada-boleslav']],
  ])('%s: one for the environment and one per configured plant', (_name, config, names) => {
    expect(
      build(config)
        .map((dashboard) => dashboard.name)
        .sort(),
    ).toEqual([...names].sort());
  });

  it('a plant added to the configuration gets a dashboard and a link from the environment’s', () => {
    const all = build({ ...dev, plants: [...dev.plants, anotherPlant] });
    expect(all.map((dashboard) => dashboard.name)).toContain('uns-mlops-dev-puebla');
    expect(dashboardNamed(all, 'uns-mlops-dev').text.join('\n')).toContain(
      '#dashboards/dashboard/uns-mlops-dev-puebla',
    );
  });

  it('names the dashboards after a given prefix', () => {
    const all = build(dev, () => ({ namePrefix: 'acme-dev' }));
    expect(all.map((dashboard) => dashboard.name).sort()).toEqual(['acme-dev', 'acme-dev-zwickau']);
  });
});

describe('the environment’s dashboard', () => {
  const environment = dashboardNamed(build(prod), 'uns-mlops-prod');
  const metricsOf = (namespace: string) =>
    environment.metrics.filter((metric) => metric.namespace === namespace);

  it('opens a row for the data path, the ML pipeline and the compliance store', () => {
    const headings = environment.text.map((markdown) => markdown.split('\n')[0]);
    expect(headings).toEqual([
      '# uns-mlops prod',
      expect.stringMatching(/^## Data path/),
      expect.stringMatching(/^## ML pipeline/),
      expect.stringMatching(/^## Compliance store/),
    ]);
  });

  it('graphs bytes and messages in per topic, and the lag of every consumer group', () => {
    const kafka = metricsOf('AWS/Kafka');
    for (const metricName of ['BytesInPerSec', 'MessagesInPerSec']) {
      expect(
        kafka
          .filter((metric) => metric.metricName === metricName)
          .map((metric) => metric.dimensions),
      ).toEqual([
        { 'Cluster Name': 'uns-mlops', Topic: 'uns.telemetry' },
        { 'Cluster Name': 'uns-mlops', Topic: 'uns.validation' },
      ]);
    }
    for (const metricName of ['MaxOffsetLag', 'EstimatedMaxTimeLag']) {
      expect(
        kafka
          .filter((metric) => metric.metricName === metricName)
          .map((metric) => metric.dimensions['Consumer Group']),
      ).toEqual(['lakehouse-telemetry', 'kpis-validation', 'kpis-heartbeat']);
    }
  });

  it('adds up the brokers of a provisioned cluster per topic', () => {
    const all = build(prod, (_stack, { dataPath }) => ({
      dataPath: { ...dataPath, clusterMode: 'provisioned' },
    }));
    const provisioned = dashboardNamed(all, 'uns-mlops-prod');
    expect(provisioned.metrics.filter((metric) => metric.metricName === 'BytesInPerSec')).toEqual(
      [],
    );
    expect(provisioned.expressions).toContain(
      `SUM(SEARCH('{AWS/Kafka,"Broker ID","Cluster Name",Topic} MetricName="BytesInPerSec" "Cluster Name"="uns-mlops" Topic="uns.telemetry"', 'Average', 300))`,
    );
  });

  it('graphs every MSK consumer’s invocations, errors, duration and OffsetLag', () => {
    for (const metricName of ['Invocations', 'Errors', 'Duration', 'OffsetLag']) {
      expect(
        metricsOf('AWS/Lambda')
          .filter(
            (metric) =>
              metric.metricName === metricName && metric.widget.startsWith('MSK consumers'),
          )
          .map((metric) => metric.dimensions.FunctionName),
      ).toEqual(['telemetry-flattener', 'edge-kpis']);
    }
  });

  it('graphs Firehose records, success and freshness, and Athena’s scanned bytes', () => {
    expect(
      metricsOf('AWS/Firehose').map(({ metricName, dimensions }) => [metricName, dimensions]),
    ).toEqual(
      [
        'IncomingRecords',
        'DeliveryToS3.Records',
        'DeliveryToS3.Success',
        'DeliveryToS3.DataFreshness',
      ].map((metricName) => [metricName, { DeliveryStreamName: 'telemetry' }]),
    );
    expect(environment.expressions).toContainEqual(
      expect.stringContaining('MetricName="ProcessedBytes" WorkGroup="lakehouse"'),
    );
  });

  it('graphs the SageMaker pipeline’s executions, the workflows and the drift per plant', () => {
    expect(
      metricsOf(PIPELINE_NAMESPACE).map(({ metricName, dimensions }) => [metricName, dimensions]),
    ).toEqual(
      ['ExecutionStarted', 'ExecutionSucceeded', 'ExecutionFailed'].map((metricName) => [
        metricName,
        { PipelineName: 'anomaly-pipeline' },
      ]),
    );
    expect(metricsOf('AWS/States').map((metric) => metric.metricName)).toEqual([
      'ExecutionsStarted',
      'ExecutionsSucceeded',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
    ]);
    expect(
      metricsOf('UnsMlops/ModelDrift')
        .filter((metric) => metric.metricName === 'DriftedShare')
        .map((metric) => metric.dimensions),
    ).toEqual(
      prod.plants.map(({ siteId }) => ({
        Environment: 'prod',
        Model: 'weld-anomaly',
        Site: siteId,
      })),
    );
  });

  it('graphs the database, the API and the ingestion’s poison records', () => {
    expect(metricsOf('AWS/RDS').map((metric) => metric.metricName)).toEqual([
      'CPUUtilization',
      'DatabaseConnections',
      'FreeStorageSpace',
      'ReadLatency',
      'WriteLatency',
    ]);
    expect(
      metricsOf('AWS/ApiGateway').map(({ metricName, dimensions }) => [metricName, dimensions]),
    ).toEqual(
      ['4xx', '5xx', 'Latency', 'Latency'].map((metricName) => [metricName, { ApiId: 'api123' }]),
    );
    expect(environment.expressions).toContain(
      `SELECT SUM(PoisonRecords) FROM SCHEMA("UnsMlops/Compliance", Reason, service) WHERE service = 'validation-ingest' GROUP BY Reason`,
    );
  });
});

describe('a plant’s dashboard', () => {
  const all = build(prod, () => ({
    kpiThresholds: prod.edgeRollout.kpis,
    servingModelVersionParameter: '/uns-mlops-prod/serving-model-version',
    complianceDashboardUrl: 'https://compliance.example',
  }));
  const zwickau = dashboardNamed(all, 'uns-mlops-prod-zwickau');

  it.each(prod.plants.map((plant) => [plant.siteId]))(
    '%s: every metric carries that plant’s Site, and no other',
    (siteId) => {
      const plant = dashboardNamed(all, `uns-mlops-prod-${siteId}`);
      expect(plant.metrics.length).toBeGreaterThan(0);
      expect(plant.expressions).toEqual([]);
      for (const metric of plant.metrics) expect(metric.dimensions.Site).toBe(siteId);
    },
  );

  it('graphs the edge KPIs: bridge health, throughput, valid share, anomalies, errors, drift', () => {
    expect(
      zwickau.metrics
        .filter((metric) => metric.namespace === 'UnsMlops/Edge')
        .map((metric) => metric.metricName),
    ).toEqual([
      'BridgeHeartbeats',
      'BridgeStalled',
      'BridgeSpoolRecords',
      'MessagesChecked',
      'MessagesValid',
      'ValidShare',
      'WindowsScored',
      'AnomalousWindows',
      'AnomalyRate',
      'InferenceErrors',
    ]);
    expect(zwickau.metrics.at(-1)).toMatchObject({
      namespace: 'UnsMlops/ModelDrift',
      metricName: 'DriftedShare',
      dimensions: { Environment: 'prod', Model: 'weld-anomaly', Site: 'zwickau' },
    });
  });

  it('draws the rollout gate’s configured limits', () => {
    const validShare = zwickau.widgets.find((widget) => widget.properties?.title === 'Valid share');
    expect(validShare.properties.annotations.horizontal).toEqual([
      expect.objectContaining({ value: 98, label: 'rollout gate minimum' }),
    ]);
  });

  it('says what the plant is, with its lines, thing group, model parameter and links', () => {
    const [description] = zwickau.text;
    expect(description).toContain('# Zwickau body shop (site `zwickau`)');
    expect(description).toContain('`body-weld-1` (body-shop), `body-weld-2` (body-shop)');
    expect(description).toContain('`uns-mlops-prod-zwickau`');
    expect(description).toContain('`/uns-mlops-prod/serving-model-version`');
    expect(description).toContain('[compliance dashboard](https://compliance.example)');
    expect(description).toContain('#dashboards/dashboard/uns-mlops-prod)');
  });

  it('shows the plant’s alarms when given', () => {
    const arn =
      'arn:aws:cloudwatch:eu-central-1:111111111111:alarm:uns-mlops-dev-edge-zwickau-valid-share';
    const withAlarms = build(dev, (stack) => ({
      plantResources: new Map([
        ['zwickau', { alarms: [cloudwatch.Alarm.fromAlarmArn(stack, 'Alarm', arn)] }],
      ]),
    }));
    const plant = dashboardNamed(withAlarms, 'uns-mlops-dev-zwickau');
    expect(plant.widgets.find((widget) => widget.type === 'alarm')?.properties.alarms).toEqual([
      arn,
    ]);
    expect(
      dashboardNamed(build(dev), 'uns-mlops-dev-zwickau').widgets.map((widget) => widget.type),
    ).not.toContain('alarm');
  });
});

describe('props', () => {
  it('rejects every problem at once', () => {
    expect(() =>
      build(dev, () => ({
        namePrefix: 'bad prefix',
        plants: [dev.plants[0]!, dev.plants[0]!],
        plantResources: new Map([['nowhere', { alarms: [] }]]),
      })),
    ).toThrow(
      /plants repeat the site id\(s\) zwickau[\s\S]*dashboard name "bad prefix"[\s\S]*plantResources names nowhere/,
    );
  });

  it('rejects a configuration without plants', () => {
    expect(() => build({ ...dev, plants: [] })).toThrow(/plants is empty/);
  });
});
