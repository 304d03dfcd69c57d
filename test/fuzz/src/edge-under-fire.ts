/**
 * One fuzz run: Mosquitto, Kafka and the three edge components (each a process of its own), a
 * valid warm-up, the idle memory baseline, then the hostile stream at a fixed rate with the
 * malformed HTTP requests in the middle of it, the wait until every component has dealt with
 * every message the broker accepted, and the memory a while after. Everything is counted from
 * outside: PUBACKs at the publishers, the components' own Prometheus counters, `/proc` for memory
 * and for whether a process still runs.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensureTrainedModelBundle,
  startKafka,
  startMosquitto,
  waitUntil,
  type KafkaBroker,
  type KafkaOptions,
  type MosquittoBroker,
} from '@uns-mlops/test-services';
import {
  BRIDGE_HEARTBEAT_TOPIC,
  startBridge,
  startInference,
  startValidator,
  type ComponentName,
  type ComponentUnderFire,
} from './edge-components';
import { fuzzMessages, planSize, type FuzzPlan } from './hostile-messages';
import { fuzzHttp, type HttpFuzzReport } from './http-fuzz';
import { publishPaced, type PublishReport } from './paced-publisher';
import { byLabels, total, type Samples } from './prometheus';
import { INFERENCE_FILTERS, matchesAny, PUBLISHED_FILTERS } from './uns-layout';

/** How {@link edgeUnderFire} runs. */
export interface FireOptions {
  /** The hostile stream. */
  readonly plan: FuzzPlan;
  /** Messages per second of the stream. */
  readonly rate: number;
  /** Valid messages published and handled before the baseline is taken (JIT, pools, store). */
  readonly warmUpMessages: number;
  /**
   * Hostile messages (with one heavy block and one huge payload) published after the valid
   * warm-up and a first idle reading, before the idle baseline is read again: the baseline then
   * holds the one-time cost of the paths only hostile input runs (compiled code, dead-letter and
   * spool state), so that what stays after the burst is what the burst itself left. The first
   * reading is reported too (`coldIdleRssMb`).
   * @default 0 - the baseline follows the valid warm-up alone
   */
  readonly warmUpHostile?: number;
  /**
   * How long the components sit idle after the warm-up before the idle baseline is read (the median
   * of {@link MEMORY_WINDOW_MS} of readings); 0 takes one reading at once. A measurement, so a
   * fixed time: only the benchmark sets it.
   */
  readonly idleMs: number;
  /**
   * How long after every component has caught up memory is read again, the same way; 0 reads it
   * at once. A measurement, so a fixed time: only the benchmark sets it (a minute).
   */
  readonly afterBurstMs: number;
  /** Deadline for the components to deal with every accepted message after the burst. */
  readonly catchUpTimeoutMs: number;
  /** @default {} - a Kafka started for a fast start (C1 JIT, serial GC, 512 MB heap) */
  readonly kafka?: KafkaOptions;
  /** @default no progress lines */
  readonly log?: (line: string) => void;
}

/** Figures of one component process. */
export interface ProcessFigures {
  /** The process exited during the run (before it was asked to stop). */
  readonly crashed: boolean;
  /** What Node's diagnostic report says killed it. */
  readonly crashReports: readonly string[];
  /** Exit code after SIGTERM at the end (0: a clean stop). */
  readonly exitCode: number | null;
  /** Resident after the warm-up (valid and hostile) and `idleMs` idle: the baseline. */
  readonly idleRssMb: number;
  /** Resident after the valid warm-up alone and `idleMs` idle. */
  readonly coldIdleRssMb: number;
  /** The most it was resident from its start to the end of the warm-up (`VmHWM`). */
  readonly startPeakRssMb: number;
  /**
   * The most it was resident from the start of the burst until every message was handled: the
   * kernel's high-water mark, reset as the burst starts, and samples every 250 ms.
   */
  readonly peakRssMb: number;
  /** Resident after the burst and the wait of `afterBurstMs`. */
  readonly rssAfterMb: number;
  /** `GET /health` checks during the burst that did not answer 200 in 5 s (one a second). */
  readonly healthFailures: number;
  /** CPU time (all threads) from the start of the burst until every message was handled. */
  readonly cpuSeconds: number;
  /** The main thread's V8 heap and external memory at the idle baseline (worker threads not included). */
  readonly heapIdle: HeapFigures;
  /** The same after the burst and `afterBurstMs`. */
  readonly heapAfter: HeapFigures;
}

