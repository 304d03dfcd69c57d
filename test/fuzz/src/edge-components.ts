/**
 * The three edge components as processes of their own, started from their sources the way their
 * own process tests start them (`node --import tsx src/main.ts`, configured through their JSON
 * environment variable, HTTP port 0) by `runComponent`, and watched from outside: whether the
 * process lives, its resident memory from `/proc`, its Prometheus metrics. Node writes a
 * diagnostic report (`--report-uncaught-exception`, `--report-on-fatalerror`) when a process
 * dies of an uncaught exception or an exhausted heap, so a crash says what killed it.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  componentDirectory,
  type ComponentProcess,
  type EdgeComponentName,
  runComponentFromSource,
} from '@uns-mlops/test-services';
import { scrape, type Samples } from './prometheus';
import { ENTERPRISE, PUBLISHED_FILTERS, SITE } from './uns-layout';

export const REPOSITORY_ROOT = join(__dirname, '..', '..', '..');
const CONTRACTS = join(REPOSITORY_ROOT, 'asyncapi');
export const CONTRACT = join(CONTRACTS, 'uns-welding.asyncapi.yaml');

export type ComponentName = EdgeComponentName;

const METRIC_PREFIXES: Readonly<Record<ComponentName, string>> = {
  'uns-validator': 'uns_validator_',
  'anomaly-inference': 'anomaly_inference_',
  'uns-kafka-bridge': 'uns_bridge_',
};

/** Resident memory of a process, from `/proc/<pid>/status`. */
export interface ProcessMemory {
  /** `VmRSS`: resident now. */
  readonly rssBytes: number;
  /** `VmHWM`: the most it was ever resident (the kernel's high-water mark). */
  readonly peakRssBytes: number;
}

/** A component process under test. */
export interface ComponentUnderFire {
  readonly name: ComponentName;
  /** Prefix of its Prometheus metrics, e.g. `uns_validator_`. */
  readonly metricPrefix: string;
  /** `http://127.0.0.1:<port>`. */
  readonly http: string;
  readonly port: number;
  readonly pid: number;
  /** Whether the process still runs. */
  alive(): boolean;
  /** Its resident memory; undefined once it has exited. */
  memory(): ProcessMemory | undefined;
  /**
   * Resets the kernel's high-water mark (`VmHWM`) to the memory resident now, so that it tells the
   * peak of what follows; false when the kernel refuses (then only samples tell the peak).
   */
  resetPeakMemory(): boolean;
  /** Its `/metrics`. */
  scrape(): Promise<Samples>;
  /** What Node's diagnostic reports say killed it (empty while it has not died that way). */
  crashReports(): string[];
  /** SIGTERM; resolves with the exit code (that of an earlier exit when it has died). */
  stop(): Promise<number | null>;
}

/** Where the components connect and keep their files. */
export interface ComponentSetup {
  readonly brokerUrl: string;
  readonly kafkaBootstrap: string;
  /** The trained model bundle the inference runtime serves. */
  readonly modelBundle: string;
  /** A scratch directory: the validator's store, the bridge's spool, crash reports. */
  readonly workDir: string;
}

/**
 * The validator with its embedded store (PGlite in `workDir`), subscribed with QoS 1 to exactly
 * what the run publishes, in monitor mode (it republishes nothing), its compliance summaries an
 * hour apart (none during a run).
 */
export function startValidator(setup: ComponentSetup): Promise<ComponentUnderFire> {
  return start('uns-validator', setup, {
    broker: {
      url: setup.brokerUrl,
      clientId: 'fuzz-validator',
      topics: PUBLISHED_FILTERS,
      qos: 1,
    },
    contracts: { paths: [CONTRACTS] },
    store: { dataDir: join(setup.workDir, 'validator-store') },
    summaries: { intervalMs: 3_600_000, enterprise: ENTERPRISE },
    http: { host: '127.0.0.1', port: 0 },
    logLevel: 'info',
  });
}

