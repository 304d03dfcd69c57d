/**
 * `npm run cost [-- --derivation]`: prints the monthly cost of every environment of
 * lib/config/environments.ts at 1, 5 and 20 plants as a Markdown table, a note on the prices, the
 * limits the workload would exceed, and last one JSON line with the figures. `--derivation` adds,
 * for each environment at 5 plants, every billed line with the quantities and prices it
 * multiplies. No AWS access: the plants' traffic is measured by running the simulator and the
 * flatteners here.
 */
import type { EnvironmentConfig } from '../../lib/config/environment';
import { environments } from '../../lib/config/environments';
import { ML_PIPELINE_DEFAULTS } from '../../lib/ml-pipeline/ml-pipeline-props';
import { PRICE_REGION, PRICES } from './prices';
import { costTable, formatDerivation, formatReport, tableJson } from './report';
import { measurePlantTraffic, type PlantTraffic, WORKLOAD } from './workload';

const wrongRegion = environments.filter((config) => config.region !== PRICE_REGION);
if (wrongRegion.length > 0) {
  console.error(
    `${wrongRegion.map((config) => `${config.name} deploys to ${config.region}`).join('; ')}: the prices in scripts/cost/prices.ts are for ${PRICE_REGION}.`,
  );
  process.exit(1);
}

// Every plant is the reference plant; its anomaly scores follow the environment's model stride.
const measured = new Map<number, PlantTraffic>();
const trafficOf = (config: EnvironmentConfig): PlantTraffic => {
  const stride = config.mlPipeline.stride ?? ML_PIPELINE_DEFAULTS.stride;
  const traffic = measured.get(stride) ?? measurePlantTraffic(WORKLOAD, stride);
  measured.set(stride, traffic);
  return traffic;
};
const estimates = costTable(environments, trafficOf, WORKLOAD, PRICES);

console.log(formatReport(estimates, PRICES));
if (process.argv.includes('--derivation')) {
  for (const estimate of estimates.filter((e) => e.plants === 5)) {
    console.log(`\n${estimate.environment}, 5 plants:\n\n${formatDerivation(estimate)}`);
  }
}
console.log(tableJson(estimates));
