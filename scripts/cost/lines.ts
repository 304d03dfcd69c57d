/**
 * The billed lines of a month, one function per service (or group of small ones): each line is a
 * quantity of the month times one price of the list, with its derivation in words and numbers.
 */
import { COMPLIANCE_STORE_DEFAULTS } from '../../lib/compliance/compliance-store-props';
import { LAKEHOUSE_DEFAULTS } from '../../lib/lakehouse/lakehouse-props';
import { ML_PIPELINE_DEFAULTS } from '../../lib/ml-pipeline/ml-pipeline-props';
import type { CostLine, Service } from './estimate';
import { definedOnly, type Month, sum } from './month';
import { type Price, priceOf } from './prices';
import { DAYS_PER_MONTH, HOURS_PER_MONTH } from './schedule';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
/** Kafka retention of the provisioned brokers (`log.retention.hours`) and MSK Serverless's default. */
export const KAFKA_RETENTION_HOURS = 168;
/** Objects under 128 KiB are not monitored by Intelligent-Tiering (and not billed for it). */
const IT_MONITORED_MIN_BYTES = 128 * 1024;
/** Days an Intelligent-Tiering object stays in each tier when not read: frequent 30, infrequent until 90. */
const IT_INFREQUENT_AFTER_DAYS = 30;
const IT_ARCHIVE_INSTANT_AFTER_DAYS = 90;
/** Athena bills at least 10 MB per query. */
const ATHENA_MIN_BYTES = 10 * 1000 ** 2;
/** CloudWatch Logs archives compressed: storage is billed on about this share of the ingested bytes. */
const LOG_ARCHIVE_SHARE = 0.15;
/** Log retention of every log group the stacks create (one year). */
const LOG_RETENTION_MONTHS = 12;
/** Dashboards each account has free. */
const FREE_DASHBOARDS = 3;
/** Lambda memory (GB) of the flatteners, of the small functions (the KPI function, the drift check, the curation's) and of the API. */
const FLATTENER_GB = 0.5;
const SMALL_FUNCTION_GB = 0.25;
const API_FUNCTION_GB = 0.5;

/** The lines of one service (or group of services) of a month. */
type LinesOf = (month: Month) => CostLine[];

const msk: LinesOf = (m) => {
  const cluster = m.cluster;
  if (cluster.mode === 'serverless') {
    const p = m.prices.msk;
    const retained = (m.kafkaIn * KAFKA_RETENTION_HOURS) / HOURS_PER_MONTH;
    return [
      line(
        'MSK',
        'Serverless cluster-hours',
        HOURS_PER_MONTH,
        p.serverlessClusterHour,
        `${HOURS_PER_MONTH} h`,
      ),
      line(
        'MSK',
        'Serverless partition-hours',
        m.stock.partitions * HOURS_PER_MONTH,
        p.serverlessPartitionHour,
        `${m.stock.partitions} partitions (${m.stock.topics} topics) × ${HOURS_PER_MONTH} h`,
      ),
      line(
        'MSK',
        'Serverless data in',
        m.kafkaIn / GIB,
        p.serverlessDataInGiB,
        `${gib(m.kafkaIn)} written (gzip-1 records, keys, headers)`,
      ),
      line(
        'MSK',
        'Serverless data out',
        m.kafkaOut / GIB,
        p.serverlessDataOutGiB,
        `${gib(m.kafkaOut)} read (telemetry by 1 consumer, scores by 2, events by 1)`,
      ),
      line(
        'MSK',
        'Serverless storage',
        retained / GIB,
        p.serverlessStorageGiBMonth,
        `${gib(retained)} retained (${KAFKA_RETENTION_HOURS} h of writes)`,
      ),
    ];
  }
  const broker = priceOf(m.prices.msk.brokerHour, cluster.brokerInstanceType, 'MSK broker');
  const zones = m.stock.availabilityZones;
  const crossAz = (m.kafkaOut * (zones - 1)) / zones;
  return [
    line(
      'MSK',
      `${cluster.brokerCount} × ${cluster.brokerInstanceType} brokers`,
      cluster.brokerCount * HOURS_PER_MONTH,
      broker,
      `${cluster.brokerCount} brokers × ${HOURS_PER_MONTH} h`,
    ),
    line(
      'MSK',
      'Broker storage',
      cluster.brokerCount * cluster.brokerStorageGiB,
      m.prices.msk.brokerStorageGiBMonth,
      `${cluster.brokerCount} × ${cluster.brokerStorageGiB} GiB`,
    ),
    line(
      'MSK',
      'Consumer reads across zones',
      crossAz / GIB,
      m.prices.network.crossAzGiB,
      `${gib(m.kafkaOut)} read × ${zones - 1}/${zones} from leaders in another zone`,
    ),
  ];
};

