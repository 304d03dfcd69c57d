/**
 * `npm run bench:bridge`: publishers → Mosquitto → bridge → Kafka, against a bare MQTT.js
 * subscriber on the same broker in the same run.
 *
 * 1. bare: a plain QoS 1 subscriber counts what a publisher sends at BENCH_MAX_RATE (the broker's
 *    ceiling), and its publish-to-receipt latency: the MQTT leg alone on this machine;
 * 2. max: the bridge (a child process, default configuration: gzip, acks=all, idempotent; the
 *    recipe's Node flags) forwards the same load; sustained msg/s from Kafka's append times;
 * 3. sustained: the bridge paced at BENCH_SUSTAINED_RATE (default 5,000 msg/s, several times a
 *    body shop's telemetry), below what it carries on this machine:
 *    publish-to-Kafka latency p50/p99, from the publish time in each payload to the broker's append
 *    time (the topic is created with `message.timestamp.type=LogAppendTime`; with acks=all on one
 *    broker, appended is acknowledged);
 * 4. paced: the same at BENCH_RATE (default 30,000 msg/s), last, since a rate above what the
 *    bridge carries leaves a backlog queued in the broker.
 * Every phase reads Kafka back and counts lost (acknowledged by the broker, absent from Kafka) and
 * duplicate messages, the bridge's CPU time per message (from its own process metrics), which
 * says what rate one core could carry whatever else shares the machine, and how busy the whole
 * machine was while publishing. Ends with one JSON line.
 * Latency quantiles leave out the first BENCH_WARMUP_SECONDS (default 1) of each phase's messages,
 * while its load publisher, a new process, compiles its code (the p99 with them is printed too);
 * lost and duplicates count every message.
 * BENCH_SECONDS (default 10) sets each phase's length; BENCH_BRIDGE_NODE_FLAGS adds Node flags to
 * the bridge's command line (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  startKafka,
  startMosquitto,
  type KafkaBroker,
  type MosquittoBroker,
} from '@uns-mlops/test-services';
import { Kafka, logLevel } from 'kafkajs';
import { connectAsync } from 'mqtt';
import { parse } from 'yaml';
import { DEFAULT_CONFIG, type BridgeConfig } from '../src/config/config';
import { LEAN_MQTT_CLIENT } from '@uns-mlops/edge-common';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 1);
const PACED_RATE = Number(process.env.BENCH_RATE ?? 30_000);
const FLAT_OUT = Number(process.env.BENCH_MAX_RATE ?? 30_000);
const SUSTAINED_RATE = Number(process.env.BENCH_SUSTAINED_RATE ?? 5000);
const ASSETS = 20;
const ROOT = join(__dirname, '..');
const TSX = join(ROOT, '..', '..', 'node_modules', '.bin', 'tsx');
const TOPIC = 'uns.telemetry';

interface Published {
  published: number;
  acknowledged: number;
  /** Seqs the broker did not acknowledge: not counted as lost if absent. */
  unacknowledged: number[];
  seconds: number;
}

