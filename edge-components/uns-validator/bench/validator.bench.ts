/**
 * `npm run bench:validator`: publishers → Mosquitto → validator, against a bare MQTT.js subscriber
 * on the same broker in the same run (about 3 minutes with the defaults).
 *
 * The load comes from BENCH_PUBLISHERS (default 4) publisher processes (`publisher.ts`), each on
 * its own socket writing pre-encoded QoS 0 packets: ~300-byte welding telemetry blocks over 20
 * assets, `t0` in each payload its publish time. They start together at one wall-clock instant;
 * each phase prints what every publisher sent, how late a paced one fell behind its schedule, and
 * their CPU time (taken from the same two cores as what is measured). The validator
 * (`ValidatorService`: default configuration, adaptive dispatcher, embedded store) and the bare
 * subscriber run in this process, one at a time, so `process.cpuUsage()` over a phase (every
 * thread: the validator's workers too; not the publishers) divided by the messages received or
 * judged is the CPU time per message of each.
 *
 * 1. flat out: the publishers write as fast as the broker reads for BENCH_SECONDS (default 5), to
 *    the bare subscriber, then to the validator: msg/s (first to last arrival) and CPU µs/message.
 *    A warning says when the bare subscriber kept up with the publishers (they were the limit);
 * 2. paced: BENCH_RATE msg/s (default 20,000) for BENCH_WARMUP_SECONDS (default 5, not measured:
 *    a fresh validator compiles its hot code and spends about twice as much per message in its
 *    first second), then for BENCH_PACED_SECONDS (default 30), to the bare subscriber, then to the
 *    validator: over those seconds publish-to-receive and publish-to-verdict p50/p99 and CPU
 *    µs/message; the RSS every second (max, growth after the first 5 s);
 * 3. steps (validator only): the load follows BENCH_STEPS (`rate:seconds,...`, default
 *    `2000:10,20000:10,60000:10,2000:10`): per step the p99 and the count of the messages
 *    published in it (by `t0`), against published; the dispatcher's decisions, the time from the
 *    step's start to the first one (`null`: the dispatcher kept its arrangement through the step),
 *    its arrangement at the step's end and the load it measured (means per step). Then again with
 *    BENCH_ADAPT_STEPS (default `2000:5,max:10,2000:10`: flat out in the middle, more than one
 *    core can judge), `pool.spareCores` 0 (workers whatever the machine's load) and
 *    `pool.overload` backpressure, to see the dispatcher adapt on a machine whose cores the broker
 *    and publishers keep busy (`withoutSpareCores` in the JSON line).
 * BENCH_DISPATCH sets the validator's `pool.dispatch` (default `adaptive`; `workers` judges every
 * message on worker threads, `inline` on the main thread).
 * Each phase waits until every message arrived, or none arrived for 2 s, and counts lost messages:
 * published − judged (received) − dropped (`uns_validator_messages_dropped_total`). Prints the
 * issue's targets, met or missed, and ends with one JSON line. Figures depend on the machine and
 * on what else runs on it; compare bare and validator from the same run.
 */
import { LEAN_MQTT_CLIENT } from '@uns-mlops/edge-common';
import { type MosquittoBroker, startMosquitto } from '@uns-mlops/test-services';
import { connectAsync } from 'mqtt';
import { join } from 'node:path';
import pino from 'pino';
import type { DispatchDecision } from '../src/dispatch/adaptive-dispatcher';
import type { DispatchState, LoadSample } from '../src/dispatch/load-policy';
import { DEFAULT_CONFIG, type ValidatorConfig } from '../src/service/config';
import { ValidatorService } from '../src/service/validator-service';
import { connectLoad, type StepReport } from './load';
import { Arrivals, cpuMicros, RateMeter, settle } from './measure';
import { formatSteps, parseSteps, type LoadStep } from './steps';

const FLAT_OUT_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const PACED_RATE = Number(process.env.BENCH_RATE ?? 20_000);
const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 30);
/** Load at the paced rate before the measured seconds: a fresh validator compiles its hot code. */
const PACED_WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const STEPS = parseSteps(process.env.BENCH_STEPS ?? '2000:10,20000:10,60000:10,2000:10');
/** The schedule of the second step phase: a load one core cannot take, to see the dispatcher adapt. */
const ADAPT_STEPS = parseSteps(process.env.BENCH_ADAPT_STEPS ?? '2000:5,max:10,2000:10');
const PUBLISHERS = Number(process.env.BENCH_PUBLISHERS ?? 4);
/** `pool.dispatch` of the validator in every phase (`workers` shows what threads cost). */
const DISPATCH = (process.env.BENCH_DISPATCH ??
  DEFAULT_CONFIG.pool.dispatch) as ValidatorConfig['pool']['dispatch'];
