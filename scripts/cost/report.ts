/**
 * The cost table: every environment at each plant count, one column each, one row per service,
 * as Markdown, with the figures as JSON for scripts.
 */
import type { EnvironmentConfig } from '../../lib/config/environment';
import { estimateEnvironment, type EnvironmentEstimate, SERVICES } from './estimate';
import { listPrices, PRICE_REGION, type PriceList } from './prices';
import type { PlantTraffic, WorkloadAssumptions } from './workload';

/** The plant counts the README's table shows. */
export const PLANT_COUNTS = [1, 5, 20] as const;

/**
 * The estimates of every environment at every plant count, in column order.
 *
 * @param trafficOf what one plant of an environment sends (it depends on the served model's stride).
 */
export function costTable(
  environments: readonly EnvironmentConfig[],
  trafficOf: (config: EnvironmentConfig) => PlantTraffic,
  workload: WorkloadAssumptions,
  prices: PriceList,
  plantCounts: readonly number[] = PLANT_COUNTS,
): EnvironmentEstimate[] {
  return environments.flatMap((config) => {
    const traffic = trafficOf(config);
    return plantCounts.map((plants) =>
      estimateEnvironment(config, plants, traffic, workload, prices),
    );
  });
}

/** Monthly US dollars of one service in one estimate. */
export function serviceUsd(estimate: EnvironmentEstimate, service: string): number {
  return estimate.lines
    .filter((line) => line.service === service)
    .reduce((sum, line) => sum + line.usd, 0);
}

/** The table as Markdown: a row per service and the total, a column per environment and plant count. */
export function formatTable(estimates: readonly EnvironmentEstimate[]): string {
  const header = ['USD / month', ...estimates.map((e) => `${e.environment}, ${plural(e.plants)}`)];
  const rows = SERVICES.map((service) => [
    service,
    ...estimates.map((estimate) => dollars(serviceUsd(estimate, service))),
  ]);
  rows.push(['**Total**', ...estimates.map((estimate) => `**${dollars(estimate.totalUsd)}**`)]);
  const lines = [header, header.map((_, i) => (i === 0 ? '---' : '---:')), ...rows];
  return lines.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** The figures as one JSON line: per estimate, the total and each service, rounded to cents. */
export function tableJson(estimates: readonly EnvironmentEstimate[]): string {
  return JSON.stringify(
    estimates.map((estimate) => ({
      environment: estimate.environment,
      plants: estimate.plants,
      totalUsd: cents(estimate.totalUsd),
      services: Object.fromEntries(
        SERVICES.map((service) => [service, cents(serviceUsd(estimate, service))]),
      ),
    })),
  );
}

/** Every line of one estimate with its derivation, as a Markdown table. */
export function formatDerivation(estimate: EnvironmentEstimate): string {
  const rows = estimate.lines.map(
    (line) => `| ${line.service} | ${line.item} | ${dollars(line.usd)} | ${line.derivation} |`,
  );
  return [
    `| service | line | USD / month | derivation |`,
    `| --- | --- | ---: | --- |`,
    ...rows,
  ].join('\n');
}

/**
 * What the README shows: the table, a sentence on the prices (region, day read, how many a
 * published page confirmed) and the limits the workload would exceed.
 */
export function formatReport(estimates: readonly EnvironmentEstimate[], prices: PriceList): string {
  const all = listPrices(prices);
  const unconfirmed = all.filter(({ price }) => !price.confirmed).length;
  const days = [...new Set(all.map(({ price }) => price.read))].join(', ');
  const warnings = estimates.flatMap((estimate) =>
    estimate.warnings.map(
      (warning) => `- ${estimate.environment} with ${plural(estimate.plants)}: ${warning}`,
    ),
  );
  return [
    formatTable(estimates),
    '',
    `On-demand prices of ${PRICE_REGION}, read ${days}; ${unconfirmed} of ${all.length} could not be confirmed from a published page (scripts/cost/prices.ts says which).`,
    ...(warnings.length > 0 ? ['', ...warnings] : []),
  ].join('\n');
}

function plural(plants: number): string {
  return `${plants} plant${plants === 1 ? '' : 's'}`;
}

/** Whole dollars, and cents below $10 so that the small lines show they are counted. */
function dollars(usd: number): string {
  return usd.toLocaleString('en-US', {
    minimumFractionDigits: usd < 10 ? 2 : 0,
    maximumFractionDigits: usd < 10 ? 2 : 0,
  });
}

function cents(usd: number): number {
  return Math.round(usd * 100) / 100;
}
