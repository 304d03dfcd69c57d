import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { functionAlarms, stateMachineAlarms } from '../alerts/alarms';
import { acknowledgeGeneratedWildcards } from '../quality/nag-findings';
import { loggedStateMachine } from '../state-machine';
import { functionAccess, waitForPolicy, workspaceFunction } from '../streaming/lambda-functions';
import { CuratedTableLocation } from './curated-table-location';
import {
  type LakehouseCurationProps,
  resolveLakehouseCurationSettings,
} from './lakehouse-curation-props';
import { CURATION_QUERIES, curationSql, type CurationQueryName } from './sql';
import { lakehouseCurationPropsProblems } from './validate-props';

/** The curation query the workflow runs. */
export const CURATION_QUERY: CurationQueryName = 'labelled-telemetry';

/** The name of an environment's curation state machine. */
export const curationStateMachineName = (namePrefix: string) => `${namePrefix}-lakehouse-curation`;

/** Longest time one partition's query may run; Athena's own DML timeout is 30 minutes by default. */
const QUERY_TIMEOUT = Duration.hours(1);

/**
 * The Lakehouse curation: a Step Functions workflow, started daily by EventBridge Scheduler, that
 * rewrites the curated `labelled_telemetry` table one (site, day) partition at a time from the raw
 * zone, with Athena.
 *
 * Input `{ "sites"?: string[], "days"?: string[] }` (default: every site, the `lookbackDays`
 * complete UTC days before the run's day). For each partition, at most `maxConcurrentPartitions` at
 * once: delete the partition's objects, then run the curation query (`INSERT INTO`, which appends)
 * for it, so a re-run replaces and never duplicates. A failed partition is recorded and the others
 * go on; the run then fails, naming the failed partitions.
 *
 * The workflow's role queries through the Lakehouse's `queryAccessPolicy`, with Lake Formation
 * grants of SELECT on the raw tables the query reads and INSERT on the table it writes, and IAM
 * write access to that table's prefix only.
 */
