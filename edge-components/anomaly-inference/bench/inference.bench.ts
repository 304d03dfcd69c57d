/**
 * `npm run bench:inference`: (a) raw model latency and batched throughput in onnxruntime-node
 * beside Python onnxruntime on the same model file; (b) MQTT-in to result-out latency at 1,000
 * windows/s through a real Mosquitto; (c) a model swap during (b), counting dropped and
 * double-scored windows, then RSS across 100 swaps. Ends with one JSON line.
 *
 * The model is the pipeline-trained fixture bundle (trained and cached on first use).
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { startMosquitto } from '@uns-mlops/test-services';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import pino from 'pino';
import { SESSION_OPTIONS } from '../src/inference/session-options';
import { DEFAULT_CONFIG } from '../src/service/config';
import { InferenceService } from '../src/service/inference-service';
import { ensureFixtureBundle } from '../test/fixtures/model-fixture';
import { FIXTURE_CHANNELS, REPOSITORY_ROOT } from '../test/fixtures/paths';
import {
  bundleCopy,
  installBundle,
  nextModelChange,
  testConfig,
  waitUntil,
} from '../test/support/harness';

const SINGLE_RUNS = 5000;
const BATCH = 256;
const BATCH_SECONDS = 3;
const E2E_SECONDS = 20;
/** Load before the timed part of (b): scored and counted, not timed. */
const E2E_WARMUP_SECONDS = 2;
const WINDOWS_PER_SECOND = 1000;
const SWAPS = 100;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));