/** The main thread's memory by the process metrics of prom-client, MB. */
export interface HeapFigures {
  readonly heapUsedMb: number;
  readonly heapTotalMb: number;
  readonly externalMb: number;
}

/** What one fuzz run measured. */
export interface FireReport {
  readonly publish: PublishReport;
  readonly validator: ProcessFigures & {
    /** Messages the broker accepted on the validator's topics. */
    readonly deliverable: number;
    /** `uns_validator_messages_total` during the burst. */
    readonly judged: number;
    /** Of those, judged valid. */
    readonly judgedValid: number;
    /** `uns_validator_messages_dropped_total` during the burst. */
    readonly dropped: number;
    /** `uns_validator_messages_dropped_total` since start, by reason. */
    readonly droppedByReason: Readonly<Record<string, number>>;
    /** `uns_validator_worker_restarts` since start. */
    readonly workerRestarts: number;
    /** `uns_validator_messages_total` since start (the warm-up included), by verdict and kind. */
    readonly verdicts: Readonly<Record<string, number>>;
  };
  readonly inference: ProcessFigures & {
    /** Messages the broker accepted on the runtime's telemetry topics. */
    readonly deliverable: number;
    /** Blocks taken (`…_blocks_total`) plus messages skipped (`…_telemetry_skipped_total`). */
    readonly handled: number;
    /** Since start (the warm-up included), by outcome and by reason. */
    readonly blocks: Readonly<Record<string, number>>;
    readonly skipped: Readonly<Record<string, number>>;
    /** `…_windows_scored_total` since start. */
    readonly windowsScored: number;
  };
  readonly bridge: ProcessFigures & {
    readonly deliverable: number;
    /** `uns_bridge_records_received_total` (heartbeats left out). */
    readonly received: number;
    /** `uns_bridge_records_produced_total`: acknowledged by Kafka (heartbeats left out). */
    readonly produced: number;
    /** Since start, by reason. */
    readonly deadLettered: Readonly<Record<string, number>>;
    /** `uns_bridge_messages_dropped_total` since start. */
    readonly dropped: number;
  };
  readonly http: HttpFuzzReport;
  /** How busy the machine was (it is shared: other work runs beside the benchmark). */
  readonly machine: {
    /** 1, 5 and 15 minute load averages once every message was handled. */
    readonly loadAverage: readonly number[];
    /** Cores busy on average from the start of the burst until every message was handled. */
    readonly busyCores: number;
    /** CPU time of this process (generating and publishing the stream, the HTTP requests). */
    readonly publisherCpuSeconds: number;
  };
  /** Component processes that exited during the run. */
  readonly crashes: number;
  /** Worker restarts of the validator (no process is ever restarted: an exit is a crash). */
  readonly restarts: number;
  /** Whether every component dealt with every accepted message before the deadline. */
  readonly caughtUp: boolean;
  /** From the end of publishing until every component had caught up. */
  readonly catchUpSeconds: number;
  /** The whole run, services included. */
  readonly seconds: number;
}

const MB = 2 ** 20;
/** Every component's figures are read at most this often while the run waits on them. */
const SCRAPE_INTERVAL_MS = 500;
const SAMPLE_INTERVAL_MS = 250;
/** Memory readings after a wait are the median over this window. */
const MEMORY_WINDOW_MS = 5_000;

/** Counters of the three components that the run compares with what it published. */
interface Counters {
  validatorJudged: number;
  validatorValid: number;
  validatorDropped: number;
  inferenceHandled: number;
  bridgeReceived: number;
  bridgeProduced: number;
}

const isHeartbeat = (labels: string) => labels.includes(`"${BRIDGE_HEARTBEAT_TOPIC}"`);

function counters(validator: Samples, inference: Samples, bridge: Samples): Counters {
  return {
    validatorJudged: total(validator, 'uns_validator_messages_total'),
    validatorValid: total(
      validator,
      'uns_validator_messages_total',
      (labels) => !labels.includes('verdict="valid"'),
    ),
    validatorDropped: total(validator, 'uns_validator_messages_dropped_total'),
    inferenceHandled:
      total(inference, 'anomaly_inference_blocks_total') +
      total(inference, 'anomaly_inference_telemetry_skipped_total'),
    bridgeReceived: total(bridge, 'uns_bridge_records_received_total', isHeartbeat),
    bridgeProduced: total(bridge, 'uns_bridge_records_produced_total', isHeartbeat),
  };
}

