/**
 * A real AWS IoT Greengrass v2 nucleus on this machine, driven the way an operator drives a core
 * without the cloud: `gg-local` (from the folder `GREENGRASS_NUCLEUS_HOME` names) starts and stops
 * it, and the Greengrass CLI makes local deployments, with the failure handling a cloud deployment
 * has by default (roll back).
 */
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LocalDeploymentFolders } from './edge-components';

const run = promisify(execFile);

/** The environment variable naming the folder with `gg-local` (see test/device/README.md). */
export const NUCLEUS_HOME_VARIABLE = 'GREENGRASS_NUCLEUS_HOME';

/** How a deployment ended. */
export interface DeploymentOutcome {
  readonly id: string;
  readonly status: 'SUCCEEDED' | 'FAILED' | 'CANCELED' | 'REJECTED';
  /** What the CLI reported about it (with the failure cause). */
  readonly report: string;
}

/** One component as the nucleus lists it. */
export interface ComponentState {
  readonly name: string;
  readonly version: string;
  /** `RUNNING`, `FINISHED`, `BROKEN`, `ERRORED`, ... */
  readonly state: string;
  /** Its configuration as the nucleus holds it (numbers become floats there). */
  readonly configuration: unknown;
}

/** A configuration update of one component: the CLI's and the cloud's MERGE / RESET. */
export interface ConfigurationUpdate {
  readonly MERGE?: Record<string, unknown>;
  readonly RESET?: readonly string[];
}

/** What one local deployment changes. */
export interface DeploymentRequest {
  /** Components to add or update, by name: version. */
  readonly merge: Readonly<Record<string, string>>;
  /** Configuration updates by component name. */
  readonly configuration?: Readonly<Record<string, ConfigurationUpdate>>;
}

/** The longest a deployment may take, its rollback included, on a busy 2-core machine. */
const DEPLOYMENT_DEADLINE_MS = 420_000;
/** How often the deployment status is asked for (the CLI itself takes about a second). */
const STATUS_POLL_MS = 2_000;

/** A started nucleus in a fresh root folder of its own. */
export class LocalNucleus {
  private constructor(
    private readonly home: string,
    /** The nucleus's root folder (`/greengrass/v2` on a device). */
    readonly root: string,
  ) {}

  /**
   * The folder named by `GREENGRASS_NUCLEUS_HOME`, or undefined when the variable is not set.
   *
   * @throws Error when it is set but holds no executable `gg-local`.
   */
  static home(): string | undefined {
    const home = process.env[NUCLEUS_HOME_VARIABLE];
    if (home === undefined || home === '') return undefined;
    if (!existsSync(join(home, 'gg-local'))) {
      throw new Error(`${NUCLEUS_HOME_VARIABLE}=${home} holds no gg-local script`);
    }
    return home;
  }

  /** Starts a nucleus in a fresh, short root folder (its IPC socket path must stay short). */
  static async start(home: string): Promise<LocalNucleus> {
    const root = mkdtempSync('/tmp/gg-');
    await run(join(home, 'gg-local'), ['start', root], { timeout: 240_000 });
    return new LocalNucleus(home, root);
  }

  /**
   * Makes one local deployment from `folders` and waits until it ends (a rollback included).
   * Recipes of nucleus built-ins that `folders` lacks (the token exchange service) come from the
   * nucleus home's `builtins/recipes`, as `gg-local deploy` adds them.
   */
  async deploy(
    folders: LocalDeploymentFolders,
    request: DeploymentRequest,
  ): Promise<DeploymentOutcome> {
    const recipes = mkdtempSync(join(this.root, '.gg-local', 'recipes-'));
    cpSync(join(this.home, 'builtins', 'recipes'), recipes, { recursive: true });
    cpSync(folders.recipes, recipes, { recursive: true });
    const args = [
      'deployment',
      'create',
      '--recipeDir',
      recipes,
      '--artifactDir',
      folders.artifacts,
    ];
    for (const [name, version] of Object.entries(request.merge))
      args.push('--merge', `${name}=${version}`);
    if (request.configuration !== undefined)
      args.push('--update-config', JSON.stringify(request.configuration));
    args.push('--failure-handling-policy', 'ROLLBACK');
    const created = await this.cli(args);
    const id = /Deployment Id: *([-0-9a-zA-Z]+)/.exec(created)?.[1];
    if (id === undefined) throw new Error(`no deployment id in the CLI's answer:\n${created}`);

    const deadline = Date.now() + DEPLOYMENT_DEADLINE_MS;
    for (;;) {
      const report = await this.cli(['deployment', 'status', '-i', id]).catch(String);
      const status = new RegExp(`^${id}: *([A-Z_]+)`, 'm').exec(report)?.[1];
      if (
        status === 'SUCCEEDED' ||
        status === 'FAILED' ||
        status === 'CANCELED' ||
        status === 'REJECTED'
      )
        return { id, status, report };
      if (Date.now() > deadline)
        throw new Error(
          `deployment ${id} still ${String(status)} after ${DEPLOYMENT_DEADLINE_MS} ms`,
        );
      await new Promise((resolve) => setTimeout(resolve, STATUS_POLL_MS));
    }
  }

  /** The components the nucleus runs, with their state and configuration. */
  async components(): Promise<ComponentState[]> {
    const listing = await this.cli(['component', 'list']);
    return listing
      .split(/^Component Name: /m)
      .slice(1)
      .map((block) => {
        const field = (name: string) =>
          new RegExp(`^\\s*${name}: (.*)$`, 'm').exec(block)?.[1] ?? '';
        const configuration = field('Configuration');
        return {
          name: block.split('\n', 1)[0]!.trim(),
          version: field('Version'),
          state: field('State'),
          configuration:
            configuration === '' || configuration === 'null' ? null : JSON.parse(configuration),
        };
      });
  }

  /** The component's state, or undefined when the nucleus does not know it. */
  async stateOf(name: string): Promise<string | undefined> {
    return (await this.components()).find((component) => component.name === name)?.state;
  }

  /** The component's log so far (`<root>/logs/<name>.log`), empty when it has none yet. */
  log(name: string): string {
    const file = join(this.root, 'logs', `${name}.log`);
    return existsSync(file) ? readFileSync(file, 'utf8') : '';
  }

  /**
   * The process ID of the component's Run process: the one working in its unpacked artifact
   * (`cd {artifacts:decompressedPath}/... && exec node ...`), or undefined when none runs.
   */
  pidOf(name: string): number | undefined {
    const artifacts = join(this.root, 'packages', 'artifacts-unarchived', name) + '/';
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (`${readlinkSync(`/proc/${entry}/cwd`)}/`.startsWith(artifacts)) return Number(entry);
      } catch {
        // The process ended meanwhile, or is not ours to look at.
      }
    }
    return undefined;
  }

  /** Stops the nucleus and the components it started, and deletes its root folder. */
  async stop(): Promise<void> {
    await run(join(this.home, 'gg-local'), ['stop', this.root], { timeout: 120_000 });
    rmSync(this.root, { recursive: true, force: true });
  }

  private async cli(args: readonly string[]): Promise<string> {
    const { stdout, stderr } = await run(join(this.home, 'gg-local'), ['cli', this.root, ...args], {
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return `${stdout}${stderr}`;
  }
}
