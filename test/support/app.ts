import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type AppProps } from 'aws-cdk-lib';
import { buildUnsMlopsApp, type UnsMlopsStacks } from '../../lib/app';
import { environments } from '../../lib/config/environments';

export const REPOSITORY_ROOT = join(__dirname, '..', '..');

/** The feature flags of cdk.json, so tests synthesize exactly what `cdk synth` does. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

/** An App with the cdk.json feature flags, as the CDK CLI would create it. */
export function newApp(props: AppProps = {}): App {
  return new App({ ...props, context: { ...cdkJsonContext(), ...props.context } });
}

/** The uns-mlops app for one environment, built like `cdk synth -c env=<name>`. */
export function buildAppFor(
  environmentName: string,
  props: AppProps = {},
): { app: App } & UnsMlopsStacks {
  const app = newApp({ ...props, context: { ...props.context, env: environmentName } });
  return { app, ...buildUnsMlopsApp(app) };
}

/** Every environment the repository deploys. */
export const ENVIRONMENT_NAMES = environments.map((environment) => environment.name);