const rds: LinesOf = (m) => {
  const store = { ...COMPLIANCE_STORE_DEFAULTS, ...definedOnly(m.config.complianceStore) };
  const copies = store.multiAz ? 2 : 1;
  const instance = priceOf(m.prices.rds.instanceHour, store.instanceType, 'RDS instance class');
  const vcpus = Math.max(2, m.prices.rds.vcpus[store.instanceType] ?? 2);
  return [
    line(
      'RDS',
      `${store.instanceType}${store.multiAz ? ' Multi-AZ' : ''}`,
      copies * HOURS_PER_MONTH,
      instance,
      `${copies} instance${copies > 1 ? 's (primary and standby)' : ''} × ${HOURS_PER_MONTH} h`,
    ),
    line(
      'RDS',
      'gp3 storage',
      copies * store.allocatedStorageGiB,
      m.prices.rds.gp3GiBMonth,
      `${copies} × ${store.allocatedStorageGiB} GiB allocated (backups within the free allowance of one database size)`,
    ),
    line(
      'RDS Proxy',
      'Proxy',
      vcpus * HOURS_PER_MONTH,
      m.prices.rds.proxyVcpuHour,
      `${vcpus} vCPUs of ${store.instanceType} × ${HOURS_PER_MONTH} h`,
    ),
  ];
};

const firehose: LinesOf = (m) => {
  const p = m.prices.firehose;
  const input = sum(Object.values(m.firehoseInput));
  const rows = sum(Object.values(m.rows));
  const jqHours = (rows * m.workload.jqMicrosecondsPerRow) / 3.6e9;
  const smallStreams = m.stock.deliveryStreams - 2;
  return [
    line(
      'Firehose',
      'Ingestion',
      m.firehoseBilled / GIB,
      p.ingestionGiB,
      `${gib(m.firehoseBilled)} of records (the flatteners' JSON rows, 5 KB rounding)`,
    ),
    line(
      'Firehose',
      'Parquet conversion',
      m.firehoseBilled / GIB,
      p.formatConversionGiB,
      gib(m.firehoseBilled),
    ),
    line(
      'Firehose',
      'Dynamic partitioning (bytes)',
      input / GIB,
      p.dynamicPartitioningGiB,
      gib(input),
    ),
    line(
      'Firehose',
      'Dynamic partitioning (objects)',
      m.objects / 1000,
      p.dynamicPartitioningObjects,
      `${count(m.objects)} objects: per stream and site a buffer of 128 MiB or 300 s (${smallStreams} small streams at one per 300 s)`,
    ),
    line(
      'Firehose',
      'JQ partition keys',
      jqHours,
      p.jqHour,
      `${count(rows)} rows × ${m.workload.jqMicrosecondsPerRow} µs = ${count(jqHours)} h`,
    ),
  ];
};

