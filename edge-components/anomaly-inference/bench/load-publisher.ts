/**
 * The load of the end-to-end bench, in a process of its own (so it does not share the runtime's
 * event loop): `cells` simulated cells each publish one block of `stride` samples per channel every
 * stride period, staggered evenly, so every cell completes one window per block. It subscribes to
 * the scores and measures, per window, the time from publishing the block that completed it to
 * receiving its score (one clock). The first `warmupSeconds` warm the runtime (JIT, first
 * batches, buffers) and are scored and counted but not timed. Prints one JSON line when done.
 *
 * Every block is generated and serialized before the clock starts: simulating one step of 64 cells
 * takes about 5 ms (up to 17 ms), and doing it in the loop would stall this process's own receipt
 * of scores and count that stall as the runtime's latency.
 *
 * Usage: tsx load-publisher.ts <broker url> <cells> <blockMs> <seconds> <warmupSeconds> <channels,...>
 */
import { performance } from 'node:perf_hooks';
import { defaultCells, WeldingCellSimulator } from '@uns-mlops/welding-simulator';
import { connectAsync } from 'mqtt';

async function main(): Promise<void> {
  const [
    url = '',
    cellsText = '64',
    blockText = '64',
    secondsText = '10',
    warmupText = '0',
    channelsText = '',
  ] = process.argv.slice(2);
  const cells = Number(cellsText);
  const blockMs = Number(blockText);
  const channels = channelsText.split(',');
  const start = Date.UTC(2025, 0, 1);
  const simulator = new WeldingCellSimulator({
    seed: 5,
    cells: defaultCells(cells),
    blockMs,
    start,
    defectRate: 0.1,
  });
  const steps = Math.round((Number(secondsText) * 1000) / blockMs);
  const warmupSteps = Math.round((Number(warmupText) * 1000) / blockMs);
  const schedule = Array.from({ length: steps }, () => {
    const blocks = simulator.next().filter((b) => channels.includes(b.signal));
    return simulator.cells.map((address) => {
      const own = blocks.filter((b) => b.address === address);
      return {
        asset: own[0]?.topic.split('/').slice(0, 6).join('/') ?? '',
        messages: own.map((b) => ({ topic: b.topic, payload: JSON.stringify(b.payload) })),
      };
    });
  });
  const client = await connectAsync(url, { clientId: `bench-load-${process.pid}` });
  const completedAt = new Map<string, number>();
  const latencies: number[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  client.on('message', (topic, payload) => {
    const now = performance.now();
    const { windowEnd } = JSON.parse(payload.toString()) as { windowEnd: string };
    const key = `${topic.split('/').slice(0, 6).join('/')}@${(Date.parse(windowEnd) - start) / blockMs - 1}`;
    if (seen.has(key)) duplicates += 1;
    seen.add(key);
    const published = completedAt.get(key);
    if (published !== undefined) latencies.push(now - published);
  });
  await client.subscribeAsync('acme/zwickau/+/+/+/+/_ml/+', { qos: 0 });
  process.stdout.write('{"ready":true}\n');
  const began = performance.now();
  for (const [step, cellBlocks] of schedule.entries()) {
    for (const [c, { asset, messages }] of cellBlocks.entries()) {
      const wait = began + step * blockMs + (c * blockMs) / cells - performance.now();
      if (wait > 0.5) await new Promise((resolve) => setTimeout(resolve, wait));
      for (const { topic, payload } of messages) client.publish(topic, payload, { qos: 0 });
      if (step >= warmupSteps) completedAt.set(`${asset}@${step}`, performance.now());
    }
  }
  const elapsed = (performance.now() - began) / 1000;
  const expected = cells * (steps - 1); // window k completes with block k + 1
  const deadline = performance.now() + 15_000;
  while (seen.size < expected && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await client.endAsync();
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
  process.stdout.write(
    `${JSON.stringify({ expected, received: seen.size, duplicates, windowsPerSec: expected / elapsed, p50Ms: at(0.5), p99Ms: at(0.99) })}\n`,
  );
}

void main();
