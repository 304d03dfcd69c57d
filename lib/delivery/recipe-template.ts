/** The placeholders a recipe in this repository carries until it is published. */
export const RECIPE_PLACEHOLDERS = {
  version: '{COMPONENT_VERSION}',
  artifactBucket: '{ARTIFACT_BUCKET}',
} as const;

/**
 * The recipe template with its placeholders filled: the recipe a device receives. Free of
 * dependencies, so the model rollout's functions fill the model recipes the same way at run time.
 */
export function fillRecipe(template: string, version: string, artifactBucket: string): string {
  return template
    .replaceAll(RECIPE_PLACEHOLDERS.version, version)
    .replaceAll(RECIPE_PLACEHOLDERS.artifactBucket, artifactBucket);
}
