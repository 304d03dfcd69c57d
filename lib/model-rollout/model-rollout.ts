import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArnFormat, Duration, type RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { ComparisonLimits, DeployTarget } from '../../lambdas/model-rollout/src/contract';
import {
  CANDIDATE_MODEL_COMPONENT_NAME,
  CANDIDATE_MODEL_RECIPE,
  MODEL_COMPONENT_NAME,
  modelComponent,
  REPOSITORY_ROOT,
  SHIPPED_MODEL_BUNDLE,
} from '../delivery/components';
import { fillRecipe, parseRecipe, recipeProblems, RECIPE_PLACEHOLDERS } from '../delivery/recipe';
import { GREENGRASS_DEPLOYMENT_IOT_ACTIONS } from '../delivery/rollout-gate';
import { functionAlarms, stateMachineAlarms } from '../alerts/alarms';
import { BucketObjects } from '../quality/bucket-objects';
import { acknowledgeGeneratedWildcards, wildcardFinding } from '../quality/nag-findings';
import { loggedStateMachine, retriedLambdaTask } from '../state-machine';
import { functionAccess, waitForPolicy, workspaceFunction } from '../streaming/lambda-functions';
import {
  type ModelRolloutProps,
  type ModelRolloutSettings,
  type ModelRolloutStep,
  resolveModelRolloutSettings,
} from './model-rollout-props';
import {
  COMPARISON_PARAMETERS,
  COMPARISON_TABLES,
  shadowComparisonSql,
} from './shadow-comparison-query';
import { modelRolloutSettingsProblems, modelRolloutStepsProblems } from './validate-props';

/** The recipe templates of the two model components (edge-components/anomaly-inference). */
export const MODEL_RECIPES = {
  serving: modelComponent(SHIPPED_MODEL_BUNDLE).recipeFile,
  candidate: CANDIDATE_MODEL_RECIPE,
} as const;

/** The name of an environment's model rollout state machine. */
export const modelRolloutStateMachineName = (namePrefix: string) => `${namePrefix}-model-rollout`;

/** The functions of the rollout, by their handler in lambdas/model-rollout. */
interface RolloutFunctions {
  readonly readPackage: lambda.IFunction;
  readonly rejectPackage: lambda.IFunction;
  readonly publishComponent: lambda.IFunction;
  readonly deploy: lambda.IFunction;
  readonly compareShadow: lambda.IFunction;
}

/**
 * Carries an approved model from the registry to the plants, safely (Step Functions, started by
 * the model package's approval): the contract ↔ model gate, the model as a candidate component in
 * shadow at the canary, its scores compared with the serving model's (Athena over the
 * Lakehouse), then promotion at the canary and wave by wave, each step judged by the edge rollout
 * gate; or the package rejected with the reason and the serving model left in place. Every step
 * and decision is in the execution history; every outcome goes to an SNS topic.
 */
