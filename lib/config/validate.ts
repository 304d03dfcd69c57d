import { alertSettingsProblems } from '../alerts/alert-settings';
import { complianceStoreSettingsProblems } from '../compliance/validate-props';
import { defaultCognitoDomainPrefix } from '../compliance-api/compliance-api-props';
import { complianceApiSettingsProblems } from '../compliance-api/validate-props';
import { lakehouseCurationPropsProblems } from '../curation/validate-props';
import { lakehousePropsProblems } from '../lakehouse/validate-props';
import { mlPipelinePropsProblems } from '../ml-pipeline/validate-props';
import { modelDriftMonitorSettingsProblems } from '../model-monitoring/validate-props';
import { modelRolloutSettingsProblems } from '../model-rollout/validate-props';
import { cidrsOverlap, parseCidr, streamingSettingsProblems } from '../streaming/validate-props';
import { UNS_ID_PATTERN, UNS_ID_RULE } from '../uns-id';
import { ROLLOUT_DEFAULTS } from './environment';
import type {
  EdgeRolloutSettings,
  EnvironmentConfig,
  LakehouseSettings,
  PlantConfig,
  StreamingSettings,
} from './environment';

const ENVIRONMENT_NAME = /^[a-z][a-z0-9]{1,15}$/;
const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const THING_GROUP = /^[a-zA-Z0-9:_-]{1,128}$/;
const BROKER_URL = /^(mqtts?|wss?):\/\/[^\s/]+(\/\S*)?$/;
const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/**
 * Checks one environment and returns every problem found, each naming the field path, the rule
 * and the offending value. An empty list means the environment is valid.
 */
export function validateEnvironment(config: EnvironmentConfig): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, problem: string): void => {
    if (!ok) problems.push(problem);
  };

  check(
    ENVIRONMENT_NAME.test(config.name),
    `name ${quote(config.name)} must be 2-16 lowercase letters or digits, starting with a letter`,
  );
  check(
    ACCOUNT_ID.test(config.account),
    `account ${quote(config.account)} must be a 12-digit AWS account id`,
  );
  check(
    REGION.test(config.region),
    `region ${quote(config.region)} must be an AWS region name such as "eu-central-1"`,
  );
  const plantProblems = config.plants.flatMap((plant, index) =>
    validatePlant(plant, `plants[${index}]`),
  );
  check(config.plants.length > 0, 'plants must list at least one plant');
  problems.push(...plantProblems);
  problems.push(
    ...duplicates(config.plants.map((p) => p.siteId)).map(
      (id) => `plants: site id ${quote(id)} is used more than once`,
    ),
    ...duplicates(config.plants.map((p) => p.greengrassThingGroup)).map(
      (group) => `plants: Greengrass thing group ${quote(group)} is used more than once`,
    ),
  );
  problems.push(...validateLakehouse(config.lakehouse));
  problems.push(...validateMlPipeline(config));
  problems.push(
    ...modelDriftMonitorSettingsProblems(config.modelMonitoring ?? {}).map(
      (problem) => `modelMonitoring.${problem}`,
    ),
  );
  problems.push(...validateCuration(config));
  problems.push(...validateStreaming(config.streaming));
  problems.push(...validateComplianceStore(config));
  problems.push(...validateComplianceApi(config));
  problems.push(
    ...modelRolloutSettingsProblems(config.modelRollout ?? {}).map(
      (problem) => `modelRollout.${problem}`,
    ),
  );
  problems.push(
    ...alertSettingsProblems(config.alerts ?? {}).map((problem) => `alerts.${problem}`),
  );
  // The environment's alert topic carries the drift and rollout notifications too.
  for (const part of ['modelMonitoring', 'modelRollout'] as const) {
    if ((config[part]?.notificationEmails?.length ?? 0) > 0) {
      problems.push(
        `${part}.notificationEmails: the environment's alert topic carries these notifications; list the addresses in alerts.notificationEmails`,
      );
    }
  }
  // The rollout names plants: checked against them once they are valid themselves.
  if (config.plants.length > 0 && plantProblems.length === 0) {
    problems.push(...validateEdgeRollout(config.edgeRollout, config.plants));
  }
  return problems;
}

