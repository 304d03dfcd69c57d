import type { EnvironmentConfig } from '../../lib/config/environment';
import { resolveEnvironment } from '../../lib/config/resolve';
import {
  type CostLine,
  type EnvironmentEstimate,
  estimateEnvironment,
} from '../../scripts/cost/estimate';
import { inventory } from '../../scripts/cost/inventory';
import { listPrices, type Price, PRICES, type PriceList } from '../../scripts/cost/prices';
import { serviceUsd } from '../../scripts/cost/report';
import type { PlantTraffic } from '../../scripts/cost/workload';
import { WORKLOAD } from '../../scripts/cost/workload';

/** A plant's traffic of the reference plant's shape (measured by workload.test.ts, fixed here). */
const TRAFFIC: PlantTraffic = {
  telemetry: {
    perSecond: 240,
    kafkaBytes: 540,
    rowsPerMessage: 100,
    rowBytes: 380,
    rowsPerFirehoseRecord: 500,
  },
  scores: {
    perSecond: 250,
    kafkaBytes: 350,
    rowsPerMessage: 1,
    rowBytes: 480,
    rowsPerFirehoseRecord: 100,
  },
  events: {
    perSecond: 3,
    kafkaBytes: 280,
    rowsPerMessage: 1,
    rowBytes: 390,
    rowsPerFirehoseRecord: 50,
  },
};
const dev = resolveEnvironment('dev');
const prod = resolveEnvironment('prod');

function estimate(
  config: EnvironmentConfig,
  plants: number,
  prices: PriceList = PRICES,
  workload = WORKLOAD,
): EnvironmentEstimate {
  return estimateEnvironment(config, plants, TRAFFIC, workload, prices);
}

function lineOf(estimate: EnvironmentEstimate, service: string, item: string | RegExp): CostLine {
  const found = estimate.lines.filter(
    (line) =>
      line.service === service &&
      (typeof item === 'string' ? line.item === item : item.test(line.item)),
  );
  if (found.length !== 1)
    throw new Error(`expected one ${service} line ${String(item)}, found ${found.length}`);
  return found[0]!;
}

/** A copy of the price list with every price multiplied by `factor`. */
function scaledPrices(factor: number): PriceList {
  const scale = (node: unknown): unknown => {
    if (typeof node !== 'object' || node === null) return node;
    if ('usd' in node && 'unit' in node)
      return { ...(node as Price), usd: (node as Price).usd * factor };
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, scale(value)]));
  };
  return scale(PRICES) as PriceList;
}