export class ModelRollout extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** The rule that starts the state machine when a package of the group is approved. */
  readonly rule: events.Rule;
  /** Notifications of every outcome. */
  readonly topic: sns.ITopic;
  readonly functions: RolloutFunctions;
  /** The comparison's Lake Formation grants on the raw tables it reads. */
  readonly comparisonGrants: readonly lakeformation.CfnPrincipalPermissions[];

  constructor(scope: Construct, id: string, props: ModelRolloutProps) {
    super(scope, id);
    const problems = [
      ...modelRolloutSettingsProblems(props),
      ...modelRolloutStepsProblems(props.steps),
    ];
    if (
      (props.topic ?? props.alerts) !== undefined &&
      (props.notificationEmails?.length ?? 0) > 0
    ) {
      problems.push(
        'notificationEmails cannot be given with a topic or alerts: subscribe the addresses to that topic where it is made',
      );
    }
    if (problems.length > 0) {
      throw new Error(
        `Invalid model rollout props at ${this.node.path}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      );
    }
    const settings = resolveModelRolloutSettings(props);
    const stateMachineName = modelRolloutStateMachineName(props.namePrefix);
    const artifactKeyTemplate = sharedArtifactKeyTemplate();

    this.functions = this.createFunctions(props, artifactKeyTemplate);
    this.topic =
      props.topic ??
      props.alerts?.topic ??
      this.createTopic(props.namePrefix, props.removalPolicy, settings.notificationEmails);

    this.stateMachine = loggedStateMachine(this, {
      stateMachineName,
      definition: this.definition(props, settings, stateMachineName),
      timeout: executionTimeout(settings, props.steps),
      logKey: props.logKey,
      removalPolicy: props.removalPolicy,
    });
    // The comparison queries the Lakehouse through its workgroup; Lake Formation grants the tables.
    this.stateMachine.role.addManagedPolicy(props.lakehouse.queryAccessPolicy);
    this.comparisonGrants = this.grantComparisonTables(props);
    if (props.topic === undefined && props.alerts !== undefined) {
      props.alerts.grantPublish(this.stateMachine);
    } else {
      // A topic of its own, or the caller's: publishing needs the topic key's data keys too.
      this.topic.grantPublish(this.stateMachine);
    }
    if (props.alerts !== undefined) {
      const { alerts } = props;
      stateMachineAlarms(this, this.stateMachine, alerts, 'model-rollout');
      const hint =
        'The rollout execution retries it, then stops and notifies; see the function log and the execution history.';
      const { readPackage, rejectPackage, publishComponent, deploy, compareShadow } =
        this.functions;
      for (const [name, fn] of [
        ['read-package', readPackage],
        ['reject-package', rejectPackage],
        ['publish-component', publishComponent],
        ['deploy', deploy],
        ['compare-shadow', compareShadow],
      ] as const) {
        functionAlarms(this, fn, alerts, `model-rollout-${name}`, { hint });
      }
    }

    this.rule = new events.Rule(this, 'Approved', {
      description: `Starts ${stateMachineName} when a model of ${props.registry.modelPackageGroupName} is approved`,
      eventPattern: {
        source: ['aws.sagemaker'],
        detailType: ['SageMaker Model Package State Change'],
        detail: {
          ModelPackageGroupName: [props.registry.modelPackageGroupName],
          ModelApprovalStatus: ['Approved'],
          ModelPackageStatus: ['Completed'],
        },
      },
      targets: [
        new targets.SfnStateMachine(this.stateMachine, {
          input: events.RuleTargetInput.fromObject({
            modelPackageArn: events.EventField.fromPath('$.detail.ModelPackageArn'),
          }),
        }),
      ],
    });
    this.acknowledgeGenerated();
  }

  /** The workflow, state by state (see README.md for the picture). */
  private definition(
    props: ModelRolloutProps,
    settings: Required<ModelRolloutSettings>,
    stateMachineName: string,
  ): sfn.IChainable {
    const stack = Stack.of(this);
    const { functions } = this;
    const [canary] = props.steps as [ModelRolloutStep, ...ModelRolloutStep[]];
    const targetsOf = (step: ModelRolloutStep): DeployTarget[] =>
      step.targets.map((target) => ({
        name: target.name,
        thingGroupArn: stack.formatArn({
          service: 'iot',
          resource: 'thinggroup',
          resourceName: target.thingGroup,
        }),
      }));
    const at = (path: string) => sfn.JsonPath.stringAt(path);
    // Every handler is idempotent (conditional writes, client tokens), so each may be retried.
    const invoke = (stateId: string, fn: lambda.IFunction, payload: object, resultPath: string) =>
      retriedLambdaTask(this, stateId, {
        lambdaFunction: fn,
        payload: sfn.TaskInput.fromObject(payload),
        resultPath,
      });
    const deploy = (stateId: string, change: string, step: ModelRolloutStep) =>
      invoke(
        stateId,
        functions.deploy,
        { change, componentVersion: at('$.package.componentVersion'), targets: targetsOf(step) },
        `$.${change}Deployment`,
      );
    const gate = (stateId: string, step: ModelRolloutStep) =>
      new tasks.StepFunctionsStartExecution(this, stateId, {
        stateMachine: props.fleet.gate,
        integrationPattern: sfn.IntegrationPattern.RUN_JOB,
        input: sfn.TaskInput.fromObject(step.gateInput),
        associateWithParent: true,
        resultPath: sfn.JsonPath.DISCARD,
      });
    const onError = { resultPath: '$.error' };
    // A direct AWS API call of the workflow (Step Functions, SSM): any failure is tried again.
    const awsCallRetry = {
      errors: ['States.ALL'],
      interval: Duration.seconds(5),
      maxAttempts: 3,
      backoffRate: 2,
    };

    // Outcomes: each notifies the topic and ends the execution, naming why.
    const notify = (stateId: string, subject: string, message: string) =>
      new tasks.SnsPublish(this, stateId, {
        topic: this.topic,
        subject: `${props.namePrefix}: ${subject}`,
        message: sfn.TaskInput.fromText(message),
        resultPath: sfn.JsonPath.DISCARD,
      });
    // A failed outcome: `message` names the package, then the cause the execution fails with.
    const failure = (outcome: {
      notify: string;
      subject: string;
      message: string;
      fail: string;
      error: string;
      causePath: string;
    }) =>
      notify(
        outcome.notify,
        outcome.subject,
        sfn.JsonPath.format(outcome.message, at('$.modelPackageArn'), at(outcome.causePath)),
      ).next(
        new sfn.Fail(this, outcome.fail, { error: outcome.error, causePath: outcome.causePath }),
      );
    const stopped = failure({
      notify: 'NotifyStopped',
      subject: 'model rollout stopped',
      message: 'The rollout of model package {} stopped: {}',
      fail: 'RolloutStopped',
      error: 'ModelRolloutStopped',
      causePath: '$.stop.message',
    });
    const rejected = failure({
      notify: 'NotifyRejected',
      subject: 'model rejected',
      message:
        'Model package {} was rejected and did not reach the plants; they keep serving the model they had.\n\n{}',
      fail: 'ModelRejected',
      error: 'ModelRejected',
      causePath: '$.rejection.reason',
    });
    const rejectPackage = invoke(
      'RejectPackage',
      functions.rejectPackage,
      { modelPackageArn: at('$.modelPackageArn'), reason: at('$.rejection.reason') },
      '$.rejected',
    )
      .addCatch(
        new sfn.Pass(this, 'RejectionNotRecorded', {
          parameters: {
            message: sfn.JsonPath.format(
              'the model did not reach the plants ({}), but marking the package Rejected failed: {}',
              at('$.rejection.reason'),
              at('$.error.Cause'),
            ),
          },
          resultPath: '$.stop',
        }).next(stopped),
        onError,
      )
      .next(rejected);
    const reject = (stateId: string, reason: string) =>
      new sfn.Pass(this, stateId, {
        parameters: { reason },
        resultPath: '$.rejection',
      }).next(rejectPackage);
    const stop = (stateId: string, what: string) =>
      new sfn.Pass(this, stateId, {
        parameters: { message: sfn.JsonPath.format(`${what} {}`, at('$.error.Cause')) },
        resultPath: '$.stop',
      }).next(stopped);
    const stepStopped = (step: ModelRolloutStep) =>
      stop(
        `${stateName(step.name)}RolledBack`,
        step === canary
          ? 'the edge rollout gate rolled the canary back to its last good deployment, the candidate in shadow beside the previous model (remove it with a deployment); no plant got the model, and the recorded serving version is unchanged. Gate:'
          : `the edge rollout gate rolled ${step.name} back to its last good deployment, and no later step got the model. The canary and the waves before ${step.name} serve it; the recorded serving version is unchanged, so the delivery pipeline's next deployment of those groups brings the previous model back. Gate:`,
      );

    // Nothing runs twice at once: a second approval waits for the first rollout to end.
    const running = new tasks.CallAwsService(this, 'CheckRunningRollouts', {
      service: 'sfn',
      action: 'listExecutions',
      parameters: { StateMachineArn: sfn.JsonPath.stateMachineId, StatusFilter: 'RUNNING' },
      iamResources: [
        stack.formatArn({
          service: 'states',
          resource: 'stateMachine',
          resourceName: stateMachineName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      iamAction: 'states:ListExecutions',
      resultSelector: { count: sfn.JsonPath.arrayLength(sfn.JsonPath.listAt('$.Executions')) },
      resultPath: '$.running',
    })
      .addRetry(awsCallRetry)
      .addCatch(
        stop('CheckRunningFailed', 'looking for other rollouts failed, nothing was deployed:'),
        onError,
      );
    const busy = notify(
      'NotifyBusy',
      'model rollout not started',
      sfn.JsonPath.format(
        'Model package {} was not rolled out: another rollout of {} is running. Approve the package again once it has ended.',
        at('$.modelPackageArn'),
        stateMachineName,
      ),
    ).next(
      new sfn.Fail(this, 'AnotherRolloutRunning', {
        error: 'ModelRolloutBusy',
        cause: `Another execution of ${stateMachineName} is rolling out a model.`,
      }),
    );

    // The package and the contract ↔ model gate.
    const readPackage = invoke(
      'ReadPackage',
      functions.readPackage,
      { modelPackageArn: at('$.modelPackageArn') },
      '$.package',
    ).addCatch(
      stop('ReadPackageFailed', 'reading the package failed, nothing was deployed:'),
      onError,
    );
    const screen = new sfn.Choice(this, 'ContractGate')
      .when(
        sfn.Condition.stringEquals('$.package.decision', 'SKIP'),
        new sfn.Succeed(this, 'NothingToRollOut'),
      )
      .when(
        sfn.Condition.stringEquals('$.package.decision', 'REFUSE'),
        reject('ContractRefused', at('$.package.reason')),
      );

    // The candidate in shadow at the canary, then the comparison.
    const publishCandidate = invoke(
      'PublishCandidate',
      functions.publishComponent,
      {
        role: 'candidate',
        modelDataUrl: at('$.package.modelDataUrl'),
        componentVersion: at('$.package.componentVersion'),
      },
      '$.candidate',
    ).addCatch(
      stop('PublishCandidateFailed', 'publishing the candidate failed, nothing was deployed:'),
      onError,
    );
    const shadow = deploy('DeployShadowToCanary', 'shadow', canary).addCatch(
      stop('DeployShadowFailed', 'deploying the candidate in shadow to the canary failed:'),
      onError,
    );
    const shadowGate = gate('ShadowGate', canary).addCatch(
      reject(
        'ShadowRolledBack',
        sfn.JsonPath.format(
          "The canary's edge rollout gate rolled the candidate's shadow deployment back (the canary went back to its last good deployment): {}",
          at('$.error.Cause'),
        ),
      ),
      onError,
    );
    const bake = new sfn.Wait(this, 'Bake', {
      time: sfn.WaitTime.duration(Duration.minutes(settings.bakeMinutes)),
    });
    const startComparison = new sfn.Pass(this, 'StartComparison', {
      result: sfn.Result.fromObject({ attempt: 0 }),
      resultPath: '$.comparison',
    });
    const literal = (value: string) => sfn.JsonPath.format("'{}'", value);
    const since = at('$.shadowDeployment.since');
    const sinceDay = sfn.JsonPath.arrayGetItem(sfn.JsonPath.stringSplit(since, 'T'), 0);
    const candidateName = at('$.package.model.name');
    const candidateVersion = at('$.package.model.version');
    const comparisonValues: Record<(typeof COMPARISON_PARAMETERS)[number], string> = {
      'since day': sinceDay,
      since,
      'candidate model name': candidateName,
      'candidate model version': candidateVersion,
    };
    const queryParameters = new sfn.Pass(this, 'ComparisonQueryParameters', {
      parameters: {
        parameters: sfn.JsonPath.array(
          ...COMPARISON_PARAMETERS.map((name) => literal(comparisonValues[name])),
        ),
      },
      resultPath: '$.shadowQuery',
    });
    const comparisonBroken = stop(
      'ComparisonFailed',
      'the shadow comparison failed, so the candidate may still run in shadow at the canary (remove it with a deployment, or approve the package again):',
    );
    const query = new sfn.CustomState(this, 'QueryShadowScores', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${stack.partition}:states:::athena:startQueryExecution.sync`,
        Parameters: {
          QueryString: shadowComparisonSql(props.canarySiteId),
          QueryExecutionContext: {
            Catalog: 'AwsDataCatalog',
            Database: props.lakehouse.catalog.raw.database.databaseName,
          },
          WorkGroup: props.lakehouse.analytics.workGroup.ref,
          'ExecutionParameters.$': '$.shadowQuery.parameters',
        },
        ResultSelector: { 'queryExecutionId.$': '$.QueryExecution.QueryExecutionId' },
        ResultPath: '$.shadowQuery.execution',
      },
    })
      .addRetry({
        errors: ['States.ALL'],
        interval: Duration.seconds(30),
        maxAttempts: 2,
        backoffRate: 2,
      })
      .addCatch(comparisonBroken, onError);
    const results = new sfn.CustomState(this, 'ReadShadowCounts', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${stack.partition}:states:::athena:getQueryResults`,
        Parameters: {
          'QueryExecutionId.$': '$.shadowQuery.execution.queryExecutionId',
          MaxResults: 10,
        },
        ResultSelector: { 'rows.$': '$.ResultSet.Rows' },
        ResultPath: '$.shadowQuery.results',
      },
    })
      .addRetry({
        errors: ['States.ALL'],
        interval: Duration.seconds(10),
        maxAttempts: 3,
        backoffRate: 2,
      })
      .addCatch(comparisonBroken, onError);
    const limits: ComparisonLimits = {
      minAgreement: settings.minAgreement,
      maxAnomalyRateIncrease: settings.maxAnomalyRateIncrease,
      minWindowsCompared: settings.minWindowsCompared,
      maxComparisons: settings.maxComparisons,
    };
    const compare = invoke(
      'CompareShadow',
      functions.compareShadow,
      {
        rows: sfn.JsonPath.listAt('$.shadowQuery.results.rows'),
        attempt: sfn.JsonPath.numberAt('$.comparison.attempt'),
        limits,
      },
      '$.comparison',
    ).addCatch(comparisonBroken, onError);
    const awaitWindows = new sfn.Wait(this, 'AwaitMoreWindows', {
      time: sfn.WaitTime.duration(Duration.minutes(settings.retryMinutes)),
    });
    const comparisonRejected = reject('ComparisonRejected', at('$.comparison.reason'));
    const removeShadow = deploy('RemoveShadowAtCanary', 'removeShadow', canary)
      .addCatch(comparisonRejected, onError)
      .next(gate('RemovalGate', canary).addCatch(comparisonRejected, onError))
      .next(comparisonRejected);

    // Promotion: the canary, then each wave, each judged by the edge rollout gate.
    const publishServing = invoke(
      'PublishServingVersion',
      functions.publishComponent,
      {
        role: 'serving',
        modelDataUrl: at('$.package.modelDataUrl'),
        componentVersion: at('$.package.componentVersion'),
      },
      '$.serving',
    ).addCatch(
      stop(
        'PublishServingFailed',
        'publishing the serving version failed; the candidate still runs in shadow at the canary:',
      ),
      onError,
    );
    let chain = sfn.Chain.start(publishServing);
    for (const step of props.steps) {
      const name = stateName(step.name);
      const deployStep = deploy(
        step === canary ? 'PromoteAtCanary' : `Deploy${name}`,
        'promote',
        step,
      ).addCatch(
        stop(`Deploy${name}Failed`, `deploying the model to ${step.name} failed:`),
        onError,
      );
      chain = chain
        .next(deployStep)
        .next(gate(`Gate${name}`, step).addCatch(stepStopped(step), onError));
    }
    const record = new tasks.CallAwsService(this, 'RecordServingVersion', {
      service: 'ssm',
      action: 'putParameter',
      parameters: {
        Name: props.fleet.servingVersion.parameterName,
        Value: at('$.package.componentVersion'),
        Overwrite: true,
      },
      iamResources: [props.fleet.servingVersion.parameterArn],
      resultPath: sfn.JsonPath.DISCARD,
    })
      .addRetry(awsCallRetry)
      .addCatch(
        stop(
          'RecordServingVersionFailed',
          'every plant serves the model, but recording its version failed, so the next deployment of the delivery pipeline would bring the previous model back: set the parameter by hand.',
        ),
        onError,
      );
    const promoted = notify(
      'NotifyPromoted',
      'model promoted',
      sfn.JsonPath.format(
        'Model package {} serves at every plant as {} {}, recorded for the delivery pipeline.\n\nShadow comparison at the canary: {}',
        at('$.modelPackageArn'),
        MODEL_COMPONENT_NAME,
        at('$.package.componentVersion'),
        at('$.comparison.reason'),
      ),
    ).next(new sfn.Succeed(this, 'Promoted'));
    chain = chain.next(record).next(promoted);

    const judge = new sfn.Choice(this, 'Judge')
      .when(sfn.Condition.stringEquals('$.comparison.decision', 'WAIT'), awaitWindows.next(query))
      .when(sfn.Condition.stringEquals('$.comparison.decision', 'PROMOTE'), chain)
      .otherwise(removeShadow);

    return running.next(
      new sfn.Choice(this, 'AnotherRolloutRunning?')
        .when(sfn.Condition.numberGreaterThan('$.running.count', 1), busy)
        .otherwise(
          readPackage.next(
            screen.otherwise(
              publishCandidate
                .next(shadow)
                .next(shadowGate)
                .next(bake)
                .next(startComparison)
                .next(queryParameters)
                .next(query)
                .next(results)
                .next(compare)
                .next(judge),
            ),
          ),
        ),
    );
  }

  private createFunctions(props: ModelRolloutProps, artifactKeyTemplate: string): RolloutFunctions {
    const stack = Stack.of(this);
    const { registry, fleet } = props;
    const packages = stack.formatArn({
      service: 'sagemaker',
      resource: 'model-package',
      resourceName: `${registry.modelPackageGroupName}/*`,
    });
    const bundles = new BucketObjects(this, registry.artifactBucket, 'ModelArtifactsBucketArn');
    const bundleObjects = bundles.arn(registry.artifactKeyPattern);
    const artifacts = new BucketObjects(this, fleet.artifactBucket, 'ComponentArtifactsBucketArn');
    const modelArtifacts = artifacts.arn(`${MODEL_COMPONENT_NAME}/*`);
    const readBundles = [
      new iam.PolicyStatement({
        sid: 'ReadRegisteredBundles',
        actions: ['s3:GetObject'],
        resources: [bundleObjects],
      }),
      new iam.PolicyStatement({
        sid: 'DecryptRegisteredBundles',
        actions: ['kms:Decrypt'],
        resources: [registry.encryptionKey.keyArn],
      }),
    ];
    const componentArn = (name: string, versions = false) =>
      stack.formatArn({
        service: 'greengrass',
        resource: 'components',
        resourceName: versions ? `${name}:versions:*` : name,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const componentNames = [MODEL_COMPONENT_NAME, CANDIDATE_MODEL_COMPONENT_NAME];
    const artifactKey = fleet.artifactBucket.encryptionKey;
    if (artifactKey === undefined) {
      throw new Error(`The fleet's artifact bucket at ${this.node.path} must be KMS-encrypted.`);
    }
    const thingGroups = props.steps.flatMap((step) =>
      step.targets.map((target) =>
        stack.formatArn({
          service: 'iot',
          resource: 'thinggroup',
          resourceName: target.thingGroup,
        }),
      ),
    );
    const iotJobs = stack.formatArn({ service: 'iot', resource: 'job', resourceName: '*' });
    const iotThings = stack.formatArn({ service: 'iot', resource: 'thing', resourceName: '*' });
    const deployments = stack.formatArn({
      service: 'greengrass',
      resource: 'deployments',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const names = {
      MODEL_COMPONENT: MODEL_COMPONENT_NAME,
      CANDIDATE_COMPONENT: CANDIDATE_MODEL_COMPONENT_NAME,
    };

    const readPackage = this.rolloutFunction(props, 'ReadPackage', {
      handler: 'handler',
      entryFile: 'read-package-main.ts',
      memorySize: 1024,
      // Parsing the AsyncAPI documents takes seconds on a cold start.
      timeout: Duration.minutes(2),
      mainFields: ['module', 'main'],
      environment: {
        MODEL_PACKAGE_GROUP: registry.modelPackageGroupName,
        MODEL_ARTIFACT_BUCKET: registry.artifactBucket.bucketName,
        SERVING_VERSION_PARAMETER: fleet.servingVersion.parameterName,
      },
      copyIntoBundle: [
        { from: props.contractDirectory ?? join(REPOSITORY_ROOT, 'asyncapi'), to: 'asyncapi' },
        {
          from: join(REPOSITORY_ROOT, 'pipelines', 'model-bundle', 'manifest.schema.json'),
          to: 'model-bundle/manifest.schema.json',
        },
      ],
      statements: [
        new iam.PolicyStatement({
          sid: 'DescribeModelPackages',
          actions: ['sagemaker:DescribeModelPackage'],
          resources: [packages],
        }),
        ...readBundles,
        new iam.PolicyStatement({
          sid: 'ReadServingVersion',
          actions: ['ssm:GetParameter'],
          resources: [fleet.servingVersion.parameterArn],
        }),
      ],
    });
    const rejectPackage = this.rolloutFunction(props, 'RejectPackage', {
      handler: 'rejectPackage',
      statements: [
        new iam.PolicyStatement({
          sid: 'RejectModelPackages',
          actions: ['sagemaker:UpdateModelPackage'],
          resources: [packages],
        }),
      ],
    });
    const publishComponent = this.rolloutFunction(props, 'PublishComponent', {
      handler: 'publishComponent',
      memorySize: 1024,
      environment: {
        ...names,
        COMPONENT_ARTIFACT_BUCKET: fleet.artifactBucket.bucketName,
        // The key around its version: no recipe placeholder reaches a template.
        ARTIFACT_KEY_PREFIX: artifactKeyTemplate.split(RECIPE_PLACEHOLDERS.version)[0] ?? '',
        ARTIFACT_KEY_SUFFIX: artifactKeyTemplate.split(RECIPE_PLACEHOLDERS.version)[1] ?? '',
        COMPONENT_ARN_PREFIX: componentArn(''),
      },
      copyIntoBundle: [
        { from: MODEL_RECIPES.serving, to: 'recipes/serving.yaml' },
        { from: MODEL_RECIPES.candidate, to: 'recipes/candidate.yaml' },
      ],
      statements: [
        ...readBundles,
        new iam.PolicyStatement({
          sid: 'WriteModelArtifacts',
          // GetObject also answers HeadObject, which compares an artifact already written.
          actions: ['s3:PutObject', 's3:GetObject'],
          resources: [modelArtifacts],
        }),
        new iam.PolicyStatement({
          sid: 'EncryptModelArtifacts',
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [artifactKey.keyArn],
        }),
        new iam.PolicyStatement({
          sid: 'CreateModelComponentVersions',
          actions: ['greengrass:CreateComponentVersion'],
          resources: componentNames.map((name) => componentArn(name)),
        }),
        new iam.PolicyStatement({
          sid: 'ReadModelComponentVersions',
          actions: ['greengrass:DescribeComponent', 'greengrass:GetComponent'],
          resources: componentNames.map((name) => componentArn(name, true)),
        }),
      ],
    });
    const deploy = this.rolloutFunction(props, 'Deploy', {
      handler: 'deploy',
      environment: names,
      statements: [
        new iam.PolicyStatement({
          sid: 'FindDeployments',
          actions: ['greengrass:ListDeployments'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'ReadAndTagDeployments',
          actions: ['greengrass:GetDeployment', 'greengrass:TagResource'],
          resources: [deployments],
        }),
        new iam.PolicyStatement({
          sid: 'CreateDeployments',
          actions: ['greengrass:CreateDeployment'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'GreengrassDeploysThroughIotJobsOnTheRolloutGroups',
          actions: [...GREENGRASS_DEPLOYMENT_IOT_ACTIONS],
          resources: [...thingGroups, iotJobs, iotThings],
        }),
      ],
    });
    const compareShadow = this.rolloutFunction(props, 'CompareShadow', {
      handler: 'compareShadow',
      statements: [],
    });

    const reasons = {
      packages:
        'Model package ARNs end in the version the registry gives each package of the group, known only when a model is approved.',
      bundles:
        'Each pipeline execution writes its model.tar.gz under the pipeline prefix, in a folder named after the execution.',
      artifacts:
        'Each model version is written as model-bundle.zip under the model component prefix, in a folder named after its version.',
      versions:
        'Component version ARNs end in the version derived from each approved package, known only at run time.',
      deployments:
        'Greengrass assigns deployment ids when a deployment is created, by the pipeline or by this rollout, so they are known only at run time.',
      unscoped:
        'greengrass:ListDeployments and greengrass:CreateDeployment take no resource in IAM; the IoT job actions Greengrass needs are limited to the rollout thing groups.',
      iot: 'Greengrass carries a deployment out as an IoT job on the thing group and its things, whose job ids and thing names are known only at run time.',
    };
    const acknowledge = (fn: RolloutFunction, ...findings: { id: string; reason: string }[]) => {
      Validations.of(fn.managedPolicy).acknowledge(...findings);
    };
    acknowledge(
      readPackage,
      { id: wildcardFinding(this, packages), reason: reasons.packages },
      { id: bundles.wildcardFinding(registry.artifactKeyPattern), reason: reasons.bundles },
    );
    acknowledge(rejectPackage, { id: wildcardFinding(this, packages), reason: reasons.packages });
    acknowledge(
      publishComponent,
      { id: bundles.wildcardFinding(registry.artifactKeyPattern), reason: reasons.bundles },
      {
        id: artifacts.wildcardFinding(`${MODEL_COMPONENT_NAME}/*`),
        reason: reasons.artifacts,
      },
      ...componentNames.map((name) => ({
        id: wildcardFinding(this, componentArn(name, true)),
        reason: reasons.versions,
      })),
    );
    acknowledge(
      deploy,
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: reasons.unscoped },
      { id: wildcardFinding(this, deployments), reason: reasons.deployments },
      { id: wildcardFinding(this, iotJobs), reason: reasons.iot },
      { id: wildcardFinding(this, iotThings), reason: reasons.iot },
    );
    return { readPackage, rejectPackage, publishComponent, deploy, compareShadow };
  }

  /** One function of lambdas/model-rollout with its role, log group and managed policy. */
  private rolloutFunction(
    props: ModelRolloutProps,
    id: string,
    options: {
      handler: string;
      entryFile?: string;
      memorySize?: number;
      timeout?: Duration;
      mainFields?: readonly string[];
      environment?: Record<string, string>;
      copyIntoBundle?: { from: string; to: string }[];
      statements: iam.PolicyStatement[];
    },
  ): RolloutFunction {
    const existing = this.node.tryFindChild('Functions');
    const scope = existing instanceof Construct ? existing : new Construct(this, 'Functions');
    const { role, logGroup, policy } = functionAccess(scope, id, {
      logKey: props.logKey,
      removalPolicy: props.removalPolicy,
      roleDescription: `model rollout: ${options.handler}`,
      policyDescription: `model rollout: ${options.handler}`,
      statements: options.statements,
    });
    const fn = workspaceFunction(scope, id, {
      workspace: 'model-rollout',
      handler: options.handler,
      entryFile: options.entryFile,
      description: `Model rollout: ${id}`,
      memorySize: options.memorySize ?? 256,
      timeout: options.timeout ?? Duration.minutes(5),
      role,
      logGroup,
      reservedConcurrentExecutions: 2,
      mainFields: options.mainFields,
      copyIntoBundle: options.copyIntoBundle,
      environment: { POWERTOOLS_SERVICE_NAME: 'model-rollout', ...options.environment },
    });
    waitForPolicy(fn, policy);
    Validations.of(fn).acknowledge(
      {
        id: 'NIST.800.53.R5-LambdaDLQ',
        reason:
          'Step Functions invokes the rollout functions synchronously and retries failed invocations itself; a dead-letter queue applies only to asynchronous invocations.',
      },
      {
        id: 'NIST.800.53.R5-LambdaInsideVPC',
        reason:
          'The rollout functions call the SageMaker, S3, SSM and Greengrass control-plane APIs and read model bundles, not plant data, so they need no place in the private VPC.',
      },
    );
    return Object.assign(fn, { managedPolicy: policy });
  }

  private createTopic(
    namePrefix: string,
    removalPolicy: RemovalPolicy,
    emails: readonly string[],
  ): sns.Topic {
    const key = new kms.Key(this, 'TopicKey', {
      description: `${namePrefix}: model rollout notifications`,
      enableKeyRotation: true,
      removalPolicy,
    });
    const topic = new sns.Topic(this, 'Notifications', {
      displayName: `${namePrefix} model rollout`,
      masterKey: key,
      enforceSSL: true,
    });
    for (const email of emails) topic.addSubscription(new subscriptions.EmailSubscription(email));
    return topic;
  }

  /** Lake Formation: SELECT on the raw tables the comparison reads, for the state machine. */
  private grantComparisonTables(props: ModelRolloutProps): lakeformation.CfnPrincipalPermissions[] {
    const raw = props.lakehouse.catalog.raw;
    const missing = COMPARISON_TABLES.filter((table) => raw.tables[table] === undefined);
    if (missing.length > 0) {
      throw new Error(
        `The Lakehouse's raw zone has no ${missing.join(' or ')} table, which the shadow comparison reads.`,
      );
    }
    return COMPARISON_TABLES.map(
      (table) =>
        new lakeformation.CfnPrincipalPermissions(this, `ComparisonGrant-${table}`, {
          principal: { dataLakePrincipalIdentifier: this.stateMachine.role.roleArn },
          resource: {
            table: {
              catalogId: Stack.of(this).account,
              databaseName: raw.database.databaseName,
              name: table,
            },
          },
          permissions: ['SELECT', 'DESCRIBE'],
          permissionsWithGrantOption: [],
        }),
    );
  }

  private acknowledgeGenerated(): void {
    acknowledgeGeneratedWildcards(
      this.stateMachine,
      'Step Functions grants generated by aws-cdk-lib: invoking each rollout function by any version suffix, following the executions it starts of the edge rollout gate, and X-Ray and log delivery, whose APIs take no resource.',
    );
    Validations.of(this.stateMachine).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason:
        "aws-cdk-lib writes the state machine role's grants (its functions, the gate, the topic, SSM, X-Ray and logs) as its default inline policy.",
    });
  }
}

/** A rollout function with the managed policy holding its rights. */
type RolloutFunction = lambda.IFunction & { managedPolicy: iam.ManagedPolicy };

/** `wave-1` → `Wave1`, `canary` → `Canary`: a step's part of a state name. */
function stateName(step: string): string {
  return step
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/**
 * The longest an execution may take: the bake time, every comparison, and for each gate (the
 * shadow's, its removal's or the promotion's at each step) the gate's own 24-hour limit, plus an
 * hour for the rest.
 */
function executionTimeout(
  settings: Required<ModelRolloutSettings>,
  steps: readonly ModelRolloutStep[],
): Duration {
  return Duration.minutes(
    settings.bakeMinutes +
      settings.retryMinutes * settings.maxComparisons +
      (steps.length + 1) * 24 * 60 +
      60,
  );
}

/**
 * The artifact key both model recipes name, with its version placeholder: the candidate runs the
 * serving model's artifact of the same version, so a promotion downloads nothing new.
 *
 * @throws Error when a recipe is not a valid Greengrass recipe once filled, or the two name
 *   different artifacts or not exactly one in the artifact bucket.
 */
function sharedArtifactKeyTemplate(): string {
  const bucketPrefix = `s3://${RECIPE_PLACEHOLDERS.artifactBucket}/`;
  const keys = Object.entries(MODEL_RECIPES).map(([role, file]) => {
    const template = readFileSync(file, 'utf8');
    const problems = recipeProblems(fillRecipe(template, '1.0.0', 'artifact-bucket'));
    if (problems.length > 0) {
      throw new Error(
        `The ${role} model recipe ${file} is invalid:\n  - ${problems.join('\n  - ')}`,
      );
    }
    const manifests = (parseRecipe(template).Manifests ?? []) as {
      Artifacts?: { Uri?: string }[];
    }[];
    const uris = manifests.flatMap((manifest) =>
      (manifest.Artifacts ?? []).map((a) => a.Uri ?? ''),
    );
    const [uri] = uris;
    if (uris.length !== 1 || uri === undefined || !uri.startsWith(bucketPrefix)) {
      throw new Error(
        `The ${role} model recipe ${file} must name one artifact in the artifact bucket (names: ${uris.join(', ')}).`,
      );
    }
    return uri.slice(bucketPrefix.length);
  });
  if (keys.some((key) => key.split(RECIPE_PLACEHOLDERS.version).length !== 2)) {
    throw new Error(
      `The model recipes must name their artifact by version, once (they name ${keys.join(' and ')}).`,
    );
  }
  if (new Set(keys).size !== 1) {
    throw new Error(
      `The model recipes must name the same artifact (they name ${keys.join(' and ')}).`,
    );
  }
  return keys[0] ?? '';
}
