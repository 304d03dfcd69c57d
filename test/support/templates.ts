/**
 * A template string value as text: `Fn::Join` parts joined, any other intrinsic (a reference, an
 * attribute, an imported value) written as `<intrinsic>`. For JSON documents CloudFormation
 * assembles at deployment (inline recipes, state machine definitions, configuration merges).
 */
export function renderTemplateString(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join !== undefined) {
    const [delimiter, parts] = join;
    return Array.isArray(parts)
      ? parts.map(renderTemplateString).join(delimiter)
      : renderTemplateString(parts);
  }
  return `<${Object.keys(value as object)[0]}>`;
}