async function rawModel(bundle: string, manifest: any) {
  const model = join(bundle, 'model.onnx');
  const channels = manifest.channels.length;
  const length = manifest.window.length;
  const input = manifest.model.input.name;
  const score = manifest.model.outputs.score;
  const session = await InferenceSession.create(model, SESSION_OPTIONS);
  const random = () =>
    Float32Array.from({ length: channels * length }, () => Math.random() * 2 - 1);
  const single = new Tensor('float32', random(), [1, channels, length]);
  for (let i = 0; i < 200; i++) await session.run({ [input]: single }, [score]);
  const times: number[] = [];
  for (let i = 0; i < SINGLE_RUNS; i++) {
    const started = process.hrtime.bigint();
    await session.run({ [input]: single }, [score]);
    times.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  const data = new Float32Array(BATCH * channels * length).map(() => Math.random() * 2 - 1);
  const batched = new Tensor('float32', data, [BATCH, channels, length]);
  await session.run({ [input]: batched }, [score]);
  let windows = 0;
  const started = performance.now();
  while (performance.now() - started < BATCH_SECONDS * 1000) {
    await session.run({ [input]: batched }, [score]);
    windows += BATCH;
  }
  const node = {
    p50Us: percentile(times, 50),
    p99Us: percentile(times, 99),
    batchedWindowsPerSec: windows / ((performance.now() - started) / 1000),
  };
  await session.release();
  const python = spawnSync(
    join(REPOSITORY_ROOT, '.venv', 'bin', 'python'),
    [
      join(__dirname, 'ort_bench.py'),
      model,
      input,
      score,
      String(channels),
      String(length),
      String(SINGLE_RUNS),
      String(BATCH),
      String(BATCH_SECONDS),
    ],
    { encoding: 'utf8' },
  );
  if (python.status !== 0) throw new Error(`python onnxruntime bench failed: ${python.stderr}`);
  const py = JSON.parse(python.stdout.trim().split('\n').pop() ?? '{}');
  return { node, python: py as typeof node };
}

/**
 * The load publisher (bench/load-publisher.ts, its own process) sends 1,000 windows/s; halfway
 * through, a new bundle lands in the model directory (the first 2 s warm up and are not timed). Event-loop delay is measured in the runtime.
 */
async function endToEnd(bundle: string, manifest: any, maxBatchDelayMs: number) {
  const blockMs = (manifest.window.stride * 1000) / manifest.sampleRateHz;
  const cells = Math.round((WINDOWS_PER_SECOND * blockMs) / 1000);
  const broker = await startMosquitto();
  const dir = bundleCopy(bundle);
  const config = testConfig(broker.url, dir);
  const service = await InferenceService.start(
    {
      ...config,
      broker: { ...config.broker, qos: 0 },
      batching: { ...config.batching, maxBatchDelayMs },
    },
    pino({ level: 'silent' }),
  );
  await waitUntil(async () => (await fetch(`http://127.0.0.1:${service.httpPort}/ready`)).ok);
  const load = spawn(
    join(REPOSITORY_ROOT, 'node_modules', '.bin', 'tsx'),
    [
      join(__dirname, 'load-publisher.ts'),
      broker.url,
      String(cells),
      String(blockMs),
      String(E2E_SECONDS),
      String(E2E_WARMUP_SECONDS),
      FIXTURE_CHANNELS.join(','),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: load.stdout });
  const output = lines[Symbol.asyncIterator]();
  await output.next(); // ready
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  await new Promise((resolve) => setTimeout(resolve, (E2E_SECONDS * 1000) / 2));
  const swapped = nextModelChange(service);
  installBundle(bundle, dir, { modelVersion: 'bench-swapped' });
  const swap = await swapped;
  const result = JSON.parse(String((await output.next()).value));
  loop.disable();
  const cpu = process.cpuUsage(cpuBefore);
  const cpuPercent = ((cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore)) * 100;
  await service.stop();
  await broker.stop();
  return {
    ...result,
    cells,
    swapEvent: swap.event,
    dropped: result.expected - result.received,
    eventLoopP99Ms: loop.percentile(99) / 1e6,
    eventLoopMaxMs: loop.max / 1e6,
    cpuPercent,
  };
}

/** RSS after each of 100 swaps (old sessions are released once their batches finish). */
async function swapsRss(bundle: string) {
  const broker = await startMosquitto();
  const dir = bundleCopy(bundle);
  const service = await InferenceService.start(
    testConfig(broker.url, dir),
    pino({ level: 'silent' }),
  );
  const rss: number[] = [];
  const heap: number[] = [];
  for (let i = 1; i <= SWAPS; i++) {
    const change = nextModelChange(service);
    installBundle(bundle, dir, { modelVersion: `rss-${i}` });
    const { event } = await change;
    if (event !== 'swapped') throw new Error(`swap ${i}: ${event}`);
    global.gc?.();
    rss.push(process.memoryUsage().rss / 2 ** 20);
    heap.push(process.memoryUsage().heapUsed / 2 ** 20);
  }
  await service.stop();
  await broker.stop();
  const settled = rss.slice(9);
  return {
    after10Mb: rss[9] ?? 0,
    after100Mb: rss[SWAPS - 1] ?? 0,
    spreadMb: Math.max(...settled) - Math.min(...settled),
    heapAfter10Mb: heap[9] ?? 0,
    heapAfter100Mb: heap[SWAPS - 1] ?? 0,
    swaps: service.host.swaps,
  };
}

async function main(): Promise<void> {
  const bundle = ensureFixtureBundle();
  const manifest = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8'));
  console.log(
    `model ${manifest.modelName} ${manifest.modelVersion}: ${manifest.model.architecture}, ${manifest.channels.length} channels x ${manifest.window.length} samples`,
  );

  const raw = await rawModel(bundle, manifest);
  const ratio = raw.node.p50Us / raw.python.p50Us;
  console.log(
    `(a) single window: node p50 ${round(raw.node.p50Us)} us p99 ${round(raw.node.p99Us)} us | python p50 ${round(raw.python.p50Us)} us p99 ${round(raw.python.p99Us)} us | ratio ${round(ratio, 2)}`,
  );
  console.log(
    `    batched (${BATCH}): node ${Math.round(raw.node.batchedWindowsPerSec)} windows/s | python ${Math.round(raw.python.batchedWindowsPerSec)} windows/s`,
  );

  const delay = Number(
    process.env.BENCH_MAX_BATCH_DELAY_MS ?? DEFAULT_CONFIG.batching.maxBatchDelayMs,
  );
  const e2e = await endToEnd(bundle, manifest, delay);
  console.log(
    `(b) MQTT in -> score out at ${Math.round(e2e.windowsPerSec)} windows/s (${e2e.cells} cells, maxBatchDelayMs ${delay}): p50 ${round(e2e.p50Ms, 2)} ms p99 ${round(e2e.p99Ms, 2)} ms; event loop delay p99 ${round(e2e.eventLoopP99Ms, 2)} ms max ${round(e2e.eventLoopMaxMs, 2)} ms`,
  );
  console.log(
    `    runtime process CPU (main thread + ONNX Runtime worker): ${Math.round(e2e.cpuPercent)} % of one core`,
  );
  console.log(
    `(c) swap halfway (${e2e.swapEvent}): ${e2e.received}/${e2e.expected} windows scored, ${e2e.dropped} dropped, ${e2e.duplicates} scored twice`,
  );

  const swaps = await swapsRss(bundle);
  console.log(
    `    RSS across ${swaps.swaps} swaps: ${round(swaps.after10Mb)} MB after 10, ${round(swaps.after100Mb)} MB after 100, spread ${round(swaps.spreadMb)} MB over swaps 10-100; JS heap ${round(swaps.heapAfter10Mb)} -> ${round(swaps.heapAfter100Mb)} MB`,
  );

  console.log(
    JSON.stringify({
      bench: 'inference',
      p50Us: round(raw.node.p50Us),
      p99Us: round(raw.node.p99Us),
      pythonP50Us: round(raw.python.p50Us),
      ratioVsPython: round(ratio, 2),
      batchedWindowsPerSec: Math.round(raw.node.batchedWindowsPerSec),
      pythonBatchedWindowsPerSec: Math.round(raw.python.batchedWindowsPerSec),
      e2eP50Ms: round(e2e.p50Ms, 2),
      e2eP99Ms: round(e2e.p99Ms, 2),
      e2eWindowsPerSec: Math.round(e2e.windowsPerSec),
      droppedDuringSwap: e2e.dropped,
      scoredTwiceDuringSwap: e2e.duplicates,
      eventLoopP99Ms: round(e2e.eventLoopP99Ms, 2),
      rssAfter10SwapsMb: round(swaps.after10Mb),
      rssAfter100SwapsMb: round(swaps.after100Mb),
      rssSpreadSwaps10To100Mb: round(swaps.spreadMb),
      heapAfter10SwapsMb: round(swaps.heapAfter10Mb),
      heapAfter100SwapsMb: round(swaps.heapAfter100Mb),
      runtimeCpuPercent: Math.round(e2e.cpuPercent),
    }),
  );
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
