import { lakehousePropsProblems } from '../lakehouse/validate-props';
import { UNS_ID_PATTERN, UNS_ID_RULE } from '../uns-id';
import type { EnvironmentConfig, LakehouseSettings, PlantConfig } from './environment';

const ENVIRONMENT_NAME = /^[a-z][a-z0-9]{1,15}$/;
const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const THING_GROUP = /^[a-zA-Z0-9:_-]{1,128}$/;
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
  check(config.plants.length > 0, 'plants must list at least one plant');
  config.plants.forEach((plant, index) =>
    problems.push(...validatePlant(plant, `plants[${index}]`)),
  );
  problems.push(
    ...duplicates(config.plants.map((p) => p.siteId)).map(
      (id) => `plants: site id ${quote(id)} is used more than once`,
    ),
    ...duplicates(config.plants.map((p) => p.greengrassThingGroup)).map(
      (group) => `plants: Greengrass thing group ${quote(group)} is used more than once`,
    ),
  );
  problems.push(...validateLakehouse(config.lakehouse));
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

function validateLakehouse(settings: LakehouseSettings): string[] {
  const { lakeFormationAdminRoleArns, ...lakehouseProps } = settings;
  return [
    ...lakehousePropsProblems(lakehouseProps).map((problem) => `lakehouse.${problem}`),
    ...lakeFormationAdminRoleArns
      .filter((arn) => !IAM_ROLE_ARN.test(arn))
      .map((arn) => `lakehouse.lakeFormationAdminRoleArns: ${quote(arn)} must be an IAM role ARN`),
  ];
}

function quote(value: string): string {
  return JSON.stringify(value);
}

function duplicates(values: readonly string[]): string[] {
  return [...new Set(values.filter((value, index) => values.indexOf(value) !== index))];
}
