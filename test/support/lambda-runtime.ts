import * as lambda from 'aws-cdk-lib/aws-lambda';

/** The newest Node.js runtime among aws-cdk-lib's `lambda.Runtime` constants. */
export function newestNodeRuntime(): lambda.Runtime {
  const nodeRuntimes = Object.values(lambda.Runtime).filter(
    (runtime): runtime is lambda.Runtime =>
      runtime instanceof lambda.Runtime &&
      runtime.family === lambda.RuntimeFamily.NODEJS &&
      !runtime.isVariable &&
      /^nodejs\d+\.x$/.test(runtime.name),
  );
  const major = (runtime: lambda.Runtime) => Number(/\d+/.exec(runtime.name)?.[0]);
  const newest = nodeRuntimes.sort((a, b) => major(b) - major(a))[0];
  if (newest === undefined) throw new Error('aws-cdk-lib offers no Node.js Lambda runtime');
  return newest;
}

/** `LogicalId (runtime)` of every Node.js function in a template not on the newest runtime. */
export function outdatedNodeFunctions(template: {
  Resources?: Record<string, { Type: string; Properties?: { Runtime?: unknown } }>;
}): string[] {
  const newest = newestNodeRuntime().name;
  return Object.entries(template.Resources ?? {})
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
    .map(([id, resource]) => [id, String(resource.Properties?.Runtime)] as const)
    .filter(([, runtime]) => runtime.startsWith('nodejs') && runtime !== newest)
    .map(([id, runtime]) => `${id} (${runtime})`);
}