const s3: LinesOf = (m) => {
  const { workload, rows, plants } = m;
  const lake = { ...LAKEHOUSE_DEFAULTS, ...definedOnly(m.config.lakehouse) };
  const p = m.prices.s3;
  const rawDaily =
    (rows.telemetry * workload.parquetBytesPerTelemetryRow +
      rows.scores * workload.parquetBytesPerScoreRow +
      rows.events * workload.parquetBytesPerEventRow) /
    DAYS_PER_MONTH;
  const telemetryDaily = (rows.telemetry * workload.parquetBytesPerTelemetryRow) / DAYS_PER_MONTH;
  const curatedDaily = telemetryDaily * workload.curatedShareOfTelemetry;
  const horizonDays = workload.storageHorizonMonths * DAYS_PER_MONTH;
  const rawEnd = Math.min(horizonDays, lake.rawExpireAfterDays ?? Infinity);
  const raw = tierDays(
    lake.rawIntelligentTieringAfterDays,
    lake.rawGlacierInstantRetrievalAfterDays,
    rawEnd,
  );
  const curated = tierDays(lake.curatedIntelligentTieringAfterDays, Infinity, horizonDays);
  // Each daily curation rewrites its lookback's partitions: every day's partition is written
  // `lookbackDays` times, the replaced versions kept `noncurrentVersionsExpireAfterDays`.
  const replacedDays = (m.lookbackDays - 1) * lake.noncurrentVersionsExpireAfterDays;
  const tier = (label: string, held: { raw: number; curated: number }, rate: Price, how: string) =>
    line(
      'S3',
      label,
      (held.raw * rawDaily + held.curated * curatedDaily) / GIB,
      rate,
      `${gib(held.raw * rawDaily + held.curated * curatedDaily)}: ${how}`,
    );
  const objectBytes = (rows.telemetry * workload.parquetBytesPerTelemetryRow) / m.telemetryObjects;
  const monitored =
    objectBytes >= IT_MONITORED_MIN_BYTES
      ? (m.telemetryObjects / DAYS_PER_MONTH) * (raw.frequent + raw.infrequent + raw.archive)
      : 0;
  const puts = m.objects + m.curationRuns * plants * m.lookbackDays;
  const transitions = rawEnd > lake.rawGlacierInstantRetrievalAfterDays ? m.objects : 0;
  const after = `after ${workload.storageHorizonMonths} months`;
  return [
    tier(
      'Standard',
      { raw: raw.standard, curated: curated.standard + replacedDays },
      p.standardGiBMonth,
      `raw ${days(raw.standard)}, curated ${days(curated.standard)} and ${days(replacedDays)} of replaced curation versions`,
    ),
    tier(
      'Intelligent-Tiering frequent',
      { raw: raw.frequent, curated: curated.frequent },
      p.intelligentFrequentGiBMonth,
      `raw ${days(raw.frequent)}, curated ${days(curated.frequent)}`,
    ),
    tier(
      'Intelligent-Tiering infrequent',
      { raw: raw.infrequent, curated: curated.infrequent },
      p.intelligentInfrequentGiBMonth,
      `raw ${days(raw.infrequent)}, curated ${days(curated.infrequent)} (not read for 30 days)`,
    ),
    tier(
      'Intelligent-Tiering archive instant',
      { raw: raw.archive, curated: curated.archive },
      p.intelligentArchiveInstantGiBMonth,
      `raw ${days(raw.archive)}, curated ${days(curated.archive)} (not read for 90 days), ${after}`,
    ),
    tier(
      'Glacier Instant Retrieval',
      { raw: raw.glacier, curated: 0 },
      p.glacierInstantGiBMonth,
      `raw ${days(raw.glacier)} from day ${lake.rawGlacierInstantRetrievalAfterDays}${lake.rawExpireAfterDays === undefined ? ' (never expiring)' : ` to expiry at day ${lake.rawExpireAfterDays}`}, ${after}`,
    ),
    line(
      'S3',
      'Intelligent-Tiering monitoring',
      monitored / 1000,
      p.intelligentMonitoring,
      `${count(monitored)} telemetry objects of ${(objectBytes / MIB).toFixed(1)} MiB`,
    ),
    line(
      'S3',
      'PUT requests',
      puts / 1000,
      p.putRequests,
      `${count(puts)} objects written (Firehose, curation)`,
    ),
    line(
      'S3',
      'Transitions to Glacier IR',
      transitions / 1000,
      p.transitionRequests,
      `${count(transitions)} objects a month`,
    ),
  ];
};