async function publish(
  broker: MosquittoBroker,
  stream: string,
  rate: number,
  seconds: number,
): Promise<Published> {
  const child = spawn(
    TSX,
    [
      join(__dirname, 'publisher.ts'),
      broker.url,
      stream,
      String(rate),
      String(seconds),
      String(ASSETS),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  return JSON.parse(output) as Published;
}

async function bare(broker: MosquittoBroker): Promise<{
  msgsPerSec: number;
  received: number;
  publishedPerSec: number;
  latency: LatencySummary;
}> {
  let received = 0;
  let first = 0;
  let last = 0;
  const latencies = new Latencies(FLAT_OUT * WARMUP_SECONDS);
  const client = await connectAsync(broker.url, {
    clientId: 'bench-bare',
    protocolVersion: 5,
    ...LEAN_MQTT_CLIENT,
  });
  client.on('message', (_topic, payload) => {
    const now = performance.now();
    if (received === 0) first = now;
    last = now;
    received += 1;
    // The payload starts with `{"t0":<publish time in epoch µs>,"seq":<n>,`: read them without
    // parsing JSON.
    const afterT0 = payload.indexOf(44);
    const t0 = Number(payload.toString('latin1', 6, afterT0));
    const seq = Number(payload.toString('latin1', afterT0 + 7, payload.indexOf(44, afterT0 + 1)));
    latencies.add(seq, performance.timeOrigin + now - t0 / 1000);
  });
  await client.subscribeAsync('acme/#', { qos: 1 });
  const { published, seconds } = await publish(broker, 'bare', FLAT_OUT, SECONDS);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await client.endAsync();
  return {
    msgsPerSec: ((received - 1) * 1000) / (last - first),
    received,
    publishedPerSec: published / seconds,
    latency: latencies.summary(),
  };
}

/** The bridge as a child process, configured like a plant would (defaults) against the test services. */
function startBridge(kafka: KafkaBroker, broker: MosquittoBroker, httpPort: number): ChildProcess {
  const config: BridgeConfig = {
    ...DEFAULT_CONFIG,
    mqtt: { ...DEFAULT_CONFIG.mqtt, url: broker.url, topics: ['acme/#'] },
    kafka: { ...DEFAULT_CONFIG.kafka, brokers: [kafka.bootstrap] },
    contract: join(ROOT, '..', '..', 'asyncapi', 'uns-welding.asyncapi.yaml'),
    spool: { ...DEFAULT_CONFIG.spool, dir: mkdtempSync(join(tmpdir(), 'bench-spool-')) },
    http: { host: '127.0.0.1', port: httpPort },
    logLevel: 'warn',
  };
  const extraFlags = (process.env.BENCH_BRIDGE_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  return spawn(TSX, [...recipeNodeFlags(), ...extraFlags, join(ROOT, 'src', 'main.ts')], {
    env: { ...process.env, UNS_BRIDGE_CONFIG_JSON: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/** The Node flags the Greengrass recipe runs the bridge with (`exec node <flags> main.js`). */
function recipeNodeFlags(): string[] {
  const recipe = parse(readFileSync(join(ROOT, 'recipe.yaml'), 'utf8')) as {
    Manifests: { Lifecycle: { Run: { Script: string } } }[];
  };
  const run = recipe.Manifests[0]!.Lifecycle.Run.Script;
  const flags = /exec node (.*)main\.js/.exec(run)?.[1];
  if (flags === undefined) throw new Error(`unexpected Run script in recipe.yaml: ${run}`);
  return flags.split(' ').filter(Boolean);
}

interface LatencySummary {
  p50Ms: number;
  p99Ms: number;
  /** p99 of every message, the warm-up included. */
  p99WithWarmupMs: number;
}

/**
 * Latencies of one phase, by message number: p50 and p99 leave out the first WARMUP_SECONDS of
 * messages, in which the load publisher (a new process each phase) is still compiling its code;
 * the p99 of all messages is kept beside them.
 */
class Latencies {
  private readonly all: number[] = [];
  private readonly steady: number[] = [];

  constructor(private readonly warmupMessages: number) {}

  add(seq: number, ms: number): void {
    this.all.push(ms);
    if (seq >= this.warmupMessages) this.steady.push(ms);
  }

  summary(): LatencySummary {
    return {
      p50Ms: quantile(this.steady, 0.5),
      p99Ms: quantile(this.steady, 0.99),
      p99WithWarmupMs: quantile(this.all, 0.99),
    };
  }
}

interface PhaseResult extends LatencySummary {
  msgsPerSec: number;
  /** Publish to the bridge's receipt (its `uns-received-at` header, ms resolution): the MQTT leg. */
  toBridgeP99Ms: number;
  lost: number;
  duplicates: number;
  delivered: number;
}

/**
 * Reads the stream's records back from Kafka until all acknowledged ones are there, or until none
 * has arrived for 30 s (what is missing then is lost).
 */
async function readBack(
  kafka: KafkaBroker,
  stream: string,
  rate: number,
  { published, acknowledged, unacknowledged }: Published,
): Promise<PhaseResult> {
  const client = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING });
  const consumer = client.consumer({ groupId: `bench-${stream}`, maxWaitTimeInMs: 200 });
  const seen = new Uint8Array(published);
  const latencies = new Latencies(rate * WARMUP_SECONDS);
  const toBridge = new Latencies(rate * WARMUP_SECONDS);
  let distinct = 0;
  let duplicates = 0;
  let firstAppend = Infinity;
  let lastAppend = 0;
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const marker = `"stream":"${stream}"`;
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) {
        const text = message.value?.toString() ?? '';
        if (!text.includes(marker)) continue;
        const { seq, t0 } = JSON.parse(text) as { seq: number; t0: number };
        if (seen[seq] === 1) {
          duplicates += 1;
          continue;
        }
        seen[seq] = 1;
        distinct += 1;
        const appended = Number(message.timestamp);
        firstAppend = Math.min(firstAppend, appended);
        lastAppend = Math.max(lastAppend, appended);
        latencies.add(seq, appended - t0 / 1000);
        toBridge.add(seq, Date.parse(String(message.headers?.['uns-received-at'])) - t0 / 1000);
      }
      await Promise.resolve();
    },
  });
  let progressAt = Date.now();
  let before = distinct;
  while (distinct < acknowledged && Date.now() - progressAt < 30_000) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (distinct > before) {
      before = distinct;
      progressAt = Date.now();
    }
  }
  await consumer.disconnect();
  return {
    msgsPerSec: ((distinct - 1) * 1000) / Math.max(1, lastAppend - firstAppend),
    ...latencies.summary(),
    toBridgeP99Ms: toBridge.summary().p99Ms,
    lost: acknowledged - (distinct - unacknowledged.filter((seq) => seen[seq] === 1).length),
    duplicates,
    delivered: distinct,
  };
}

