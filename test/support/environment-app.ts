import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App, Environment, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Alerting } from '../../lib/alerts';
import { stackName } from '../../lib/app';
import type { EnvironmentConfig } from '../../lib/config/environment';
import { resolveEnvironment } from '../../lib/config/resolve';
import { addComplianceChecks } from '../../lib/quality/compliance';
import { AlertsStack } from '../../lib/stacks/alerts-stack';
import { newApp } from './app';

/** What every stack of an environment takes, as `addPlatformStacks` gives it. */
export interface EnvironmentStackProps {
  readonly env: Environment;
  readonly config: EnvironmentConfig;
  readonly stackName: string;
  /** The environment's alert topic and limits (its Alerts stack, added with the first stack). */
  readonly alerts: Alerting;
}

/** A stack class of the app: its props are an environment's stack props and more. */
type StackClass = new (scope: Construct, id: string, props: never) => Stack;

/** An app for some of one environment's stacks (see {@link environmentApp}). */
export interface EnvironmentApp {
  readonly app: App;
  /** The folder {@link EnvironmentApp.synth} writes to, in the run's temporary directory. */
  readonly outdir: string;
  readonly config: EnvironmentConfig;
  /**
   * Adds the environment's stack `UnsMlops-<Env>-<part>` (`part` as lib/app.ts names it) of class
   * `type`, with the environment's stack props and `props`, as `addPlatformStacks` adds it.
   */
  addStack<T extends StackClass>(
    type: T,
    part: string,
    props: Omit<ConstructorParameters<T>[2], keyof EnvironmentStackProps>,
  ): InstanceType<T>;
  /** Synthesizes the app once (the compliance checks run then) and returns its folder. */
  readonly synth: () => string;
  /** The synthesized templates of `stacks` (see {@link EnvironmentApp.synth}), for cfn-lint. */
  readonly templateFiles: (...stacks: Stack[]) => string[];
}

/**
 * An app with the cdk.json feature flags and the compliance checks (cdk-nag AwsSolutions and NIST
 * 800-53 rev 5), for a test to add an environment's stack and the stacks it builds on without the
 * rest of the app. `config` is a repository environment's name or a whole configuration.
 */
export function environmentApp(config: string | EnvironmentConfig): EnvironmentApp {
  const environment = typeof config === 'string' ? resolveEnvironment(config) : config;
  const outdir = mkdtempSync(join(tmpdir(), `${environment.name}-stacks-`));
  const app = newApp({ outdir });
  addComplianceChecks(app);
  const env = { account: environment.account, region: environment.region };
  let alertsStack: AlertsStack | undefined;
  const alerts = () => {
    alertsStack ??= new AlertsStack(app, stackName(environment, 'Alerts'), {
      env,
      config: environment,
      stackName: stackName(environment, 'Alerts'),
    });
    return alertsStack.alerts;
  };
  let synthesized = false;
  const synth = () => {
    if (!synthesized) app.synth();
    synthesized = true;
    return outdir;
  };
  return {
    app,
    outdir,
    config: environment,
    addStack<T extends StackClass>(
      type: T,
      part: string,
      props: Omit<ConstructorParameters<T>[2], keyof EnvironmentStackProps>,
    ): InstanceType<T> {
      const name = stackName(environment, part);
      const stackProps: EnvironmentStackProps = {
        env,
        config: environment,
        stackName: name,
        alerts: alerts(),
      };
      return new type(app, name, { ...props, ...stackProps } as never) as InstanceType<T>;
    },
    synth,
    templateFiles: (...stacks) =>
      stacks.map((stack) => join(synth(), `${stack.artifactId}.template.json`)),
  };
}