/** Starts everything, runs the stream, measures, stops everything. */
export async function edgeUnderFire(options: FireOptions): Promise<FireReport> {
  const log = options.log ?? (() => undefined);
  const runStarted = performance.now();
  const modelBundle = ensureTrainedModelBundle();
  const workDir = mkdtempSync(join(tmpdir(), 'edge-fuzz-'));
  let mosquitto: MosquittoBroker | undefined;
  let kafka: KafkaBroker | undefined;
  const components: ComponentUnderFire[] = [];
  let monitor: Monitor | undefined;
  let keepWorkDir = false;
  try {
    log('starting Mosquitto and Kafka');
    const [mqtt, kafkaStart] = await Promise.allSettled([
      startMosquitto(),
      startKafka(options.kafka ?? {}),
    ]);
    if (mqtt.status === 'fulfilled') mosquitto = mqtt.value;
    if (kafkaStart.status === 'fulfilled') kafka = kafkaStart.value;
    if (mqtt.status === 'rejected') throw mqtt.reason;
    if (kafkaStart.status === 'rejected') throw kafkaStart.reason;
    const brokerUrl = (mosquitto as MosquittoBroker).url;
    const setup = {
      brokerUrl,
      kafkaBootstrap: (kafka as KafkaBroker).bootstrap,
      modelBundle,
      workDir,
    };

    log('starting uns-validator, anomaly-inference and uns-kafka-bridge');
    const started = await Promise.allSettled([
      startValidator(setup),
      startInference(setup),
      startBridge(setup),
    ]);
    for (const result of started) if (result.status === 'fulfilled') components.push(result.value);
    for (const result of started) if (result.status === 'rejected') throw result.reason;
    const [validator, inference, bridge] = components as [
      ComponentUnderFire,
      ComponentUnderFire,
      ComponentUnderFire,
    ];
    const scrapeEach = () =>
      Promise.all([validator.scrape(), inference.scrape(), bridge.scrape()] as const);
    const scrapeAll = async () => counters(...(await scrapeEach()));

    await warmUp(brokerUrl, options, scrapeAll, {
      seed: options.plan.seed + 1,
      hostile: 0,
      valid: options.warmUpMessages,
      heavyBlockBytes: [],
      hugePayloadBytes: [],
      publishers: options.plan.publishers,
      validCells: ['warm-1', 'warm-2'],
    });
    log(`warm-up of ${options.warmUpMessages} valid messages handled`);

    // Idle baseline: after the valid warm-up, and again after the hostile one.
    const idleMemory = async (what: string) => {
      if (options.idleMs > 0) log(`idle for ${options.idleMs / 1000} s`);
      const memory = await settledMemory(components, options.idleMs);
      log(`${what}: ${components.map((c) => `${c.name} ${mb(memory.get(c.name))} MB`).join(', ')}`);
      return memory;
    };
    const coldIdle = await idleMemory('idle RSS after the valid warm-up');
    let idle = coldIdle;
    const warmUpHostile = options.warmUpHostile ?? 0;
    if (warmUpHostile > 0) {
      await warmUp(brokerUrl, options, scrapeAll, {
        seed: options.plan.seed + 2,
        hostile: warmUpHostile,
        valid: 0,
        heavyBlockBytes: [1_000_000],
        hugePayloadBytes: [2_000_000],
        publishers: options.plan.publishers,
      });
      log(`warm-up of ${warmUpHostile} hostile messages handled`);
      idle = await idleMemory('idle RSS');
    }

    // The burst, with the malformed HTTP requests in its middle.
    const atBurst = await scrapeEach();
    const before = counters(...atBurst);
    const machineAtBurst = machineCpu();
    const publisherAtBurst = process.cpuUsage();
    const burst = new Monitor(components);
    monitor = burst;
    const deliverable = { validator: 0, inference: 0 };
    const size = planSize(options.plan);
    let http: Promise<HttpFuzzReport> | undefined;
    log(`publishing ${size} messages at ${options.rate} msg/s`);
    const publish = await publishPaced(fuzzMessages(options.plan), {
      brokerUrl,
      rate: options.rate,
      publishers: options.plan.publishers,
      onAcknowledged: (message) => {
        if (matchesAny(PUBLISHED_FILTERS, message.topic)) deliverable.validator += 1;
        if (matchesAny(INFERENCE_FILTERS, message.topic)) deliverable.inference += 1;
      },
      onProgress: (published) => {
        log(`published ${published}/${size}`);
        if (http === undefined && published >= size / 2) {
          log('sending the malformed HTTP requests');
          http = fuzzHttp(components);
        }
      },
    });
    http ??= fuzzHttp(components);
    const publishedAt = performance.now();
    log(
      `published ${publish.published} (${Math.round(publish.rate)} msg/s), ${publish.acknowledged} acknowledged`,
    );

    // Until every component has dealt with every accepted message (or died, or the deadline).
    let caughtUp = true;
    try {
      await waitForCounts(
        scrapeAll,
        {
          validator: deliverable.validator,
          inference: deliverable.inference,
          bridge: deliverable.validator,
        },
        before,
        options.catchUpTimeoutMs,
        'every accepted message handled by every component',
        () => components.some((c) => !c.alive()),
      );
    } catch (error) {
      caughtUp = false;
      log(`not caught up: ${(error as Error).message}`);
    }
    caughtUp &&= components.every((c) => c.alive());
    const catchUpSeconds = (performance.now() - publishedAt) / 1000;
    const httpReport = await http;
    burst.stopHealthChecks();
    const peaks = burst.peaks();
    log(`caught up ${caughtUp} after ${catchUpSeconds.toFixed(1)} s`);

    const machine = {
      loadAverage: loadavg().map((load) => Number(load.toFixed(2))),
      busyCores: busyCores(machineAtBurst, machineCpu()),
      publisherCpuSeconds: cpuSeconds(process.cpuUsage(publisherAtBurst)),
    };
    const final = await scrapeOrEmpty([validator, inference, bridge]);
    const [validatorSamples, inferenceSamples, bridgeSamples] = final;
    const after = counters(validatorSamples, inferenceSamples, bridgeSamples);

    if (options.afterBurstMs > 0)
      log(`idle for ${options.afterBurstMs / 1000} s before reading memory again`);
    const rssAfter = await settledMemory(components, options.afterBurstMs);
    const afterWait = await scrapeOrEmpty([validator, inference, bridge]);
    burst.stop();

    const crashed = new Map(components.map((c) => [c.name, !c.alive()]));
    const exitCodes = new Map<ComponentName, number | null>();
    for (const component of components.splice(0))
      exitCodes.set(component.name, await component.stop());
    const figures = (component: ComponentUnderFire, index: 0 | 1 | 2): ProcessFigures => {
      const reports = component.crashReports();
      const cpu = `${component.metricPrefix}process_cpu_seconds_total`;
      if (reports.length > 0) keepWorkDir = true;
      return {
        crashed: crashed.get(component.name) ?? false,
        crashReports: reports,
        exitCode: exitCodes.get(component.name) ?? null,
        idleRssMb: mb(idle.get(component.name)),
        coldIdleRssMb: mb(coldIdle.get(component.name)),
        startPeakRssMb: mb(burst.startPeaks.get(component.name)),
        peakRssMb: mb(peaks.get(component.name)),
        rssAfterMb: mb(rssAfter.get(component.name)),
        healthFailures: burst.healthFailures.get(component.name) ?? 0,
        cpuSeconds: round1(total(final[index], cpu) - total(atBurst[index], cpu)),
        heapIdle: heapFigures(atBurst[index], component.metricPrefix),
        heapAfter: heapFigures(afterWait[index], component.metricPrefix),
      };
    };
    const workerRestarts = total(validatorSamples, 'uns_validator_worker_restarts');
    const crashes = [...crashed.values()].filter(Boolean).length;
    return {
      publish,
      validator: {
        ...figures(validator, 0),
        deliverable: deliverable.validator,
        judged: after.validatorJudged - before.validatorJudged,
        judgedValid: after.validatorValid - before.validatorValid,
        dropped: after.validatorDropped - before.validatorDropped,
        droppedByReason: byLabels(validatorSamples, 'uns_validator_messages_dropped_total'),
        workerRestarts,
        verdicts: byLabels(validatorSamples, 'uns_validator_messages_total'),
      },
      inference: {
        ...figures(inference, 1),
        deliverable: deliverable.inference,
        handled: after.inferenceHandled - before.inferenceHandled,
        blocks: byLabels(inferenceSamples, 'anomaly_inference_blocks_total'),
        skipped: byLabels(inferenceSamples, 'anomaly_inference_telemetry_skipped_total'),
        windowsScored: total(inferenceSamples, 'anomaly_inference_windows_scored_total'),
      },
      bridge: {
        ...figures(bridge, 2),
        deliverable: deliverable.validator,
        received: after.bridgeReceived - before.bridgeReceived,
        produced: after.bridgeProduced - before.bridgeProduced,
        deadLettered: byLabels(bridgeSamples, 'uns_bridge_dead_lettered_total'),
        dropped: total(bridgeSamples, 'uns_bridge_messages_dropped_total'),
      },
      http: httpReport,
      machine,
      crashes,
      restarts: workerRestarts,
      caughtUp,
      catchUpSeconds,
      seconds: (performance.now() - runStarted) / 1000,
    };
  } catch (error) {
    keepWorkDir = true;
    throw error;
  } finally {
    monitor?.stop();
    await Promise.all(components.map((c) => c.stop().catch(() => null)));
    await Promise.all([kafka?.stop(), mosquitto?.stop()]);
    if (keepWorkDir) log(`kept ${workDir} (crash reports, store, spool)`);
    else rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * Publishes the messages of `plan` (valid ones on cells of their own: JIT, pools and store warm
 * up) and waits until every component has dealt with them.
 */
async function warmUp(
  brokerUrl: string,
  options: FireOptions,
  read: () => Promise<Counters>,
  plan: FuzzPlan,
): Promise<void> {
  const sent = { validator: 0, inference: 0 };
  const from = await read();
  await publishPaced(fuzzMessages(plan), {
    brokerUrl,
    rate: options.rate,
    publishers: options.plan.publishers,
    onAcknowledged: (message) => {
      if (matchesAny(PUBLISHED_FILTERS, message.topic)) sent.validator += 1;
      if (matchesAny(INFERENCE_FILTERS, message.topic)) sent.inference += 1;
    },
  });
  await waitForCounts(
    read,
    { validator: sent.validator, inference: sent.inference, bridge: sent.validator },
    from,
    120_000,
    'the warm-up handled by every component',
  );
}

/**
 * Waits until the validator has judged or dropped `expected.validator` messages, the inference
 * runtime has taken or skipped `expected.inference`, and the bridge has received and Kafka
 * acknowledged `expected.bridge`, all counted from `from`; ends early (rejecting) when `abort`
 * holds. Reads the metrics at most every {@link SCRAPE_INTERVAL_MS}.
 */
async function waitForCounts(
  read: () => Promise<Counters>,
  expected: { validator: number; inference: number; bridge: number },
  from: Counters,
  timeoutMs: number,
  description: string,
  abort: () => boolean = () => false,
): Promise<void> {
  let lastRead = 0;
  let last: Counters | undefined;
  try {
    await waitUntil(
      async () => {
        if (abort()) return true;
        if (performance.now() - lastRead < SCRAPE_INTERVAL_MS) return false;
        lastRead = performance.now();
        const now = await read();
        last = now;
        return (
          now.validatorJudged +
            now.validatorDropped -
            from.validatorJudged -
            from.validatorDropped >=
            expected.validator &&
          now.inferenceHandled - from.inferenceHandled >= expected.inference &&
          now.bridgeReceived - from.bridgeReceived >= expected.bridge &&
          now.bridgeProduced - from.bridgeProduced >= expected.bridge
        );
      },
      timeoutMs,
      description,
    );
  } catch (error) {
    const seen =
      last === undefined
        ? 'no metrics read'
        : `validator ${last.validatorJudged + last.validatorDropped - from.validatorJudged - from.validatorDropped}/${expected.validator}, ` +
          `inference ${last.inferenceHandled - from.inferenceHandled}/${expected.inference}, ` +
          `bridge received ${last.bridgeReceived - from.bridgeReceived} produced ${last.bridgeProduced - from.bridgeProduced}/${expected.bridge}`;
    throw new Error(`${(error as Error).message} (${seen})`, { cause: error });
  }
  if (abort()) throw new Error(`${description}: a component process exited`);
}

/**
 * The components' resident memory after `settleMs`: the median of readings every
 * {@link SAMPLE_INTERVAL_MS} over {@link MEMORY_WINDOW_MS}, or one reading when `settleMs` is 0.
 */
async function settledMemory(
  components: readonly ComponentUnderFire[],
  settleMs: number,
): Promise<Map<ComponentName, number>> {
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  const samples = new Map<ComponentName, number[]>(components.map((c) => [c.name, []]));
  const until = performance.now() + (settleMs > 0 ? MEMORY_WINDOW_MS : 0);
  for (;;) {
    for (const component of components) {
      const memory = component.memory();
      if (memory !== undefined) samples.get(component.name)?.push(memory.rssBytes);
    }
    if (performance.now() >= until) break;
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_INTERVAL_MS));
  }
  return new Map(
    [...samples].map(([name, values]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return [name, sorted[Math.floor(sorted.length / 2)] ?? Number.NaN];
    }),
  );
}

