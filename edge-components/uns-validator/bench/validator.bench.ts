/**
 * `npm run bench:validator`: publishers → Mosquitto → validator, against a bare MQTT.js subscriber
 * on the same broker in the same run.
 *
 * 1. bare: a plain subscriber counts messages from a publisher running flat out;
 * 2. validator: the validator service (2 workers, embedded store) judges the same load;
 * 3. paced: the bare subscriber (at most 10 s), then the validator, at a fixed rate (default 20,000
 *    msg/s; BENCH_PACED_SECONDS, default 60): publish-to-receive and publish-to-verdict latency
 *    p50/p99 (publish time travels in the payload's `t0`), and the validator's RSS.
 * Ends with one JSON line. Set BENCH_SECONDS (max-rate phases, default 5, offered at 100,000 msg/s) and BENCH_RATE to change
 * the load. Figures depend on the machine; compare bare and validator from the same run.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startMosquitto, type MosquittoBroker } from '@uns-mlops/test-services';
import { connectAsync } from 'mqtt';
import pino from 'pino';
import { DEFAULT_CONFIG } from '../src/service/config';
import { ValidatorService } from '../src/service/validator-service';

const MAX_RATE_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 60);
const PACED_RATE = Number(process.env.BENCH_RATE ?? 20_000);
const FLAT_OUT = 100_000;
const ASSETS = 20;
const WORKERS = Number(process.env.BENCH_WORKERS ?? DEFAULT_CONFIG.pool.workers);
const TSX = join(__dirname, '..', '..', '..', 'node_modules', '.bin', 'tsx');

/** Counts arrivals and the time between the first and the last. */
class RateMeter {
  count = 0;
  private first = 0;
  private last = 0;
  hit(): void {
    const now = performance.now();
    if (this.count === 0) this.first = now;
    this.last = now;
    this.count += 1;
  }
  perSecond(): number {
    return this.count < 2 ? 0 : ((this.count - 1) * 1000) / (this.last - this.first);
  }
}