const ASSETS = 20;
/** RSS samples before this are warm-up; growth is measured after it. */
const RSS_WARMUP_SECONDS = 5;
/** RSS growth after warm-up that still counts as flat. */
const RSS_FLAT_MB = 10;
/**
 * Flat out, a bare subscriber receiving at less than this share of the rate offered fell behind:
 * the publishers are not the limit.
 */
const PUBLISHERS_AHEAD = 0.97;

/** What a phase's load did and what arrived of it. */
interface Phase {
  readonly steps: readonly StepReport[];
  readonly published: number;
  readonly arrived: number;
  /** Of `arrived`, those that arrived from the start of the measured step on. */
  readonly measured: number;
  /** CPU time of this process from the start of the measured step to the last arrival, µs. */
  readonly cpuMicros: number;
}

/**
 * Offers `steps` of load to whatever subscribed and waits until it arrived (or stopped coming).
 * CPU time and messages are counted from the start of step `measuredFrom` on (the steps before
 * are warm-up).
 */
async function offer(
  broker: MosquittoBroker,
  steps: readonly LoadStep[],
  arrived: () => number,
  { whenLoaded = () => undefined, measuredFrom = 0 }: OfferOptions = {},
): Promise<Phase> {
  const load = await connectLoad(broker.url, steps, { publishers: PUBLISHERS, assets: ASSETS });
  let before = { cpuMicros: cpuMicros(), arrived: 0 };
  const warmupMs = sum(steps.slice(0, measuredFrom).map(({ seconds }) => seconds * 1000));
  let measuring: NodeJS.Timeout | undefined;
  const report = await load.run((startedAt) => {
    if (warmupMs === 0) return;
    measuring = setTimeout(
      () => (before = { cpuMicros: cpuMicros(), arrived: arrived() }),
      startedAt + warmupMs - performance.now(),
    );
  });
  clearTimeout(measuring);
  whenLoaded();
  const { published } = report;
  const settled = await settle(arrived, published);
  for (const { step, published: count, perPublisher, maxLagMs } of report.steps) {
    const rates = perPublisher.map((sent) => Math.round(sent / step.seconds).toLocaleString('en'));
    console.log(
      `  load ${formatSteps([step])}: ${count.toLocaleString('en')} published, ${Math.round(count / step.seconds).toLocaleString('en')} msg/s (${rates.join(' + ')} by ${PUBLISHERS} publishers${step.rate === 'max' ? '' : `, worst lag ${maxLagMs.toFixed(1)} ms`})`,
    );
  }
  const publisherCpu = report.publisherCpuMicros.map((micros) => (micros / 1e6).toFixed(2));
  console.log(
    `  publishers' CPU: ${publisherCpu.join(' + ')} s, ${(sum(report.publisherCpuMicros) / Math.max(1, published)).toFixed(2)} µs/message`,
  );
  return {
    steps: report.steps,
    published,
    arrived: settled.arrived,
    measured: settled.arrived - before.arrived,
    cpuMicros: settled.cpuMicros - before.cpuMicros,
  };
}

/** What {@link offer} does besides offering the load. */
interface OfferOptions {
  /** Called when the publishers wrote their last message. */
  readonly whenLoaded?: () => void;
  /** The step from whose start on CPU time and messages are counted (default 0, all). */
  readonly measuredFrom?: number;
}

/** The bare subscriber: MQTT.js, QoS 0, every benchmark topic. */
async function bare(
  broker: MosquittoBroker,
  steps: readonly LoadStep[],
  onMessage: (payload: Buffer) => void,
  measuredFrom = 0,
): Promise<Phase> {
  // The MQTT.js options the validator's client has (no debug logging per packet): the same cost.
  const client = await connectAsync(broker.url, {
    clientId: `bench-bare-${Date.now()}`,
    protocolVersion: 5,
    ...LEAN_MQTT_CLIENT,
  });
  let received = 0;
  client.on('message', (_, payload) => {
    received += 1;
    onMessage(payload);
  });
  // Not the retained messages a validator of an earlier phase left (its contracts in force).
  await client.subscribeAsync('acme/#', { qos: 0, rh: 2 });
  const phase = await offer(broker, steps, () => received, { measuredFrom });
  await client.endAsync();
  return phase;
}