describe('the monthly estimate of an environment', () => {
  /** Lines billed per message, row or byte from the plants: they grow with the plants. */
  const PER_MESSAGE: [string, string | RegExp][] = [
    ['Firehose', 'Ingestion'],
    ['Firehose', 'Parquet conversion'],
    ['Firehose', 'Dynamic partitioning (bytes)'],
    ['Firehose', 'Dynamic partitioning (objects)'],
    ['Firehose', 'JQ partition keys'],
    ['VPC endpoints', 'Data processed'],
    ['S3', 'Standard'],
    ['S3', 'Intelligent-Tiering frequent'],
    ['S3', 'Glacier Instant Retrieval'],
  ];
  /** Lines of what is deployed whatever the traffic. */
  const FIXED: [string, string | RegExp][] = [
    ['RDS', /^db\./],
    ['RDS', 'gp3 storage'],
    ['RDS Proxy', 'Proxy'],
    ['VPC endpoints', 'Interface endpoint-hours'],
    ['KMS', 'Customer-managed keys'],
    ['Secrets Manager', 'Secrets'],
  ];

  it.each([
    ['dev (MSK Serverless)', dev],
    ['prod (MSK provisioned)', prod],
  ])(
    'doubles the per-message lines and keeps the fixed ones when the plants double, in %s',
    (_, config) => {
      const five = estimate(config, 5);
      const ten = estimate(config, 10);
      for (const [service, item] of PER_MESSAGE) {
        expect(lineOf(ten, service, item).usd).toBeCloseTo(2 * lineOf(five, service, item).usd, 6);
      }
      for (const [service, item] of FIXED) {
        expect(lineOf(ten, service, item).usd).toBe(lineOf(five, service, item).usd);
      }
    },
  );

  it('bills MSK Serverless by the bytes and MSK provisioned by the brokers', () => {
    for (const item of ['Serverless data in', 'Serverless data out', 'Serverless storage']) {
      expect(lineOf(estimate(dev, 10), 'MSK', item).usd).toBeCloseTo(
        2 * lineOf(estimate(dev, 5), 'MSK', item).usd,
        6,
      );
    }
    const brokers = /kafka\.m7g\.large brokers$/;
    expect(lineOf(estimate(prod, 20), 'MSK', brokers).usd).toBe(
      lineOf(estimate(prod, 1), 'MSK', brokers).usd,
    );
    expect(lineOf(estimate(prod, 1), 'MSK', brokers).usd).toBeCloseTo(
      3 * 730 * PRICES.msk.brokerHour['kafka.m7g.large']!.usd,
    );
  });

  it('costs less in dev than in prod at 1, 5 and 20 plants', () => {
    for (const plants of [1, 5, 20]) {
      expect(estimate(dev, plants).totalUsd).toBeLessThan(estimate(prod, plants).totalUsd);
    }
  });

  it('prices the Multi-AZ store of prod as two instances and dev single-AZ store as one', () => {
    const hour = (type: string) => PRICES.rds.instanceHour[type]!.usd;
    expect(lineOf(estimate(prod, 1), 'RDS', /^db\./).usd).toBeCloseTo(
      2 * 730 * hour('db.m7g.large'),
    );
    expect(lineOf(estimate(dev, 1), 'RDS', /^db\./).usd).toBeCloseTo(730 * hour('db.t4g.small'));
  });

  it('follows from the prices: every price times k gives every line times k', () => {
    const base = estimate(prod, 5);
    const tripled = estimate(prod, 5, scaledPrices(3));
    base.lines.forEach((line, index) => {
      expect(tripled.lines[index]!.usd).toBeCloseTo(3 * line.usd, 6);
    });
  });

  it("names in each line's derivation the price it multiplies by", () => {
    const known = listPrices().map(({ price }) => `× $${price.usd} per ${price.unit}`);
    for (const line of [...estimate(dev, 5).lines, ...estimate(prod, 5).lines]) {
      expect(known.some((price) => line.derivation.endsWith(price))).toBe(true);
    }
  });

  it("stops growing dev's raw zone at its expiry and keeps growing prod's", () => {
    const raw = (config: EnvironmentConfig, months: number) => {
      const e = estimate(config, 1, PRICES, { ...WORKLOAD, storageHorizonMonths: months });
      return lineOf(e, 'S3', 'Glacier Instant Retrieval').usd;
    };
    expect(raw(dev, 24)).toBe(raw(dev, 12));
    expect(raw(prod, 24)).toBeGreaterThan(raw(prod, 12));
  });

  it('counts the curation versions a longer lookback replaces', () => {
    const standard = (lookbackDays: number) =>
      lineOf(
        estimate({ ...prod, curation: { ...prod.curation, lookbackDays } }, 1),
        'S3',
        'Standard',
      ).usd;
    expect(standard(7)).toBeGreaterThan(standard(2));
  });

  it('counts the configured topic partitions of MSK Serverless', () => {
    expect(inventory(dev).partitions).toBe(8 * 3 + 6);
    expect(inventory(prod).partitions).toBe(8 * 6 + 24);
    expect(lineOf(estimate(dev, 1), 'MSK', 'Serverless partition-hours').usd).toBeCloseTo(
      30 * 730 * PRICES.msk.serverlessPartitionHour.usd,
    );
  });

  it('names the file to add a price to when an instance type has none', () => {
    const config = {
      ...prod,
      complianceStore: { ...prod.complianceStore, instanceType: 'db.x2g.16xlarge' },
    };
    expect(() => estimate(config, 1)).toThrow(
      'No price for RDS instance class db.x2g.16xlarge: add it to scripts/cost/prices.ts',
    );
  });

  it('warns when the brokers cannot hold a week of the plants, and not before', () => {
    const disk = (plants: number) =>
      estimate(prod, plants).warnings.filter((w) => w.startsWith('MSK:'));
    expect(disk(1)).toEqual([]);
    expect(disk(20)).toEqual([
      expect.stringContaining('GiB per broker, over 80 % of the configured 1000 GiB'),
    ]);
  });

  it('warns when the telemetry flattener would outgrow its reserved concurrency', () => {
    const lambda = (config: EnvironmentConfig, plants: number) =>
      estimate(config, plants).warnings.filter((w) => w.startsWith('Lambda:'));
    expect(lambda(dev, 1)).toEqual([]);
    expect(lambda(dev, 20)).toEqual([expect.stringContaining('the 6 partitions of uns.telemetry')]);
  });

  it('sums the lines of each service into its row and the rows into the total', () => {
    const e = estimate(prod, 5);
    const services = [...new Set(e.lines.map((line) => line.service))];
    expect(services.reduce((sum, service) => sum + serviceUsd(e, service), 0)).toBeCloseTo(
      e.totalUsd,
      6,
    );
  });
});
