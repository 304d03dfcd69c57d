/**
 * The AWS prices the cost model uses: on-demand, region eu-central-1 (Frankfurt, where both
 * environments deploy), US dollars, no free tier counted unless a price says so. Each price names
 * its unit, the AWS pricing page it belongs to, the day it was read, and whether that figure was
 * confirmed from a published page (`confirmed: true`) or is the last known list price that could
 * not be confirmed when read (`confirmed: false`, with the reason): check those on the page
 * before committing a budget to them.
 */

/** One price. */
export interface Price {
  /** US dollars per `unit`. */
  readonly usd: number;
  readonly unit: string;
  /** The AWS pricing page (or the page that showed the figure). */
  readonly url: string;
  /** The day the figure was read, yyyy-mm-dd. */
  readonly read: string;
  /** Whether a published page showed this figure for this region. */
  readonly confirmed: boolean;
  /** Where the figure comes from when it is not the region's published price, or a caveat. */
  readonly note?: string;
}

/** The region the prices are for. */
export const PRICE_REGION = 'eu-central-1';

const READ = '2026-12-05';
const UNCONFIRMED =
  'eu-central-1 list price as last known; the pricing page could not be read to confirm it';
const US_EAST_1 =
  'us-east-1 figure (the only one a readable page showed); Frankfurt is usually equal or up to ~20 % higher';

const MSK = 'https://aws.amazon.com/msk/pricing/';
const RDS = 'https://aws.amazon.com/rds/postgresql/pricing/';
const RDS_PROXY = 'https://aws.amazon.com/rds/proxy/pricing/';
const FIREHOSE = 'https://aws.amazon.com/firehose/pricing/';
const S3 = 'https://aws.amazon.com/s3/pricing/';
const ATHENA = 'https://aws.amazon.com/athena/pricing/';
const SAGEMAKER = 'https://aws.amazon.com/sagemaker/pricing/';
const LAMBDA = 'https://aws.amazon.com/lambda/pricing/';
const CLOUDFRONT = 'https://aws.amazon.com/cloudfront/pricing/';
const API_GATEWAY = 'https://aws.amazon.com/api-gateway/pricing/';
const PRIVATELINK = 'https://aws.amazon.com/privatelink/pricing/';
const VPC = 'https://aws.amazon.com/vpc/pricing/';
const KMS = 'https://aws.amazon.com/kms/pricing/';
const SECRETS_MANAGER = 'https://aws.amazon.com/secrets-manager/pricing/';
const CLOUDWATCH = 'https://aws.amazon.com/cloudwatch/pricing/';
const STEP_FUNCTIONS = 'https://aws.amazon.com/step-functions/pricing/';
const COGNITO = 'https://aws.amazon.com/cognito/pricing/';
const SCHEDULER = 'https://aws.amazon.com/eventbridge/pricing/';
const SNS = 'https://aws.amazon.com/sns/pricing/';
const GREENGRASS = 'https://aws.amazon.com/greengrass/pricing/';
const EC2_TRANSFER = 'https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer';

const price = (
  usd: number,
  unit: string,
  url: string,
  note?: string,
  confirmed = false,
): Price => ({
  usd,
  unit,
  url,
  read: READ,
  confirmed,
  note: note ?? (confirmed ? undefined : UNCONFIRMED),
});
const confirmed = (usd: number, unit: string, url: string, note?: string): Price =>
  price(usd, unit, url, note, true);