/**
 * Watches the components from the start of the burst: the peak of their resident memory (the
 * kernel's high-water mark, reset now, and readings every {@link SAMPLE_INTERVAL_MS}), and
 * `GET /health` once a second (failures counted).
 */
class Monitor {
  readonly healthFailures = new Map<ComponentName, number>();
  /** The high-water marks before the reset: the peaks of start and warm-up. */
  readonly startPeaks = new Map<ComponentName, number>();
  private readonly peak = new Map<ComponentName, number>();
  /** Components whose high-water mark was reset, so tells the peak since the burst began. */
  private readonly reset = new Set<ComponentName>();
  private readonly sampler: NodeJS.Timeout;
  private readonly health: NodeJS.Timeout;

  constructor(private readonly components: readonly ComponentUnderFire[]) {
    for (const component of components) {
      const memory = component.memory();
      if (memory === undefined) continue;
      this.startPeaks.set(component.name, memory.peakRssBytes);
      this.peak.set(component.name, memory.rssBytes);
      if (component.resetPeakMemory()) this.reset.add(component.name);
    }
    this.sampler = setInterval(() => {
      this.sample();
    }, SAMPLE_INTERVAL_MS);
    this.health = setInterval(() => {
      for (const component of components) {
        if (!component.alive()) continue;
        fetch(`${component.http}/health`, { signal: AbortSignal.timeout(5_000) })
          .then(async (response) => {
            await response.arrayBuffer();
            if (response.status !== 200) this.countHealthFailure(component.name);
          })
          .catch(() => {
            this.countHealthFailure(component.name);
          });
      }
    }, 1_000);
  }