function latencyText({ p50Ms, p99Ms, p99WithWarmupMs }: LatencySummary): string {
  return (
    `p50 ${p50Ms.toFixed(1)} ms, p99 ${p99Ms.toFixed(1)} ms ` +
    `(${p99WithWarmupMs.toFixed(1)} ms with the first ${WARMUP_SECONDS} s)`
  );
}

function quantile(values: number[], q: number): number {
  values.sort((a, b) => a - b);
  return values[Math.min(values.length - 1, Math.floor(q * values.length))] ?? NaN;
}

/** CPU seconds the bridge process has used (user + system), from its Prometheus metrics. */
async function bridgeCpuSeconds(port: number): Promise<number> {
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = metrics
    .split('\n')
    .find((l) => l.startsWith('uns_bridge_process_cpu_seconds_total '));
  if (line === undefined) throw new Error('the bridge reports no process_cpu_seconds_total');
  return Number(line.split(' ')[1]);
}

/** Busy and total CPU time of all cores so far (Linux `/proc/stat`, in clock ticks; else NaN). */
function machineCpuTicks(): { busy: number; total: number } {
  if (!existsSync('/proc/stat')) return { busy: NaN, total: NaN };
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const ticks = fields.map(Number);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  return { busy: total - ticks[3]! - ticks[4]!, total }; // minus idle and iowait
}

async function bridgePhase(
  kafka: KafkaBroker,
  broker: MosquittoBroker,
  httpPort: number,
  stream: string,
  rate: number,
): Promise<PhaseResult & Published & { cpuUsPerMsg: number; machineBusy: number }> {
  const cpuBefore = await bridgeCpuSeconds(httpPort);
  const machineBefore = machineCpuTicks();
  const published = await publish(broker, stream, rate, SECONDS);
  const machineAfter = machineCpuTicks();
  const result = await readBack(kafka, stream, rate, published);
  const cpuUsPerMsg = (((await bridgeCpuSeconds(httpPort)) - cpuBefore) * 1e6) / result.delivered;
  const machineBusy =
    (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total);
  return { ...published, ...result, cpuUsPerMsg, machineBusy };
}