/** The price list: every figure the model multiplies by. */
export const PRICES = {
  msk: {
    serverlessClusterHour: price(0.75, 'cluster-hour', MSK, US_EAST_1),
    serverlessPartitionHour: price(0.0015, 'partition-hour', MSK, US_EAST_1),
    serverlessDataInGiB: price(0.1, 'GiB written', MSK, US_EAST_1),
    serverlessDataOutGiB: price(0.05, 'GiB read', MSK, US_EAST_1),
    serverlessStorageGiBMonth: price(0.1, 'GiB-month retained', MSK, US_EAST_1),
    /** Standard brokers, per broker-hour. */
    brokerHour: {
      'kafka.t3.small': price(0.0536, 'broker-hour', MSK),
      'kafka.m5.large': price(0.252, 'broker-hour', MSK),
      'kafka.m7g.large': price(0.2448, 'broker-hour', MSK),
      'kafka.m7g.xlarge': price(0.4896, 'broker-hour', MSK),
    } as Readonly<Record<string, Price>>,
    brokerStorageGiBMonth: price(0.119, 'GiB-month provisioned', MSK),
  },
  rds: {
    /** PostgreSQL, Single-AZ; a Multi-AZ instance costs twice (primary and standby). */
    instanceHour: {
      'db.t4g.micro': price(0.018, 'instance-hour', RDS),
      'db.t4g.small': price(0.036, 'instance-hour', RDS),
      'db.t4g.medium': price(0.073, 'instance-hour', RDS),
      'db.m7g.large': price(0.197, 'instance-hour', RDS),
      'db.m7g.xlarge': price(0.394, 'instance-hour', RDS),
    } as Readonly<Record<string, Price>>,
    /** vCPUs of each class: RDS Proxy is billed per vCPU of the instance behind it. */
    vcpus: {
      'db.t4g.micro': 2,
      'db.t4g.small': 2,
      'db.t4g.medium': 2,
      'db.m7g.large': 2,
      'db.m7g.xlarge': 4,
    } as Readonly<Record<string, number>>,
    /** gp3, Single-AZ; Multi-AZ stores twice. */
    gp3GiBMonth: price(0.137, 'GiB-month (gp3, Single-AZ)', RDS),
    proxyVcpuHour: price(0.018, 'vCPU-hour of the instance (minimum 2)', RDS_PROXY),
  },
  firehose: {
    /** Direct PUT ingestion, first 500 TB a month; each record rounded up to 5 KB. */
    ingestionGiB: price(0.034, 'GiB ingested (records rounded up to 5 KB)', FIREHOSE),
    formatConversionGiB: price(0.021, 'GiB converted to Parquet (5 KB rounding)', FIREHOSE),
    dynamicPartitioningGiB: price(0.024, 'GiB delivered with dynamic partitioning', FIREHOSE),
    dynamicPartitioningObjects: price(0.006, '1,000 S3 objects delivered', FIREHOSE),
    jqHour: price(0.084, 'hour of JQ processing', FIREHOSE),
  },
  s3: {
    standardGiBMonth: confirmed(
      0.0245,
      'GiB-month (first 50 TB)',
      S3,
      'Frankfurt rate shown by blog.pesky.moe/posts/2025-09-14-s3-class',
    ),
    intelligentFrequentGiBMonth: confirmed(
      0.0245,
      'GiB-month (Intelligent-Tiering frequent access = Standard)',
      S3,
      'Frankfurt Standard rate (blog.pesky.moe, 2025-09)',
    ),
    intelligentInfrequentGiBMonth: confirmed(
      0.0135,
      'GiB-month (Intelligent-Tiering infrequent access = Standard-IA)',
      S3,
      'Frankfurt Standard-IA rate (blog.pesky.moe, 2025-09)',
    ),
    intelligentArchiveInstantGiBMonth: confirmed(
      0.005,
      'GiB-month (Intelligent-Tiering archive instant = Glacier IR)',
      S3,
      'Frankfurt Glacier IR rate (blog.pesky.moe, 2025-09)',
    ),
    intelligentMonitoring: price(0.0025, '1,000 objects monitored a month (objects > 128 KB)', S3),
    glacierInstantGiBMonth: confirmed(
      0.005,
      'GiB-month (Glacier Instant Retrieval)',
      S3,
      'Frankfurt rate shown by blog.pesky.moe/posts/2025-09-14-s3-class',
    ),
    putRequests: price(0.0054, '1,000 PUT/COPY/POST/LIST requests', S3),
    getRequests: price(0.00043, '1,000 GET requests', S3),
    transitionRequests: price(0.02, '1,000 lifecycle transitions (to Glacier IR)', S3),
  },
  athena: {
    scannedTiB: price(5, 'TiB scanned (10 MB minimum per query)', ATHENA),
  },
  sagemaker: {
    /** Training and processing jobs cost the same per instance-hour. */
    instanceHour: {
      'ml.m5.large': price(0.138, 'instance-hour (training or processing)', SAGEMAKER),
      'ml.m5.xlarge': price(0.276, 'instance-hour (training or processing)', SAGEMAKER),
      'ml.m5.2xlarge': price(0.552, 'instance-hour (training or processing)', SAGEMAKER),
      'ml.m5.4xlarge': price(1.104, 'instance-hour (training or processing)', SAGEMAKER),
    } as Readonly<Record<string, Price>>,
  },
  lambda: {
    requests: price(0.2, '1 million requests', LAMBDA),
    arm64GbSecond: price(0.0000133334, 'GB-second (arm64)', LAMBDA),
  },
  cloudfront: {
    europeGiB: price(0.085, 'GiB to viewers in Europe (first 10 TB)', CLOUDFRONT),
    httpsRequests: price(0.012, '10,000 HTTPS requests (Europe)', CLOUDFRONT),
  },
  apiGateway: {
    httpApiRequests: price(1.2, '1 million HTTP API requests (first 300 million)', API_GATEWAY),
  },
  privateLink: {
    interfaceEndpointAzHour: price(
      0.012,
      'interface endpoint-hour per availability zone',
      PRIVATELINK,
    ),
    dataProcessedGiB: price(
      0.01,
      'GiB processed (first 1 PB in the region)',
      PRIVATELINK,
      'the tier table a copy of the PrivateLink pricing page showed, without naming the region',
    ),
  },
  network: {
    natGatewayHour: price(0.052, 'NAT gateway-hour', VPC),
    crossAzGiB: price(0.02, 'GiB between availability zones (0.01 out + 0.01 in)', EC2_TRANSFER),
  },
  kms: {
    keyMonth: price(1, 'customer-managed key-month', KMS),
    requests: price(0.03, '10,000 requests', KMS),
  },
  secretsManager: {
    secretMonth: price(0.4, 'secret-month', SECRETS_MANAGER),
    apiCalls: price(0.05, '10,000 API calls', SECRETS_MANAGER),
  },
  cloudwatch: {
    logsIngestedGiB: price(0.63, 'GiB of logs ingested (standard class)', CLOUDWATCH),
    vendedLogsGiB: price(
      0.63,
      'GiB of vended logs (VPC flow logs) to CloudWatch Logs, first 10 TB',
      CLOUDWATCH,
    ),
    logsStoredGiBMonth: price(0.0324, 'GiB-month archived (compressed)', CLOUDWATCH),
    customMetricMonth: price(0.3, 'custom metric-month (first 10,000)', CLOUDWATCH),
    alarmMonth: price(0.1, 'standard alarm metric-month', CLOUDWATCH),
    dashboardMonth: price(3, 'dashboard-month (3 per account free)', CLOUDWATCH),
  },
  stepFunctions: {
    transitions: price(0.025, '1,000 state transitions (standard workflows)', STEP_FUNCTIONS),
  },
  cognito: {
    /** The user pool is on the Plus tier (threat protection enforced): no free users. */
    plusMau: price(0.02, 'monthly active user (Plus tier, none free)', COGNITO),
  },
  scheduler: {
    invocations: price(1, '1 million scheduled invocations beyond 14 million free', SCHEDULER),
  },
  sns: {
    emails: price(2, '100,000 email notifications', SNS),
  },
  greengrass: {
    coreDeviceMonth: price(0.16, 'active core device-month', GREENGRASS, US_EAST_1),
  },
} as const;

/** The price list's shape, for a model run with other prices (a test, another region). */
export type PriceList = typeof PRICES;

/**
 * The price of `key` in a per-type table, or an error naming the file to add it to: an
 * environment configured with an instance type the list does not know cannot be priced.
 */
export function priceOf(table: Readonly<Record<string, Price>>, key: string, what: string): Price {
  const found = table[key];
  if (found === undefined) {
    throw new Error(
      `No price for ${what} ${key}: add it to scripts/cost/prices.ts (known: ${Object.keys(table).join(', ')})`,
    );
  }
  return found;
}

/** Every price of a list with its path (`msk.serverlessClusterHour`, ...). */
export function listPrices(prices: PriceList = PRICES): { path: string; price: Price }[] {
  const found: { path: string; price: Price }[] = [];
  const walk = (node: object, path: string[]) => {
    for (const [key, value] of Object.entries(node) as [string, unknown][]) {
      if (typeof value !== 'object' || value === null) continue;
      if ('usd' in value && 'unit' in value)
        found.push({ path: [...path, key].join('.'), price: value as Price });
      else walk(value, [...path, key]);
    }
  };
  walk(prices, []);
  return found;
}