function validatePlant(plant: PlantConfig, path: string): string[] {
  const problems: string[] = [];
  if (!UNS_ID_PATTERN.test(plant.siteId)) {
    problems.push(`${path}.siteId ${quote(plant.siteId)} ${UNS_ID_RULE}`);
  }
  if (plant.displayName.trim() === '') problems.push(`${path}.displayName must not be empty`);
  if (!THING_GROUP.test(plant.greengrassThingGroup)) {
    problems.push(
      `${path}.greengrassThingGroup ${quote(plant.greengrassThingGroup)} must be 1-128 letters, digits, ':', '_' or '-'`,
    );
  }
  if (plant.brokerUrl !== undefined && !BROKER_URL.test(plant.brokerUrl)) {
    problems.push(
      `${path}.brokerUrl ${quote(plant.brokerUrl)} must be an mqtt://, mqtts://, ws:// or wss:// URL`,
    );
  }
  if (plant.lines.length === 0) problems.push(`${path}.lines must list at least one line`);
  plant.lines.forEach((line, index) => {
    if (!UNS_ID_PATTERN.test(line.id))
      problems.push(`${path}.lines[${index}].id ${quote(line.id)} ${UNS_ID_RULE}`);
    if (!UNS_ID_PATTERN.test(line.area)) {
      problems.push(`${path}.lines[${index}].area ${quote(line.area)} ${UNS_ID_RULE}`);
    }
  });
  problems.push(
    ...duplicates(plant.lines.map((l) => l.id)).map(
      (id) => `${path}.lines: line id ${quote(id)} is used more than once`,
    ),
  );
  return problems;
}

function validateEdgeRollout(
  rollout: EdgeRolloutSettings,
  plants: readonly PlantConfig[],
): string[] {
  const problems: string[] = [];
  const sites = plants.map((plant) => plant.siteId);
  if (!UNS_ID_PATTERN.test(rollout.enterprise)) {
    problems.push(`edgeRollout.enterprise ${quote(rollout.enterprise)} ${UNS_ID_RULE}`);
  }
  if (!THING_GROUP.test(rollout.canary.thingGroup)) {
    problems.push(
      `edgeRollout.canary.thingGroup ${quote(rollout.canary.thingGroup)} must be 1-128 letters, digits, ':', '_' or '-'`,
    );
  }
  if (plants.some((plant) => plant.greengrassThingGroup === rollout.canary.thingGroup)) {
    problems.push(
      `edgeRollout.canary.thingGroup ${quote(rollout.canary.thingGroup)} is a plant's group; the canary needs a group of its own`,
    );
  }
  if (!sites.includes(rollout.canary.siteId)) {
    problems.push(
      `edgeRollout.canary.siteId ${quote(rollout.canary.siteId)} is not a plant of this environment (${sites.join(', ')})`,
    );
  }
  const waved = rollout.waves.flat();
  rollout.waves.forEach((wave, index) => {
    if (wave.length === 0) problems.push(`edgeRollout.waves[${index}] must list at least one site`);
    for (const site of wave.filter((id) => !sites.includes(id))) {
      problems.push(
        `edgeRollout.waves[${index}]: ${quote(site)} is not a plant of this environment`,
      );
    }
  });
  for (const site of duplicates(waved)) {
    problems.push(`edgeRollout.waves: ${quote(site)} is in more than one wave`);
  }
  for (const site of sites.filter((id) => !waved.includes(id))) {
    problems.push(
      `edgeRollout.waves: plant ${quote(site)} is in no wave, so it would never get new versions`,
    );
  }
  const positive = (value: number | undefined, path: string, max: number) => {
    if (value !== undefined && !(Number.isFinite(value) && value > 0 && value <= max)) {
      problems.push(`edgeRollout.${path} (${value}) must be a number above 0 and at most ${max}`);
    }
  };
  positive(rollout.bakeMinutes, 'bakeMinutes', 24 * 60);
  positive(rollout.gateTimeoutMinutes, 'gateTimeoutMinutes', 24 * 60);
  const bake = rollout.bakeMinutes ?? ROLLOUT_DEFAULTS.bakeMinutes;
  const timeout = rollout.gateTimeoutMinutes ?? ROLLOUT_DEFAULTS.gateTimeoutMinutes;
  if (timeout <= bake) {
    problems.push(
      `edgeRollout.gateTimeoutMinutes (${timeout}) must be longer than bakeMinutes (${bake}): the gate's timeout counts from its start, bake time included`,
    );
  }
  positive(rollout.kpis?.minValidSharePercent, 'kpis.minValidSharePercent', 100);
  positive(rollout.kpis?.maxAnomalyRatePercent, 'kpis.maxAnomalyRatePercent', 100);
  positive(rollout.kpis?.maxSpoolRecords, 'kpis.maxSpoolRecords', Number.MAX_SAFE_INTEGER);
  positive(rollout.kpis?.periodMinutes, 'kpis.periodMinutes', 60);
  const maxErrors = rollout.kpis?.maxInferenceErrors;
  if (maxErrors !== undefined && !(Number.isInteger(maxErrors) && maxErrors >= 0)) {
    problems.push(
      `edgeRollout.kpis.maxInferenceErrors (${maxErrors}) must be a whole number, 0 or more`,
    );
  }
  return problems;
}