async function waitReady(port: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/ready`)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('bridge not ready within 30 s');
}

async function main(): Promise<void> {
  const [kafka, broker] = await Promise.all([startKafka({ throughput: true }), startMosquitto()]);
  const admin = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      {
        topic: TOPIC,
        numPartitions: 3,
        configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }],
      },
    ],
    waitForLeaders: true,
  });
  await admin.disconnect();
  const httpPort = await freePort();
  let bridge: ChildProcess | undefined;
  try {
    const baseline = await bare(broker);
    console.log(
      `bare MQTT.js subscriber (QoS 1): ${Math.round(baseline.msgsPerSec)} msg/s ` +
        `(the publisher reached ${Math.round(baseline.publishedPerSec)} msg/s of ${FLAT_OUT} offered); ` +
        `publish to receipt ${latencyText(baseline.latency)}`,
    );

    bridge = startBridge(kafka, broker, httpPort);
    await waitReady(httpPort);
    const max = await bridgePhase(kafka, broker, httpPort, 'max', FLAT_OUT);
    console.log(
      `bridge, offered ${FLAT_OUT} msg/s for ${SECONDS} s: ${Math.round(max.msgsPerSec)} msg/s into Kafka ` +
        `(${latencyText(max)}), ` +
        `${max.acknowledged} acknowledged, ${max.lost} lost, ${max.duplicates} duplicates; ` +
        `bridge CPU ${Math.round(max.cpuUsPerMsg)} us per message`,
    );
    const pacedPhase = async (stream: string, rate: number) => {
      const result = await bridgePhase(kafka, broker, httpPort, stream, rate);
      console.log(
        `bridge, paced at ${rate} msg/s for ${SECONDS} s: publish-to-Kafka ${latencyText(result)} ` +
          `(of which publish to the bridge's receipt p99 ` +
          `${result.toBridgeP99Ms.toFixed(1)} ms); ${result.acknowledged} acknowledged, ${result.lost} lost, ` +
          `${result.duplicates} duplicates; bridge CPU ${Math.round(result.cpuUsPerMsg)} us per message, ` +
          `the machine ${Math.round(result.machineBusy * 100)} % busy while publishing`,
      );
      return result;
    };
    const sustained = await pacedPhase('sustained', SUSTAINED_RATE);
    const paced = await pacedPhase('paced', PACED_RATE);
    const msgsPerSec = Math.round(max.msgsPerSec);
    console.log(
      JSON.stringify({
        bench: 'bridge',
        msgsPerSec,
        bareMsgsPerSec: Math.round(baseline.msgsPerSec),
        bareP99Ms: Number(baseline.latency.p99Ms.toFixed(1)),
        ratio: Number((max.msgsPerSec / baseline.msgsPerSec).toFixed(3)),
        pacedRate: PACED_RATE,
        p50Ms: Number(paced.p50Ms.toFixed(1)),
        p99Ms: Number(paced.p99Ms.toFixed(1)),
        p99WithWarmupMs: Number(paced.p99WithWarmupMs.toFixed(1)),
        sustainedRate: SUSTAINED_RATE,
        sustainedP50Ms: Number(sustained.p50Ms.toFixed(1)),
        sustainedP99Ms: Number(sustained.p99Ms.toFixed(1)),
        lost: max.lost + paced.lost + sustained.lost,
        duplicates: max.duplicates + paced.duplicates + sustained.duplicates,
        cpuUsPerMsg: Math.round(max.cpuUsPerMsg),
        pacedCpuUsPerMsg: Math.round(paced.cpuUsPerMsg),
        pacedMachineBusy: Number(paced.machineBusy.toFixed(2)),
      }),
    );
  } finally {
    if (bridge !== undefined) {
      const exited = new Promise((resolve) => bridge!.once('exit', resolve));
      bridge.kill('SIGTERM');
      await exited;
    }
    await Promise.all([kafka.stop(), broker.stop()]);
  }
}

void main();