/** The validator in this process, ready (subscribed), with its dispatcher's decisions recorded. */
class BenchValidator {
  readonly decisions: DispatchDecision[] = [];
  /** The load the dispatcher measured each interval, and when (`performance.now()`). */
  readonly loads: (LoadSample & { readonly at: number })[] = [];

  private constructor(readonly service: ValidatorService) {
    service.dispatcher.on('decision', (decision) => {
      this.decisions.push(decision);
    });
    service.dispatcher.on('load', (load) => {
      this.loads.push({ ...load, at: performance.now() });
    });
  }

  /** A validator with the default configuration, but for these pool settings. */
  static async start(
    broker: MosquittoBroker,
    pool: Partial<ValidatorConfig['pool']> = {},
  ): Promise<BenchValidator> {
    const service = await ValidatorService.start(
      {
        ...DEFAULT_CONFIG,
        broker: {
          ...DEFAULT_CONFIG.broker,
          url: broker.url,
          clientId: `bench-validator-${Date.now()}`,
          topics: ['acme/#'],
        },
        contracts: { paths: [join(__dirname, '..', '..', '..', 'asyncapi')], strict: false },
        pool: { ...DEFAULT_CONFIG.pool, dispatch: DISPATCH, ...pool },
        http: { host: '127.0.0.1', port: 0 },
      },
      pino({ level: 'warn' }),
    );
    const validator = new BenchValidator(service);
    await validator.ready();
    return validator;
  }

  get state(): DispatchState {
    return this.service.dispatcher.state;
  }

  /** Messages the validator counted as dropped, for every reason. */
  async dropped(): Promise<number> {
    const { values } = await this.service.metrics.dropped.get();
    return values.reduce((sum, { value }) => sum + value, 0);
  }

  /** Most workers the dispatcher used. */
  get mostWorkers(): number {
    return Math.max(this.state.workers, ...this.decisions.map(({ workers }) => workers));
  }