const athena: LinesOf = (m) => {
  const telemetryDailyPerPlant =
    (m.rows.telemetry * m.workload.parquetBytesPerTelemetryRow) / DAYS_PER_MONTH / m.plants;
  const curation = m.curationRuns * m.plants * m.lookbackDays * telemetryDailyPerPlant;
  const drift = m.driftChecks * ATHENA_MIN_BYTES;
  const adHocQueries = m.workload.adHocQueriesPerPlantPerDay * m.plants * DAYS_PER_MONTH;
  const adHoc = adHocQueries * Math.max(ATHENA_MIN_BYTES, m.workload.adHocScanGiBPerQuery * GIB);
  const scanned = curation + drift + adHoc;
  return [
    line(
      'Athena',
      'Bytes scanned',
      scanned / 1024 ** 4,
      m.prices.athena.scannedTiB,
      `${gib(scanned)}: curation ${count(m.curationRuns)} runs × ${m.plants} plants × ${days(m.lookbackDays)} of telemetry (${gib(curation)}), ${count(m.driftChecks)} drift checks × 10 MB, ${count(adHocQueries)} ad-hoc queries × ${m.workload.adHocScanGiBPerQuery} GiB`,
    ),
  ];
};

const sagemaker: LinesOf = (m) => {
  const ml = { ...ML_PIPELINE_DEFAULTS, ...definedOnly(m.config.mlPipeline) };
  const { scheduled, retrainings } = m.pipelineRuns;
  const runs = scheduled + retrainings;
  const processing = priceOf(
    m.prices.sagemaker.instanceHour,
    ml.processingInstanceType,
    'SageMaker instance type',
  );
  const training = priceOf(
    m.prices.sagemaker.instanceHour,
    ml.trainingInstanceType,
    'SageMaker instance type',
  );
  const processingHours = m.workload.preprocessHoursPerRun + m.workload.evaluateHoursPerRun;
  const ofRuns = `${runs.toFixed(1)} runs (${scheduled.toFixed(1)} scheduled + ${retrainings.toFixed(1)} after drift)`;
  return [
    line(
      'SageMaker',
      `Processing (${ml.processingInstanceType})`,
      runs * processingHours,
      processing,
      `${ofRuns} × ${processingHours} h (Preprocess, Evaluate)`,
    ),
    line(
      'SageMaker',
      `Training (${ml.trainingInstanceType})`,
      runs * m.workload.trainingHoursPerRun,
      training,
      `${ofRuns} × ${m.workload.trainingHoursPerRun} h`,
    ),
  ];
};

const lambda: LinesOf = (m) => {
  const { workload, rows } = m;
  const calls = m.invocations;
  const flattenerSeconds =
    ((rows.telemetry + rows.scores + rows.events) * workload.flattenerMsPer1000Rows) / 1e6 +
    (calls.flatteners * workload.firehosePutMs) / 1000;
  const smallSeconds = ((calls.consumers + calls.scheduled) * workload.smallFunctionMs) / 1000;
  const apiSeconds = (m.dashboard.apiRequests * workload.smallFunctionMs) / 1000;
  const gbSeconds =
    flattenerSeconds * FLATTENER_GB +
    smallSeconds * SMALL_FUNCTION_GB +
    apiSeconds * API_FUNCTION_GB;
  const all = calls.flatteners + calls.consumers + calls.scheduled + m.dashboard.apiRequests;
  return [
    line(
      'Lambda',
      'Requests',
      all / 1e6,
      m.prices.lambda.requests,
      `${count(all)} invocations (flatteners ${count(calls.flatteners)}, KPI and validation consumers ${count(calls.consumers)}, API ${count(m.dashboard.apiRequests)}, scheduled ${count(calls.scheduled)})`,
    ),
    line(
      'Lambda',
      'Compute (arm64)',
      gbSeconds,
      m.prices.lambda.arm64GbSecond,
      `${count(gbSeconds)} GB-s: flatteners ${workload.flattenerMsPer1000Rows} ms per 1,000 rows + ${workload.firehosePutMs} ms per invocation at 512 MB, others ${workload.smallFunctionMs} ms`,
    ),
  ];
};

