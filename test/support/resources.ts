import type { Template } from 'aws-cdk-lib/assertions';

/** A resource of a template, with its logical id. */
export interface TemplateResource {
  readonly id: string;
  readonly resource: any;
}

/** The one resource of a type (matching `props`) in a template, with its logical id. */
export function only(template: Template, type: string, props?: object): TemplateResource {
  const found = Object.entries(template.findResources(type, props));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  const [id, resource] = found[0]!;
  return { id, resource };
}

/** The one resource of a type whose logical id starts with `prefix`. */
export function byId(template: Template, type: string, prefix: string): TemplateResource {
  const found = Object.entries(template.findResources(type)).filter(([id]) =>
    id.startsWith(prefix),
  );
  if (found.length !== 1) throw new Error(`expected one ${type} ${prefix}*, found ${found.length}`);
  const [id, resource] = found[0]!;
  return { id, resource };
}

/** A template's `Fn::GetAtt` of a resource's attribute. */
export const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });

/** A value the template takes from another stack's output (weak cross-stack reference). */
export const fromStack = (stack: string) => ({
  'Fn::GetStackOutput': expect.objectContaining({ StackName: stack }),
});