  private async ready(): Promise<void> {
    const url = `http://127.0.0.1:${this.service.httpPort}/ready`;
    while (!(await fetch(url)).ok) await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** What a validator phase did: its load, what was judged and dropped, its dispatcher's doing. */
interface ValidatorPhase extends Phase {
  readonly dropped: number;
  /** Published, neither judged nor counted as dropped. */
  readonly lost: number;
  /** The dispatcher's arrangement before the load, and when the publishers finished. */
  readonly initialState: DispatchState;
  readonly loadedState: DispatchState;
  readonly decisions: readonly DispatchDecision[];
  /** The load the dispatcher measured each interval. */
  readonly loads: readonly (LoadSample & { readonly at: number })[];
  /** Most workers the dispatcher ran. */
  readonly workers: number;
  /** The process's RSS every second of the phase, MB. */
  readonly rssMb: readonly number[];
}

/** Starts a validator, offers it `steps` of load, and stops it once it judged what came. */
async function validatorPhase(
  broker: MosquittoBroker,
  steps: readonly LoadStep[],
  onVerdict: (payload: Buffer) => void,
  { pool, measuredFrom }: { pool?: Partial<ValidatorConfig['pool']>; measuredFrom?: number } = {},
): Promise<ValidatorPhase> {
  const validator = await BenchValidator.start(broker, pool);
  let judged = 0;
  validator.service.on('verdict', ({ payload }) => {
    judged += 1;
    onVerdict(payload);
  });
  const rssMb: number[] = [];
  const rssTimer = setInterval(() => rssMb.push(process.memoryUsage().rss / 2 ** 20), 1000);
  const initialState = validator.state;
  let loadedState = initialState;
  const phase = await offer(broker, steps, () => judged, {
    whenLoaded: () => (loadedState = validator.state),
    measuredFrom,
  });
  clearInterval(rssTimer);
  const dropped = await validator.dropped();
  await validator.service.stop();
  return {
    ...phase,
    dropped,
    lost: phase.published - phase.arrived - dropped,
    initialState,
    loadedState,
    decisions: validator.decisions,
    loads: validator.loads,
    workers: validator.mostWorkers,
    rssMb,
  };
}

/** `n of m judged, d dropped, l lost`. */
function judgedText(phase: ValidatorPhase): string {
  return `${phase.arrived.toLocaleString('en')} of ${phase.published.toLocaleString('en')} judged, ${phase.dropped} dropped, ${phase.lost} lost`;
}

function modeText({ mode, workers }: DispatchState): string {
  return mode === 'inline' ? 'inline' : `pooled:${workers}`;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function perMessage(phase: Phase): number {
  return Number((phase.cpuMicros / Math.max(1, phase.measured)).toFixed(1));
}

function perSecond(meter: RateMeter): number {
  return Math.round(meter.perSecond());
}

/** Wall-clock µs of a performance.now() instant, the clock of the payloads' `t0`. */
function wallMicros(at: number): number {
  return (performance.timeOrigin + at) * 1000;
}

async function flatOut(broker: MosquittoBroker) {
  const flat: LoadStep[] = [{ rate: 'max', seconds: FLAT_OUT_SECONDS }];
  console.log(`flat out for ${FLAT_OUT_SECONDS} s, bare subscriber:`);
  const bareMeter = new RateMeter();
  let payloadBytes = 0;
  const bareFlat = await bare(broker, flat, (payload) => {
    bareMeter.hit();
    payloadBytes = payload.length;
  });
  console.log(
    `  bare subscriber: ${perSecond(bareMeter).toLocaleString('en')} msg/s, ${perMessage(bareFlat)} µs CPU/message, ${bareFlat.arrived.toLocaleString('en')} of ${bareFlat.published.toLocaleString('en')} received (${payloadBytes}-byte payloads)`,
  );
  const offered = Math.round(bareFlat.published / FLAT_OUT_SECONDS);
  console.log(
    perSecond(bareMeter) < PUBLISHERS_AHEAD * offered
      ? `  the publishers kept ahead of the bare subscriber (${offered.toLocaleString('en')} msg/s offered): the subscriber's side is the limit`
      : `  WARNING: the bare subscriber kept up with the publishers (${offered.toLocaleString('en')} msg/s offered): they may be the limit; raise BENCH_PUBLISHERS`,
  );

  console.log(`flat out for ${FLAT_OUT_SECONDS} s, validator:`);
  const meter = new RateMeter();
  const phase = await validatorPhase(broker, flat, () => {
    meter.hit();
  });
  console.log(
    `  validator: ${perSecond(meter).toLocaleString('en')} msg/s, ${perMessage(phase)} µs CPU/message, ${judgedText(phase)}; dispatcher ${modeText(phase.loadedState)} at the end of the load, ${phase.decisions.length} decision(s)`,
  );
  return {
    msgsPerSec: perSecond(meter),
    bareMsgsPerSec: perSecond(bareMeter),
    bareOfferedMsgsPerSec: offered,
    ratio: Number((meter.perSecond() / bareMeter.perSecond()).toFixed(3)),
    cpuUsPerMsg: perMessage(phase),
    bareCpuUsPerMsg: perMessage(bareFlat),
    payloadBytes,
    lost: phase.lost,
    bareLost: bareFlat.published - bareFlat.arrived,
    mode: modeText(phase.loadedState),
    workers: phase.workers,
  };
}

async function paced(broker: MosquittoBroker) {
  const warmup: LoadStep[] =
    PACED_WARMUP_SECONDS > 0 ? [{ rate: PACED_RATE, seconds: PACED_WARMUP_SECONDS }] : [];
  const steps: LoadStep[] = [...warmup, { rate: PACED_RATE, seconds: PACED_SECONDS }];
  const measuredFrom = warmup.length;
  /** Latencies of the messages published from the measured step on. */
  const measuredLatencies = (arrivals: Arrivals, phase: Phase) =>
    arrivals.window(wallMicros(phase.steps[measuredFrom]?.startedAt ?? -Infinity));
  const what = `paced ${PACED_RATE.toLocaleString('en')} msg/s for ${PACED_SECONDS} s after ${PACED_WARMUP_SECONDS} s of warm-up (not measured)`;
  console.log(`${what}, bare subscriber:`);
  const bareArrivals = new Arrivals(PACED_RATE * (PACED_WARMUP_SECONDS + PACED_SECONDS));
  const barePaced = await bare(
    broker,
    steps,
    (payload) => {
      bareArrivals.add(payload);
    },
    measuredFrom,
  );
  const bareLatencies = measuredLatencies(bareArrivals, barePaced);
  console.log(
    `  bare subscriber: p50 ${bareLatencies.quantile(0.5)} ms, p99 ${bareLatencies.quantile(0.99)} ms, ${perMessage(barePaced)} µs CPU/message, ${barePaced.arrived.toLocaleString('en')} of ${barePaced.published.toLocaleString('en')} received`,
  );

  console.log(`${what}, validator:`);
  const arrivals = new Arrivals(PACED_RATE * (PACED_WARMUP_SECONDS + PACED_SECONDS));
  const phase = await validatorPhase(
    broker,
    steps,
    (payload) => {
      arrivals.add(payload);
    },
    { measuredFrom },
  );
  const latencies = measuredLatencies(arrivals, phase);
  const steady = phase.rssMb.slice(Math.min(RSS_WARMUP_SECONDS, phase.rssMb.length - 1));
  const result = {
    p50Ms: latencies.quantile(0.5),
    p99Ms: latencies.quantile(0.99),
    bareP50Ms: bareLatencies.quantile(0.5),
    bareP99Ms: bareLatencies.quantile(0.99),
    pacedCpuUsPerMsg: perMessage(phase),
    barePacedCpuUsPerMsg: perMessage(barePaced),
    rssMb: Math.round(Math.max(...phase.rssMb)),
    rssGrowthMb: Math.round((steady.at(-1) ?? 0) - (steady[0] ?? 0)),
    lost: phase.lost,
    bareLost: barePaced.published - barePaced.arrived,
    mode: modeText(phase.loadedState),
    workers: phase.workers,
  };
  console.log(
    `  validator: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${result.pacedCpuUsPerMsg} µs CPU/message, ${judgedText(phase)}; RSS max ${result.rssMb} MB, growth after warm-up ${result.rssGrowthMb} MB; dispatcher ${result.mode} at the end of the load`,
  );
  return result;
}

/**
 * A step phase, with the default pool settings but for `pool`: by default a worker needs half an
 * idle core (`spareCores`), which this 2-core machine, shared with the broker and the publishers,
 * may not have.
 */
async function stepped(
  broker: MosquittoBroker,
  schedule: readonly LoadStep[],
  pool: Partial<ValidatorConfig['pool']> = {},
) {
  const settings = Object.entries(pool).map(([key, value]) => `pool.${key} ${String(value)}`);
  console.log(
    `steps ${formatSteps(schedule)}, validator${settings.length === 0 ? '' : ` with ${settings.join(', ')}`}:`,
  );
  const arrivals = new Arrivals(
    sum(schedule.map(({ rate, seconds }) => (rate === 'max' ? 0 : rate * seconds))),
  );
  const phase = await validatorPhase(
    broker,
    schedule,
    (payload) => {
      arrivals.add(payload);
    },
    { pool },
  );
  let state = phase.initialState;
  const steps = phase.steps.map(({ step, startedAt, published }, i) => {
    const endedAt = startedAt + step.seconds * 1000;
    const latencies = arrivals.window(
      wallMicros(startedAt),
      // Messages due in the last step and sent after it count in it.
      i === phase.steps.length - 1 ? Infinity : wallMicros(endedAt),
    );
    const decisions = phase.decisions.filter(({ at }) => at >= startedAt && at < endedAt);
    state = decisions.at(-1) ?? state;
    const adaptMs = decisions[0] === undefined ? null : Math.round(decisions[0].at - startedAt);
    const loads = phase.loads.filter(({ at }) => at >= startedAt && at < endedAt);
    const mean = (value: (load: LoadSample) => number) =>
      loads.length === 0 ? Number.NaN : sum(loads.map(value)) / loads.length;
    console.log(
      `  step ${formatSteps([step])}: p99 ${latencies.quantile(0.99)} ms, ${latencies.count.toLocaleString('en')} of ${published.toLocaleString('en')} judged; main thread ${Math.round(mean((load) => load.mainUtilization) * 100)} % busy, workers ${mean((load) => load.workerCores).toFixed(2)} cores, machine ${mean((load) => load.idleCores).toFixed(2)} cores idle (means); ${adaptMs === null ? 'no decision' : `first decision after ${adaptMs} ms`}, ${modeText(state)} at the end`,
    );
    for (const decision of decisions)
      console.log(
        `    +${Math.round(decision.at - startedAt)} ms: ${modeText(decision.from)} → ${modeText(decision)}, held messages ${decision.tookMs.toFixed(1)} ms (${decision.reason})`,
      );
    return { p99Ms: latencies.quantile(0.99), adaptMs, mode: modeText(state) };
  });
  console.log(`  ${judgedText(phase)}`);
  return { steps, lost: phase.lost, workers: phase.workers };
}

async function main(): Promise<void> {
  const broker = await startMosquitto();
  try {
    const flat = await flatOut(broker);
    const steady = await paced(broker);
    const steps = await stepped(broker, STEPS);
    // Workers whatever the machine's load, and the reading paused rather than messages dropped
    // while they are behind: the settings of a plant that adds threads and must not drop.
    const anyCore = await stepped(broker, ADAPT_STEPS, { spareCores: 0, overload: 'backpressure' });
    const result = {
      bench: 'validator',
      publishers: PUBLISHERS,
      payloadBytes: flat.payloadBytes,
      msgsPerSec: flat.msgsPerSec,
      bareMsgsPerSec: flat.bareMsgsPerSec,
      bareOfferedMsgsPerSec: flat.bareOfferedMsgsPerSec,
      ratio: flat.ratio,
      cpuUsPerMsg: flat.cpuUsPerMsg,
      bareCpuUsPerMsg: flat.bareCpuUsPerMsg,
      pacedRate: PACED_RATE,
      pacedSeconds: PACED_SECONDS,
      pacedWarmupSeconds: PACED_WARMUP_SECONDS,
      p50Ms: steady.p50Ms,
      p99Ms: steady.p99Ms,
      bareP50Ms: steady.bareP50Ms,
      bareP99Ms: steady.bareP99Ms,
      pacedCpuUsPerMsg: steady.pacedCpuUsPerMsg,
      barePacedCpuUsPerMsg: steady.barePacedCpuUsPerMsg,
      rssMb: steady.rssMb,
      rssGrowthMb: steady.rssGrowthMb,
      lost: {
        flatOut: flat.lost,
        paced: steady.lost,
        steps: steps.lost,
        stepsWithoutSpareCores: anyCore.lost,
      },
      bareLost: { flatOut: flat.bareLost, paced: steady.bareLost },
      steps: formatSteps(STEPS),
      stepP99Ms: steps.steps.map(({ p99Ms }) => p99Ms),
      stepAdaptMs: steps.steps.map(({ adaptMs }) => adaptMs),
      stepModes: steps.steps.map(({ mode }) => mode),
      withoutSpareCores: {
        steps: formatSteps(ADAPT_STEPS),
        stepP99Ms: anyCore.steps.map(({ p99Ms }) => p99Ms),
        stepAdaptMs: anyCore.steps.map(({ adaptMs }) => adaptMs),
        stepModes: anyCore.steps.map(({ mode }) => mode),
      },
      modes: { flatOut: flat.mode, paced: steady.mode },
      workers: Math.max(flat.workers, steady.workers, steps.workers, anyCore.workers),
    };
    const targets: [string, boolean][] = [
      [`throughput ratio ${result.ratio} ≥ 0.9`, result.ratio >= 0.9],
      [
        `paced p99 ${result.p99Ms} ms ≤ bare p99 ${result.bareP99Ms} ms + 2 ms`,
        result.p99Ms <= result.bareP99Ms + 2,
      ],
      [
        `CPU/message at ${PACED_RATE} msg/s ${result.pacedCpuUsPerMsg} µs ≤ bare ${result.barePacedCpuUsPerMsg} µs + 5 µs (the target's figure)`,
        result.pacedCpuUsPerMsg <= result.barePacedCpuUsPerMsg + 5,
      ],
      [
        `CPU/message flat out ${result.cpuUsPerMsg} µs ≤ bare ${result.bareCpuUsPerMsg} µs + 5 µs (for information)`,
        result.cpuUsPerMsg <= result.bareCpuUsPerMsg + 5,
      ],
      [
        `RSS flat: growth after warm-up ${result.rssGrowthMb} MB ≤ ${RSS_FLAT_MB} MB`,
        result.rssGrowthMb <= RSS_FLAT_MB,
      ],
      [
        `0 lost in every phase: ${result.lost.flatOut} flat out, ${result.lost.paced} paced, ${result.lost.steps} + ${result.lost.stepsWithoutSpareCores} steps`,
        Object.values(result.lost).every((lost) => lost === 0),
      ],
    ];
    console.log('targets:');
    for (const [target, met] of targets) console.log(`  ${met ? 'met   ' : 'MISSED'} ${target}`);
    console.log(JSON.stringify(result));
  } finally {
    await broker.stop();
  }
}

void main();