async function publish(broker: MosquittoBroker, rate: number, seconds: number): Promise<number> {
  const child = spawn(
    TSX,
    [join(__dirname, 'publisher.ts'), broker.url, String(rate), String(seconds), String(ASSETS)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  return (JSON.parse(output) as { published: number }).published;
}

async function bare(
  broker: MosquittoBroker,
): Promise<{ msgsPerSec: number; received: number; published: number }> {
  const meter = new RateMeter();
  const client = await connectAsync(broker.url, { clientId: 'bench-bare', protocolVersion: 5 });
  client.on('message', () => {
    meter.hit();
  });
  await client.subscribeAsync('acme/#', { qos: 0 });
  const published = await publish(broker, FLAT_OUT, MAX_RATE_SECONDS);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await client.endAsync();
  return { msgsPerSec: meter.perSecond(), received: meter.count, published };
}

/** Publish-to-receive latency of a bare subscriber at the paced rate: the floor of the path. */
async function bareLatency(broker: MosquittoBroker, seconds: number): Promise<Float64Array> {
  const latencies = new Float64Array(PACED_RATE * seconds + 1000);
  let samples = 0;
  const client = await connectAsync(broker.url, {
    clientId: 'bench-bare-paced',
    protocolVersion: 5,
  });
  client.on('message', (_, payload) => {
    if (samples < latencies.length)
      latencies[samples++] = (micros() - publishedAtMicros(payload)) / 1000;
  });
  await client.subscribeAsync('acme/#', { qos: 0 });
  await publish(broker, PACED_RATE, seconds);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await client.endAsync();
  return latencies.subarray(0, samples).sort();
}

async function startValidator(broker: MosquittoBroker): Promise<ValidatorService> {
  return ValidatorService.start(
    {
      ...DEFAULT_CONFIG,
      broker: {
        ...DEFAULT_CONFIG.broker,
        url: broker.url,
        clientId: `bench-validator-${Date.now()}`,
        topics: ['acme/#'],
      },
      contracts: { paths: [join(__dirname, '..', '..', '..', 'asyncapi')], strict: false },
      pool: { ...DEFAULT_CONFIG.pool, workers: WORKERS },
      http: { host: '127.0.0.1', port: 0 },
    },
    pino({ level: 'warn' }),
  );
}

function micros(): number {
  return (performance.timeOrigin + performance.now()) * 1000;
}

/** Publish time from the payload's `t0` (ISO 8601 with microseconds at a fixed offset). */
function publishedAtMicros(payload: Buffer): number {
  const iso = payload.toString('latin1', 7, 34);
  return Date.parse(`${iso.slice(0, 23)}Z`) * 1000 + Number(iso.slice(23, 26));
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function main(): Promise<void> {
  const broker = await startMosquitto();
  try {
    const baseline = await bare(broker);
    console.log(
      `bare subscriber: ${Math.round(baseline.msgsPerSec)} msg/s (${baseline.received}/${baseline.published} received)`,
    );

    let service = await startValidator(broker);
    const meter = new RateMeter();
    let invalid = 0;
    service.on('verdict', ({ verdict }) => {
      meter.hit();
      if (!verdict.valid) invalid += 1;
    });
    const published = await publish(broker, FLAT_OUT, MAX_RATE_SECONDS);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const dropped = (await service.metrics.dropped.get()).values.reduce(
      (sum, value) => sum + value.value,
      0,
    );
    await service.stop();
    const validatorRate = meter.perSecond();
    console.log(
      `validator: ${Math.round(validatorRate)} msg/s (${meter.count}/${published} judged, ${invalid} invalid, ${dropped} dropped)`,
    );

    const bareSeconds = Math.min(PACED_SECONDS, 10);
    const bareSorted = await bareLatency(broker, bareSeconds);
    console.log(
      `bare subscriber paced ${PACED_RATE} msg/s for ${bareSeconds} s: p50 ${percentile(bareSorted, 50).toFixed(3)} ms, p99 ${percentile(bareSorted, 99).toFixed(3)} ms`,
    );

    service = await startValidator(broker);
    const latencies = new Float64Array(PACED_RATE * PACED_SECONDS + 1000);
    let samples = 0;
    service.on('verdict', ({ payload }) => {
      if (samples < latencies.length)
        latencies[samples++] = (micros() - publishedAtMicros(payload)) / 1000;
    });
    const rss: number[] = [];
    const rssTimer = setInterval(() => rss.push(process.memoryUsage().rss / 2 ** 20), 1000);
    await publish(broker, PACED_RATE, PACED_SECONDS);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    clearInterval(rssTimer);
    await service.stop();
    const sorted = latencies.subarray(0, samples).sort();
    const steady = rss.slice(Math.min(5, rss.length - 1));
    const result = {
      bench: 'validator',
      msgsPerSec: Math.round(validatorRate),
      bareMsgsPerSec: Math.round(baseline.msgsPerSec),
      ratio: Number((validatorRate / baseline.msgsPerSec).toFixed(3)),
      pacedRate: PACED_RATE,
      pacedSeconds: PACED_SECONDS,
      p50Ms: Number(percentile(sorted, 50).toFixed(3)),
      p99Ms: Number(percentile(sorted, 99).toFixed(3)),
      bareP50Ms: Number(percentile(bareSorted, 50).toFixed(3)),
      bareP99Ms: Number(percentile(bareSorted, 99).toFixed(3)),
      workers: WORKERS,
      rssMb: Math.round(Math.max(...rss)),
      rssGrowthMb: Math.round((steady.at(-1) ?? 0) - (steady[0] ?? 0)),
      droppedAtMaxRate: dropped,
    };
    console.log(
      `paced ${PACED_RATE} msg/s for ${PACED_SECONDS} s: p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, RSS max ${result.rssMb} MB (growth after warm-up ${result.rssGrowthMb} MB)`,
    );
    console.log(JSON.stringify(result));
  } finally {
    await broker.stop();
  }
}

void main();