  /** The most each component was resident since the burst began. */
  peaks(): Map<ComponentName, number> {
    this.sample();
    return new Map(this.peak);
  }

  stopHealthChecks(): void {
    clearInterval(this.health);
  }

  stop(): void {
    clearInterval(this.health);
    clearInterval(this.sampler);
  }

  private sample(): void {
    for (const component of this.components) {
      const memory = component.memory();
      if (memory === undefined) continue;
      const highWaterMark = this.reset.has(component.name) ? memory.peakRssBytes : 0;
      this.peak.set(
        component.name,
        Math.max(memory.rssBytes, highWaterMark, this.peak.get(component.name) ?? 0),
      );
    }
  }

  private countHealthFailure(name: ComponentName): void {
    this.healthFailures.set(name, (this.healthFailures.get(name) ?? 0) + 1);
  }
}

const EMPTY: Samples = new Map();

/** Each component's metrics, empty for one that does not answer (it died). */
async function scrapeOrEmpty(
  components: readonly [ComponentUnderFire, ComponentUnderFire, ComponentUnderFire],
): Promise<[Samples, Samples, Samples]> {
  const read = (component: ComponentUnderFire) => component.scrape().catch(() => EMPTY);
  return Promise.all([read(components[0]), read(components[1]), read(components[2])]);
}

function heapFigures(samples: Samples, prefix: string): HeapFigures {
  const figure = (name: string) => mb(total(samples, `${prefix}${name}`));
  return {
    heapUsedMb: figure('nodejs_heap_size_used_bytes'),
    heapTotalMb: figure('nodejs_heap_size_total_bytes'),
    externalMb: figure('nodejs_external_memory_bytes'),
  };
}

/** Busy and total jiffies of all CPUs, from the first line of `/proc/stat`. */
function machineCpu(): { busy: number; total: number } {
  try {
    const fields =
      readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ??
      [];
    const totalJiffies = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: totalJiffies - idle, total: totalJiffies };
  } catch {
    return { busy: Number.NaN, total: Number.NaN };
  }
}

function busyCores(
  from: { busy: number; total: number },
  to: { busy: number; total: number },
): number {
  return round1(((to.busy - from.busy) / (to.total - from.total)) * cpus().length);
}

function cpuSeconds(usage: NodeJS.CpuUsage): number {
  return round1((usage.user + usage.system) / 1e6);
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

function mb(bytes: number | undefined): number {
  return bytes === undefined || !Number.isFinite(bytes) ? Number.NaN : Math.round(bytes / MB);
}