const dashboardServices: LinesOf = (m) => {
  const cf = m.prices.cloudfront;
  const use = m.dashboard;
  const users = m.workload.dashboardUsersPerPlant * m.plants;
  return [
    line('CloudFront', 'Dashboard bytes', use.cdnBytes / GIB, cf.europeGiB, gib(use.cdnBytes)),
    line(
      'CloudFront',
      'Dashboard requests',
      use.cdnRequests / 10_000,
      cf.httpsRequests,
      `${count(use.cdnRequests)} requests`,
    ),
    line(
      'API Gateway',
      'HTTP API requests',
      use.apiRequests / 1e6,
      m.prices.apiGateway.httpApiRequests,
      `${count(use.apiRequests)} requests: ${users} users, ${m.workload.dashboardHoursOpenPerUserPerDay} h open a working day, ${m.workload.dashboardApiCallsPerRefresh} calls per refresh`,
    ),
    line(
      'Cognito',
      'Monthly active users (Plus)',
      users,
      m.prices.cognito.plusMau,
      `${users} users`,
    ),
  ];
};

const vpcEndpoints: LinesOf = (m) => {
  const p = m.prices.privateLink;
  const input = sum(Object.values(m.firehoseInput));
  return [
    line(
      'VPC endpoints',
      'Interface endpoint-hours',
      m.stock.interfaceEndpoints * m.stock.availabilityZones * HOURS_PER_MONTH,
      p.interfaceEndpointAzHour,
      `${m.stock.interfaceEndpoints} endpoints × ${m.stock.availabilityZones} zones × ${HOURS_PER_MONTH} h`,
    ),
    line(
      'VPC endpoints',
      'Data processed',
      input / GIB,
      p.dataProcessedGiB,
      `${gib(input)} of rows through the Firehose endpoint`,
    ),
    line(
      'VPC endpoints',
      'NAT gateways',
      m.stock.natGateways * HOURS_PER_MONTH,
      m.prices.network.natGatewayHour,
      `${m.stock.natGateways} NAT gateways (the subnets are isolated) × ${HOURS_PER_MONTH} h`,
    ),
  ];
};

const cloudwatch: LinesOf = (m) => {
  const { workload, stock } = m;
  const p = m.prices.cloudwatch;
  const calls = m.invocations;
  const brokers = m.cluster.mode === 'provisioned' ? m.cluster.brokerCount : 0;
  const logBytes =
    (calls.flatteners + calls.consumers + calls.scheduled + m.dashboard.apiRequests) *
      workload.logBytesPerInvocation +
    m.dashboard.apiRequests * workload.accessLogBytesPerRequest +
    (workload.rdsMonitoringGiBPerMonth + brokers * workload.brokerLogGiBPerBrokerMonth) * GIB;
  const flowBytes =
    (workload.flowLogGiBPerMonth + workload.flowLogGiBPerPlantPerMonth * m.plants) * GIB;
  const archived =
    (logBytes + flowBytes) *
    Math.min(LOG_RETENTION_MONTHS, workload.storageHorizonMonths) *
    LOG_ARCHIVE_SHARE;
  const dashboards = Math.max(0, stock.dashboards - FREE_DASHBOARDS);
  return [
    line(
      'CloudWatch',
      'Logs ingested',
      logBytes / GIB,
      p.logsIngestedGiB,
      `${gib(logBytes)} of function, API access, RDS monitoring and broker logs`,
    ),
    line('CloudWatch', 'Flow logs ingested', flowBytes / GIB, p.vendedLogsGiB, gib(flowBytes)),
    line(
      'CloudWatch',
      'Logs archived',
      archived / GIB,
      p.logsStoredGiBMonth,
      `${gib(archived)}: a year's retention, ~${LOG_ARCHIVE_SHARE * 100} % of the bytes after compression`,
    ),
    line(
      'CloudWatch',
      'Custom metrics',
      stock.customMetrics,
      p.customMetricMonth,
      `${stock.customMetrics} metrics`,
    ),
    line('CloudWatch', 'Alarms', stock.alarms, p.alarmMonth, `${stock.alarms} alarms`),
    line(
      'CloudWatch',
      'Dashboards',
      dashboards,
      p.dashboardMonth,
      `${stock.dashboards} dashboards, ${FREE_DASHBOARDS} free per account`,
    ),
  ];
};