/** The inference runtime scoring the telemetry of site {@link SITE} with the trained bundle. */
export function startInference(setup: ComponentSetup): Promise<ComponentUnderFire> {
  return start('anomaly-inference', setup, {
    broker: { url: setup.brokerUrl, clientId: 'fuzz-inference', qos: 1 },
    uns: { contract: CONTRACT, enterprise: ENTERPRISE, site: SITE },
    model: { dir: setup.modelBundle },
    http: { host: '127.0.0.1', port: 0 },
    logLevel: 'info',
  });
}

/** The bridge forwarding what the run publishes to Kafka, its spool in `workDir`. */
export function startBridge(setup: ComponentSetup): Promise<ComponentUnderFire> {
  return start('uns-kafka-bridge', setup, {
    mqtt: { url: setup.brokerUrl, clientId: 'fuzz-bridge', topics: PUBLISHED_FILTERS },
    kafka: { brokers: [setup.kafkaBootstrap], clientId: 'fuzz-bridge' },
    contract: CONTRACT,
    spool: { dir: join(setup.workDir, 'bridge-spool') },
    heartbeat: { topic: BRIDGE_HEARTBEAT_TOPIC, intervalMs: 10_000 },
    http: { host: '127.0.0.1', port: 0 },
    logLevel: 'info',
  });
}

/** The Kafka topic of the bridge's heartbeats (left out of its record counts). */
export const BRIDGE_HEARTBEAT_TOPIC = 'uns.heartbeat';

async function start(
  name: ComponentName,
  setup: ComponentSetup,
  config: unknown,
): Promise<ComponentUnderFire> {
  const main = join(componentDirectory(name), 'src', 'main.ts');
  const reportDir = join(setup.workDir, `${name}-reports`);
  const component: ComponentProcess = await runComponentFromSource({
    component: name,
    config,
    nodeOptions: [
      '--report-uncaught-exception',
      '--report-on-fatalerror',
      `--report-directory=${reportDir}`,
    ],
  });
  const pid = childPid(main);
  const http = component.http;
  return {
    name,
    metricPrefix: METRIC_PREFIXES[name],
    http,
    port: Number(new URL(http).port),
    pid,
    alive: () => isAlive(pid),
    memory: () => processMemory(pid),
    resetPeakMemory: () => resetPeakMemory(pid),
    scrape: () => scrape(http),
    crashReports: () => crashReports(reportDir),
    stop: () => component.stop(),
  };
}

/** The pid of this process's child running `main` (runComponent spawns it directly). */
function childPid(main: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline.includes(main)) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  throw new Error(`no child process of ${process.pid} runs ${main}`);
}

/** Whether `pid` runs (a zombie, exited but not yet reaped, does not). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function processMemory(pid: number): ProcessMemory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kilobytes = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    const rssBytes = kilobytes('VmRSS') * 1024;
    const peakRssBytes = kilobytes('VmHWM') * 1024;
    return Number.isFinite(rssBytes) ? { rssBytes, peakRssBytes } : undefined;
  } catch {
    return undefined;
  }
}

/** Writes 5 to `/proc/<pid>/clear_refs`: "reset the peak resident set size" (proc(5)). */
function resetPeakMemory(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** One line per Node diagnostic report: the event and the error that ended the process. */
function crashReports(reportDir: string): string[] {
  let files: string[];
  try {
    files = readdirSync(reportDir).filter((file) => file.endsWith('.json'));
  } catch {
    return [];
  }
  return files.map((file) => {
    try {
      const report = JSON.parse(readFileSync(join(reportDir, file), 'utf8')) as {
        header?: { event?: string; trigger?: string };
        javascriptStack?: { message?: string; stack?: string[] };
      };
      const stack = report.javascriptStack?.stack?.slice(0, 3).join(' | ') ?? '';
      return `${report.header?.trigger ?? 'report'}: ${report.header?.event ?? ''} ${
        report.javascriptStack?.message ?? ''
      } ${stack} (${join(reportDir, file)})`.trim();
    } catch (error) {
      return `${file}: unreadable report (${(error as Error).message})`;
    }
  });
}
