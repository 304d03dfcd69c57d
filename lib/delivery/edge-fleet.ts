import { type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { Alerting } from '../alerts/alarms';
import type { EdgeKpiThresholds } from '../config/environment';
import { createAccessLogsBucket, createEncryptedBucket } from '../lakehouse/storage';
import { type EdgeComponentSource, MODEL_COMPONENT_NAME } from './components';
import { CoreDeviceRole } from './core-device-role';
import { EdgeComponent } from './edge-component';
import { servingModelVersionParameterName } from './edge-names';
import { EdgeKpiAlarms } from './edge-kpis';
import { GreengrassHealth } from './greengrass-health';
import { acknowledgeProviderFunctions } from '../quality/provider-functions';
import { RolloutGate } from './rollout-gate';
import type { VersionLock } from './versions';

/** Properties of an {@link EdgeFleet}. */
export interface EdgeFleetProps {
  /** Name prefix of named resources, e.g. `uns-mlops-dev`. */
  readonly namePrefix: string;
  /** The components the plants run, published as component versions. */
  readonly components: readonly EdgeComponentSource[];
  /**
   * The recorded component versions.
   * @default the repository's edge-components/component-versions.json
   */
  readonly versions?: VersionLock;
  /** The sites whose KPIs get alarms. */
  readonly siteIds: readonly string[];
  /** KPI limits of the rollout gate (defaults in {@link KPI_DEFAULTS}). */
  readonly kpiThresholds?: EdgeKpiThresholds;
  /** Produce rights on the UNS topics (the streaming part's bridge producer policy). */
  readonly producerPolicy: iam.IManagedPolicy;
  /** Key of the log groups. */
  readonly logKey: kms.IKey;
  /** The account of the delivery pipeline, which starts the rollout gate. */
  readonly pipelineAccount: string;
  /** What happens to buckets, keys and log groups when the stack is deleted. */
  readonly removalPolicy: RemovalPolicy;
  /**
   * The environment's topic and limits: the gate's notifications, the KPI and plant alarms, the
   * Greengrass health alarms, the gate's state machine and function alarms.
   * @default - the gate's own topic, which the KPI alarms notify; no other alarms.
   */
  readonly alerts?: Alerting;
}

/**
 * What an environment's plants run and how a rollout is judged: the published component versions
 * and their artifact bucket, the core devices' IAM (token exchange role, role alias, certificate
 * policy), the alarms on the edge KPIs, and the rollout gate. The deployments themselves are separate ({@link EdgeDeployment}),
 * so that a pipeline can order them canary first.
 */
export class EdgeFleet extends Construct {
  readonly artifactBucket: s3.Bucket;
  readonly components: readonly EdgeComponent[];
  readonly coreDevices: CoreDeviceRole;
  readonly kpis: EdgeKpiAlarms;
  readonly gate: RolloutGate;
  /** Greengrass deployments failed and components broken (with `alerts`). */
  readonly greengrassHealth?: GreengrassHealth;
  /**
   * The model component version that serves ({@link servingModelVersionParameterName}): the
   * repository's published version as its value; a promoted model overwrites it.
   */
  readonly servingModelVersion: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: EdgeFleetProps) {
    super(scope, id);
    const artifactKey = new kms.Key(this, 'ArtifactKey', {
      description: `${props.namePrefix}: Greengrass component artifacts`,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    const noReplication =
      'Component artifacts are rebuilt reproducibly from git by the pipeline, so a second region holds nothing that cannot be made again.';
    const accessLogs = createAccessLogsBucket(this, 'ArtifactAccessLogs', {
      expireAfterDays: 365,
      removalPolicy: props.removalPolicy,
      noReplicationReason: noReplication,
    });
    this.artifactBucket = createEncryptedBucket(this, 'Artifacts', {
      encryptionKey: artifactKey,
      accessLogs,
      accessLogsPrefix: 'artifacts/',
      removalPolicy: props.removalPolicy,
      noReplicationReason: noReplication,
    });

    const providerLogs = new logs.LogGroup(this, 'ProviderLogs', {
      encryptionKey: props.logKey,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.removalPolicy,
    });
    this.components = props.components.map(
      (source) =>
        new EdgeComponent(this, source.name.slice(source.name.lastIndexOf('.') + 1), {
          source,
          artifactBucket: this.artifactBucket,
          uploadLogGroup: providerLogs,
          versions: props.versions,
        }),
    );
    const model = this.components.find(
      (component) => component.componentName === MODEL_COMPONENT_NAME,
    );
    if (model === undefined) {
      throw new Error(`The edge fleet at ${this.node.path} publishes no ${MODEL_COMPONENT_NAME}.`);
    }
    this.servingModelVersion = new ssm.StringParameter(this, 'ServingModelVersion', {
      parameterName: servingModelVersionParameterName(props.namePrefix),
      description: `The ${MODEL_COMPONENT_NAME} version the plants serve: the repository's at first, then the last model the model rollout promoted`,
      stringValue: model.componentVersion,
    });
    this.coreDevices = new CoreDeviceRole(this, 'CoreDevices', {
      namePrefix: props.namePrefix,
      artifactBucket: this.artifactBucket,
      artifactKey,
      componentNames: props.components.map((source) => source.name),
      producerPolicy: props.producerPolicy,
      metricsNamespace: 'UnsMlops/Greengrass',
    });

    this.kpis = new EdgeKpiAlarms(this, 'Kpis', {
      namePrefix: props.namePrefix,
      siteIds: props.siteIds,
      thresholds: props.kpiThresholds,
      alerts: props.alerts,
    });
    this.gate = new RolloutGate(this, 'Gate', {
      namePrefix: props.namePrefix,
      pipelineAccount: props.pipelineAccount,
      logKey: props.logKey,
      removalPolicy: props.removalPolicy,
      alerts: props.alerts,
    });
    if (props.alerts === undefined) {
      for (const alarm of this.kpis.sites.flatMap((site) => site.alarms)) {
        alarm.addAlarmAction(new cloudwatchActions.SnsAction(this.gate.topic));
      }
    } else {
      this.greengrassHealth = new GreengrassHealth(this, 'GreengrassHealth', {
        namePrefix: props.namePrefix,
        alerts: props.alerts,
        logKey: props.logKey,
        removalPolicy: props.removalPolicy,
      });
    }
    acknowledgeProviderFunctions(Stack.of(this));
  }
}
