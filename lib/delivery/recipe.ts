import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';

export { fillRecipe, RECIPE_PLACEHOLDERS } from './recipe-template';

/** A parsed Greengrass recipe. */
export type Recipe = Record<string, unknown>;

/**
 * The recipe JSON Schema the Greengrass nucleus ships and validates recipes against
 * (`recipe/recipe_schema.json` of aws-greengrass-component-common, Apache-2.0; see
 * greengrass/NOTICE).
 */
const validateAgainstSchema = new Ajv({ allErrors: true, strict: false }).compile(
  JSON.parse(readFileSync(join(__dirname, 'greengrass', 'recipe-schema.json'), 'utf8')),
);

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

/** Whether `version` is a Greengrass component version: semver `major.minor.patch`. */
export function isComponentVersion(version: string): boolean {
  return SEMVER.test(version);
}

/** Recipe keys are case-insensitive; the schema names them in lower case (values stay). */
function lowerCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerCaseKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [key.toLowerCase(), lowerCaseKeys(child)]),
  );
}

/**
 * What is wrong with a filled recipe: schema violations (by the nucleus's own recipe schema), a
 * version that is not semver, placeholders left unfilled. Empty when the recipe is publishable.
 */
export function recipeProblems(recipeText: string): string[] {
  let recipe: unknown;
  try {
    recipe = parse(recipeText);
  } catch (error) {
    return [`not YAML: ${(error as Error).message.split('\n')[0]}`];
  }
  const problems: string[] = [];
  if (!validateAgainstSchema(lowerCaseKeys(recipe))) {
    for (const error of validateAgainstSchema.errors ?? []) {
      const params = JSON.stringify(error.params);
      problems.push(`${error.instancePath || '/'} ${error.message ?? 'is invalid'} ${params}`);
    }
  }
  const version = (recipe as Recipe | null)?.ComponentVersion;
  if (typeof version !== 'string' || !isComponentVersion(version)) {
    problems.push(`ComponentVersion ${JSON.stringify(version)} is not a semver major.minor.patch`);
  }
  const unfilled = recipeText.match(/\{(COMPONENT_VERSION|ARTIFACT_BUCKET)\}/g);
  if (unfilled !== null)
    problems.push(`unfilled placeholders: ${[...new Set(unfilled)].join(', ')}`);
  return problems;
}

/** Parses a recipe (YAML or JSON). */
export function parseRecipe(recipeText: string): Recipe {
  return parse(recipeText) as Recipe;
}