const keysAndSecrets: LinesOf = (m) => {
  const requests =
    m.workload.kmsRequestsPerMonth + m.workload.kmsRequestsPerPlantPerMonth * m.plants;
  return [
    line(
      'KMS',
      'Customer-managed keys',
      m.stock.kmsKeys,
      m.prices.kms.keyMonth,
      `${m.stock.kmsKeys} keys`,
    ),
    line(
      'KMS',
      'Requests',
      requests / 10_000,
      m.prices.kms.requests,
      `${count(requests)} requests`,
    ),
    line(
      'Secrets Manager',
      'Secrets',
      m.stock.secrets,
      m.prices.secretsManager.secretMonth,
      `${m.stock.secrets} secret`,
    ),
    line(
      'Secrets Manager',
      'API calls',
      m.workload.secretCallsPerMonth / 10_000,
      m.prices.secretsManager.apiCalls,
      `${count(m.workload.secretCallsPerMonth)} calls`,
    ),
  ];
};

const stepFunctions: LinesOf = (m) => {
  const w = m.workload;
  const runs = m.pipelineRuns.scheduled + m.pipelineRuns.retrainings;
  const transitions =
    m.curationRuns *
      (w.curationTransitionsPerRun +
        w.curationTransitionsPerPartition * m.plants * m.lookbackDays) +
    w.rolloutsPerMonth * w.transitionsPerRollout +
    runs * w.transitionsPerModelRollout;
  return [
    line(
      'Step Functions',
      'State transitions',
      transitions / 1000,
      m.prices.stepFunctions.transitions,
      `${count(transitions)} transitions: curation runs, ${w.rolloutsPerMonth} edge rollouts, a model rollout per pipeline run`,
    ),
  ];
};

const other: LinesOf = (m) => {
  const devices = m.workload.coreDevicesPerPlant * m.plants + 1;
  return [
    line(
      'Other',
      'Greengrass core devices',
      devices,
      m.prices.greengrass.coreDeviceMonth,
      `${devices} core devices, the plants' and the canary (EventBridge Scheduler, SNS, Glue Data Catalog and Lake Formation within their free allowances)`,
    ),
  ];
};

/** Every service's lines, in the table's order. */
export const SERVICE_LINES: readonly LinesOf[] = [
  msk,
  rds,
  firehose,
  s3,
  athena,
  sagemaker,
  lambda,
  dashboardServices,
  vpcEndpoints,
  cloudwatch,
  keysAndSecrets,
  stepFunctions,
  other,
];

/** Days in each storage class of data aged 0 to `end` days, entering Intelligent-Tiering at `itStart` and Glacier IR at `girStart`. */
function tierDays(itStart: number, girStart: number, end: number) {
  return {
    standard: span(0, itStart, end),
    frequent: span(itStart, Math.min(girStart, itStart + IT_INFREQUENT_AFTER_DAYS), end),
    infrequent: span(
      itStart + IT_INFREQUENT_AFTER_DAYS,
      Math.min(girStart, itStart + IT_ARCHIVE_INSTANT_AFTER_DAYS),
      end,
    ),
    archive: span(itStart + IT_ARCHIVE_INSTANT_AFTER_DAYS, girStart, end),
    glacier: span(girStart, Infinity, end),
  };
}

/** A line of `quantity` × `price`, with the derivation `how × price`. */
function line(
  service: Service,
  item: string,
  quantity: number,
  price: Price,
  how: string,
): CostLine {
  return {
    service,
    item,
    usd: quantity * price.usd,
    derivation: `${how} × $${price.usd} per ${price.unit}`,
  };
}

/** Days of `[from, to)` within `[0, end)`. */
function span(from: number, to: number, end: number): number {
  return Math.max(0, Math.min(to, end) - Math.min(from, end));
}

function days(value: number): string {
  return `${count(value)} d`;
}

function gib(bytes: number): string {
  return `${count(bytes / GIB)} GiB`;
}

export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