function validateLakehouse(settings: LakehouseSettings): string[] {
  const { lakeFormationAdminRoleArns, ...lakehouseProps } = settings;
  return [
    ...lakehousePropsProblems(lakehouseProps).map((problem) => `lakehouse.${problem}`),
    ...lakeFormationAdminRoleArns
      .filter((arn) => !IAM_ROLE_ARN.test(arn))
      .map((arn) => `lakehouse.lakeFormationAdminRoleArns: ${quote(arn)} must be an IAM role ARN`),
  ];
}

function validateStreaming(settings: StreamingSettings): string[] {
  const { vpcCidr, availabilityZones, ...streamingProps } = settings;
  const problems = streamingSettingsProblems(streamingProps, availabilityZones).map(
    (problem) => `streaming.${problem}`,
  );
  const vpcPrefix = Number(vpcCidr.split('/')[1]);
  if (parseCidr(vpcCidr) === undefined || vpcPrefix < 16 || vpcPrefix > 24) {
    problems.push(`streaming.vpcCidr ${quote(vpcCidr)} must be an IPv4 CIDR from /16 to /24`);
  }
  if (!Number.isInteger(availabilityZones) || availabilityZones < 2 || availabilityZones > 3) {
    problems.push(`streaming.availabilityZones (${availabilityZones}) must be 2 or 3`);
  }
  for (const cidr of settings.plantCidrs ?? []) {
    if (cidrsOverlap(cidr, vpcCidr)) {
      problems.push(`streaming.plantCidrs: ${quote(cidr)} overlaps the VPC ${quote(vpcCidr)}`);
    }
  }
  return problems;
}

function validateComplianceStore(config: EnvironmentConfig): string[] {
  const settings = config.complianceStore;
  const problems = complianceStoreSettingsProblems(settings).map(
    (problem) => `complianceStore.${problem}`,
  );
  if (!config.allowDestroy && settings.deletionProtection === false) {
    problems.push(
      'complianceStore.deletionProtection must not be false in an environment that keeps its data (allowDestroy false)',
    );
  }
  return problems;
}

function validateComplianceApi(config: EnvironmentConfig): string[] {
  // The default hosted UI prefix is derived from the name and account: checked like a chosen one,
  // once the account is valid (an invalid account is reported once, as itself).
  const derivable = ACCOUNT_ID.test(config.account);
  const settings = {
    ...(derivable && {
      cognitoDomainPrefix: defaultCognitoDomainPrefix(config.name, config.account),
    }),
    ...config.complianceApi,
  };
  return complianceApiSettingsProblems(settings).map((problem) => `complianceApi.${problem}`);
}

function validateCuration(config: EnvironmentConfig): string[] {
  return lakehouseCurationPropsProblems(config.curation ?? {}).map(
    (problem) => `curation.${problem}`,
  );
}

function validateMlPipeline(config: EnvironmentConfig): string[] {
  const problems = mlPipelinePropsProblems(config.mlPipeline).map(
    (problem) => `mlPipeline.${problem}`,
  );
  if (!config.allowDestroy && config.mlPipeline.modelApprovalStatus !== 'PendingManualApproval') {
    problems.push(
      `mlPipeline.modelApprovalStatus ${quote(config.mlPipeline.modelApprovalStatus)} must be "PendingManualApproval" in an environment that keeps its data (allowDestroy false): a person approves production models`,
    );
  }
  return problems;
}

function quote(value: string): string {
  return JSON.stringify(value);
}

function duplicates(values: readonly string[]): string[] {
  return [...new Set(values.filter((value, index) => values.indexOf(value) !== index))];
}