export class LakehouseCuration extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly schedule: scheduler.CfnSchedule;
  /** The role EventBridge Scheduler starts the workflow with. */
  readonly scheduleRole: iam.Role;
  /**
   * The Lake Formation grants of the workflow's role: SELECT on each raw table the query reads,
   * INSERT on the curated table, data location access on that table's prefix.
   */
  readonly grants: readonly lakeformation.CfnPrincipalPermissions[];

  constructor(scope: Construct, id: string, props: LakehouseCurationProps) {
    super(scope, id);
    const { lakehouse } = props;
    const query = CURATION_QUERIES[CURATION_QUERY];
    const { raw, curated } = lakehouse.catalog;
    const problems = lakehouseCurationPropsProblems(props);
    for (const table of query.sourceTables.filter((name) => raw.tables[name] === undefined)) {
      problems.push(`lakehouse: the raw zone has no table ${table}, which the curation reads`);
    }
    const curatedTable = curated.tables[query.table];
    if (curatedTable === undefined) {
      problems.push(
        `lakehouse: the curated zone has no table ${query.table}, which curation writes`,
      );
    }
    if (problems.length > 0 || curatedTable === undefined) {
      throw new Error(
        `Invalid Lakehouse curation props at ${this.node.path}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      );
    }
    const settings = resolveLakehouseCurationSettings(props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const stack = Stack.of(this);
    const siteIds = [...lakehouse.catalog.sites.keys()];
    const table = new CuratedTableLocation(this, lakehouse.storage.curatedBucket, query.table);

    const functions = new Construct(this, 'Functions');
    const access = { logKey: props.logKey, removalPolicy };
    const plan = this.curationFunction(functions, 'Plan', 'plan', {
      ...access,
      environment: { SITE_IDS: siteIds.join(','), LOOKBACK_DAYS: String(settings.lookbackDays) },
      reservedConcurrency: 2,
    });
    const clear = this.curationFunction(functions, 'ClearPartition', 'clearPartition', {
      ...access,
      environment: {
        SITE_IDS: siteIds.join(','),
        CURATED_BUCKET: lakehouse.storage.curatedBucket.bucketName,
        TABLE_PREFIX: query.table,
      },
      reservedConcurrency: settings.maxConcurrentPartitions,
      statements: [
        table.listStatement(),
        new iam.PolicyStatement({
          sid: 'DeleteCuratedPartitions',
          actions: ['s3:DeleteObject'],
          resources: [table.objectsArn],
        }),
      ],
      acknowledge: [
        {
          id: table.objectsWildcardFinding,
          reason: `The function deletes one site and day of ${query.table} per call, whose keys lie under site=/dt= prefixes of the table and are named by Athena, so the table prefix is the narrowest resource.`,
        },
      ],
    });
    const report = this.curationFunction(functions, 'Report', 'report', {
      ...access,
      reservedConcurrency: 2,
    });

    const definition = this.definition({
      plan,
      clear,
      report,
      queryString: curationSql(CURATION_QUERY, {
        rawDatabase: raw.database.databaseName,
        curatedDatabase: curated.database.databaseName,
      }),
      workGroup: lakehouse.analytics.workGroup.ref,
      maxConcurrency: settings.maxConcurrentPartitions,
    });
    this.stateMachine = loggedStateMachine(this, {
      stateMachineName: curationStateMachineName(props.namePrefix),
      definition,
      timeout: Duration.hours(12),
      logKey: props.logKey,
      removalPolicy,
    });
    if (props.alerts !== undefined) {
      const { alerts } = props;
      stateMachineAlarms(this, this.stateMachine, alerts, 'curation');
      const hint =
        'The curation run fails with it (see the execution history); see the function log.';
      functionAlarms(this, plan, alerts, 'curation-plan', { hint });
      functionAlarms(this, clear, alerts, 'curation-clear-partition', { hint });
      functionAlarms(this, report, alerts, 'curation-report', { hint });
    }

    const role = this.stateMachine.role;
    role.addManagedPolicy(lakehouse.queryAccessPolicy);
    const workflowPolicy = new iam.ManagedPolicy(this, 'WorkflowPolicy', {
      description: `Curation runs Athena INSERT INTO ${query.table}: its catalog partitions and its objects only`,
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'ReadDataCatalog',
          actions: ['athena:GetDataCatalog'],
          resources: [
            stack.formatArn({
              service: 'athena',
              resource: 'datacatalog',
              resourceName: 'AwsDataCatalog',
            }),
          ],
        }),
        new iam.PolicyStatement({
          sid: 'AddCuratedPartitions',
          actions: ['glue:BatchCreatePartition', 'glue:CreatePartition'],
          resources: [
            stack.formatArn({ service: 'glue', resource: 'catalog' }),
            curated.database.databaseArn,
            curatedTable.tableArn,
          ],
        }),
        new iam.PolicyStatement({
          sid: 'LocateCuratedBucket',
          actions: ['s3:GetBucketLocation'],
          resources: [table.bucketArn],
        }),
        table.listStatement(),
        new iam.PolicyStatement({
          sid: 'WriteCuratedTable',
          actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
          resources: [table.objectsArn],
        }),
      ],
    });
    Validations.of(workflowPolicy).acknowledge({
      id: table.objectsWildcardFinding,
      reason: `Athena names the Parquet files an INSERT INTO writes under the site=/dt= partition prefixes of ${query.table}, so the table prefix is the narrowest resource that covers them.`,
    });

    this.grants = this.grantLakeFormation(role, props, table);

    this.scheduleRole = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: `EventBridge Scheduler starts the Lakehouse curation ${curationStateMachineName(props.namePrefix)}`,
    });
    new iam.ManagedPolicy(this, 'SchedulePolicy', {
      description: 'Start executions of the Lakehouse curation workflow only',
      roles: [this.scheduleRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'StartCuration',
          actions: ['states:StartExecution'],
          resources: [this.stateMachine.stateMachineArn],
        }),
      ],
    });
    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      description: `Curates the last ${settings.lookbackDays} days of every site into ${query.table}`,
      scheduleExpression: settings.scheduleExpression,
      scheduleExpressionTimezone: settings.scheduleTimeZone,
      flexibleTimeWindow: { mode: 'OFF' },
      state: settings.scheduleEnabled ? 'ENABLED' : 'DISABLED',
      target: {
        arn: this.stateMachine.stateMachineArn,
        roleArn: this.scheduleRole.roleArn,
        input: '{}',
        retryPolicy: {
          maximumEventAgeInSeconds: Duration.hours(6).toSeconds(),
          maximumRetryAttempts: 3,
        },
      },
    });

    acknowledgeGeneratedWildcards(
      this.stateMachine,
      'Step Functions grants generated by aws-cdk-lib: invoking each curation function by any version suffix, and X-Ray and log delivery, whose APIs take no resource.',
    );
    Validations.of(this.stateMachine).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason:
        "aws-cdk-lib writes the state machine role's grants (its three functions, X-Ray and logs) as its default inline policy; the role's own rights are managed policies.",
    });
  }

  /**
   * Plan → for each partition (bounded): ClearPartition → RunCurationQuery → PartitionCurated, a
   * failure of either step caught as ClearFailed / QueryFailed → ReportOutcomes → Curated, or
   * CurationFailed when any partition failed.
   */
  private definition(parts: {
    plan: lambda.IFunction;
    clear: lambda.IFunction;
    report: lambda.IFunction;
    queryString: string;
    workGroup: string;
    maxConcurrency: number;
  }): sfn.IChainable {
    const partition = { 'site.$': '$.site', 'dt.$': '$.dt' };
    const planStep = new tasks.LambdaInvoke(this, 'PlanPartitions', {
      lambdaFunction: parts.plan,
      payload: sfn.TaskInput.fromObject({
        input: sfn.JsonPath.entirePayload,
        startedAt: sfn.JsonPath.executionStartTime,
      }),
      payloadResponseOnly: true,
      resultPath: '$.plan',
    });

    const clearStep = new tasks.LambdaInvoke(this, 'ClearPartition', {
      lambdaFunction: parts.clear,
      payload: sfn.TaskInput.fromObject({
        site: sfn.JsonPath.stringAt('$.site'),
        dt: sfn.JsonPath.stringAt('$.dt'),
      }),
      payloadResponseOnly: true,
      resultPath: '$.cleared',
    })
      // A partition the function refuses stays refused; any other failure (S3 throttling, a
      // throttled invocation) is tried again.
      .addRetry({ errors: ['InvalidPartition'], maxAttempts: 0 })
      .addRetry({
        errors: ['States.TaskFailed'],
        interval: Duration.seconds(10),
        maxAttempts: 3,
        backoffRate: 2,
      });

    // Not tasks.AthenaStartQueryExecution: its generated policy grants Glue deletes and
    // s3:CreateBucket on `*`; this role's rights are the managed policies above.
    const queryStep = new sfn.CustomState(this, 'RunCurationQuery', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${Aws.PARTITION}:states:::athena:startQueryExecution.sync`,
        Parameters: {
          QueryString: parts.queryString,
          'ExecutionParameters.$': '$.parameters',
          WorkGroup: parts.workGroup,
        },
        ResultSelector: { 'queryExecutionId.$': '$.QueryExecution.QueryExecutionId' },
        ResultPath: '$.query',
        TimeoutSeconds: QUERY_TIMEOUT.toSeconds(),
      },
    })
      // StartQueryExecution refused while the account's active DML queries are at their quota;
      // nothing was written, so starting again is safe. A query that ran and failed is not
      // retried here: it may have written files, and only a clear before it makes a re-run safe.
      .addRetry({
        errors: ['Athena.TooManyRequestsException'],
        interval: Duration.seconds(30),
        maxAttempts: 5,
        backoffRate: 2,
      });

    const outcome = (id: string, fields: Record<string, string>) =>
      new sfn.Pass(this, id, { parameters: { ...partition, ...fields } });
    clearStep.addCatch(
      outcome('ClearFailed', { status: 'failed', stage: 'clear', 'error.$': '$.error.Error' }),
      { resultPath: '$.error' },
    );
    queryStep.addCatch(
      outcome('QueryFailed', { status: 'failed', stage: 'query', 'error.$': '$.error.Error' }),
      { resultPath: '$.error' },
    );
    const curatePartitions = new sfn.Map(this, 'CuratePartitions', {
      itemsPath: '$.plan.partitions',
      maxConcurrency: parts.maxConcurrency,
      resultPath: '$.outcomes',
    }).itemProcessor(
      clearStep.next(queryStep).next(
        outcome('PartitionCurated', {
          status: 'curated',
          'queryExecutionId.$': '$.query.queryExecutionId',
        }),
      ),
    );

    const reportStep = new tasks.LambdaInvoke(this, 'ReportOutcomes', {
      lambdaFunction: parts.report,
      payload: sfn.TaskInput.fromObject({ outcomes: sfn.JsonPath.listAt('$.outcomes') }),
      payloadResponseOnly: true,
    });
    const verdict = new sfn.Choice(this, 'AnyPartitionFailed')
      .when(
        sfn.Condition.numberGreaterThan('$.failed', 0),
        new sfn.Fail(this, 'CurationFailed', { error: 'CurationFailed', causePath: '$.summary' }),
      )
      .otherwise(new sfn.Succeed(this, 'Curated'));

    return planStep.next(curatePartitions).next(reportStep).next(verdict);
  }

  /**
   * Lake Formation grants of the workflow's role: SELECT (and DESCRIBE) on each raw table the
   * query reads; INSERT (and DESCRIBE) on the curated table it writes; data location access on
   * that table's prefix, under which Athena adds the partitions it writes to the catalog.
   */
  private grantLakeFormation(
    role: iam.IRole,
    props: LakehouseCurationProps,
    table: CuratedTableLocation,
  ): lakeformation.CfnPrincipalPermissions[] {
    const { raw, curated } = props.lakehouse.catalog;
    const query = CURATION_QUERIES[CURATION_QUERY];
    const catalogId = Stack.of(this).account;
    const namespace = new Construct(this, 'LakeFormationGrants');
    const grant = (
      id: string,
      resource: lakeformation.CfnPrincipalPermissions.ResourceProperty,
      permissions: string[],
    ) =>
      new lakeformation.CfnPrincipalPermissions(namespace, id, {
        principal: { dataLakePrincipalIdentifier: role.roleArn },
        resource,
        permissions,
        permissionsWithGrantOption: [],
      });
    return [
      ...query.sourceTables.map((name) =>
        grant(
          `Read-${name}`,
          { table: { catalogId, databaseName: raw.database.databaseName, name } },
          ['SELECT', 'DESCRIBE'],
        ),
      ),
      grant(
        `Write-${query.table}`,
        { table: { catalogId, databaseName: curated.database.databaseName, name: query.table } },
        ['INSERT', 'DESCRIBE'],
      ),
      grant(
        `Location-${query.table}`,
        { dataLocation: { catalogId, resourceArn: table.locationArn } },
        ['DATA_LOCATION_ACCESS'],
      ),
    ];
  }

  /** One function of the `lakehouse-curation` workspace, with its own role and log group. */
  private curationFunction(
    scope: Construct,
    id: string,
    handler: 'plan' | 'clearPartition' | 'report',
    options: {
      logKey: kms.IKey;
      removalPolicy: RemovalPolicy;
      environment?: Record<string, string>;
      reservedConcurrency: number;
      statements?: iam.PolicyStatement[];
      acknowledge?: { id: string; reason: string }[];
    },
  ): lambda.IFunction {
    const { role, logGroup, policy } = functionAccess(scope, id, {
      logKey: options.logKey,
      removalPolicy: options.removalPolicy,
      roleDescription: `Lakehouse curation: ${handler}`,
      policyDescription: `Lakehouse curation: ${handler}`,
      statements: options.statements ?? [],
    });
    if (options.acknowledge !== undefined) {
      Validations.of(policy).acknowledge(...options.acknowledge);
    }
    const fn = workspaceFunction(scope, id, {
      workspace: 'lakehouse-curation',
      handler,
      description: `Lakehouse curation: ${handler}`,
      memorySize: 256,
      timeout: Duration.minutes(handler === 'clearPartition' ? 5 : 1),
      role,
      logGroup,
      reservedConcurrentExecutions: options.reservedConcurrency,
      environment: { POWERTOOLS_SERVICE_NAME: 'lakehouse-curation', ...options.environment },
    });
    waitForPolicy(fn, policy);
    Validations.of(fn).acknowledge(
      {
        id: 'NIST.800.53.R5-LambdaDLQ',
        reason:
          'Step Functions invokes the curation functions synchronously and retries failed invocations itself; a dead-letter queue applies only to asynchronous invocations.',
      },
      {
        id: 'NIST.800.53.R5-LambdaInsideVPC',
        reason:
          'The curation functions call only the S3 API on the curated bucket (or no API at all) with their own role; a VPC attachment would add network interfaces without narrowing what they reach.',
      },
    );
    return fn;
  }
}
