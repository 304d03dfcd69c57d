import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { type ComponentProcess, runComponent } from './component';

const EDGE_COMPONENTS = join(__dirname, '..', '..', '..', 'edge-components');

/** The edge components that run as a process with an HTTP server. */
export type EdgeComponentName = 'uns-validator' | 'anomaly-inference' | 'uns-kafka-bridge';

/** The variable each component reads its whole configuration from, as JSON. */
const CONFIG_VARIABLES: Readonly<Record<EdgeComponentName, string>> = {
  'uns-validator': 'UNS_VALIDATOR_CONFIG_JSON',
  'anomaly-inference': 'ANOMALY_INFERENCE_CONFIG_JSON',
  'uns-kafka-bridge': 'UNS_BRIDGE_CONFIG_JSON',
};

/** How {@link runComponentFromSource} starts a component. */
export interface SourceLaunch {
  readonly component: EdgeComponentName;
  /** The component's configuration (HTTP port 0, log level `info`). */
  readonly config: unknown;
  /** Node.js options before the script, e.g. diagnostic report flags. */
  readonly nodeOptions?: readonly string[];
  /** @default 120 000 ms: a loaded machine compiles the TypeScript on the fly. */
  readonly timeoutMs?: number;
}

/** Where a component's sources are: `edge-components/<name>`. */
export function componentDirectory(component: EdgeComponentName): string {
  return join(EDGE_COMPONENTS, component);
}

/**
 * Starts an edge component from its sources as its own process tests do (`node --import tsx
 * src/main.ts [serve]`), configured through its JSON environment variable, with the environment
 * its Greengrass recipe sets (e.g. malloc settings), and resolves once it answers `/ready`.
 */
export function runComponentFromSource(launch: SourceLaunch): Promise<ComponentProcess> {
  const directory = componentDirectory(launch.component);
  return runComponent({
    name: launch.component,
    command: process.execPath,
    args: [
      ...(launch.nodeOptions ?? []),
      '--import',
      'tsx',
      join(directory, 'src', 'main.ts'),
      // The bridge's command takes no subcommand.
      ...(launch.component === 'uns-kafka-bridge' ? [] : ['serve']),
    ],
    cwd: directory,
    env: {
      ...process.env,
      ...recipeEnvironment(directory),
      [CONFIG_VARIABLES[launch.component]]: JSON.stringify(launch.config),
    },
    timeoutMs: launch.timeoutMs ?? 120_000,
  });
}

/**
 * The environment the component's Greengrass recipe sets that needs no Greengrass (no `{...}`
 * recipe variable), e.g. its malloc settings, so a test runs it as a core would.
 */
function recipeEnvironment(directory: string): Record<string, string> {
  const recipe = parseYaml(readFileSync(join(directory, 'recipe.yaml'), 'utf8')) as {
    Manifests: { Lifecycle: { Setenv?: Record<string, string> } }[];
  };
  const setenv = recipe.Manifests[0]?.Lifecycle.Setenv ?? {};
  return Object.fromEntries(Object.entries(setenv).filter(([, value]) => !value.includes('{')));
}
