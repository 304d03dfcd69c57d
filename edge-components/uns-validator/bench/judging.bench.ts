/**
 * `npm run bench:judging`: what judging one message costs on the main thread, without the broker:
 * `validateMessage` on the validator benchmark's telemetry blocks (~300 bytes, 40 samples, over
 * 20 assets) against the repository's welding contract, accepted from their bytes (the channel's
 * fast acceptance, the default) and, as the baseline in the same process, parsed and judged by
 * ajv (the same contracts without fast acceptance). Alternates the two for BENCH_ROUNDS rounds
 * (default 5) of BENCH_MESSAGES messages each (default 500,000) and prints the median µs per
 * message of each; ends with one JSON line.
 */
import { join } from 'node:path';
import { loadContracts } from '../src/contract/load-contracts';
import type { LoadedChannel, LoadedContracts } from '../src/contract/model';
import { TopicMatcher } from '../src/contract/topic-matcher';
import { validateMessage } from '../src/validate/validate-message';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 500_000);
const ASSETS = 20;
const SAMPLES = 40;

/** The contracts with every channel's fast acceptance taken away: every payload is parsed. */
function withoutFastAcceptance(loaded: LoadedContracts): LoadedContracts {
  const matcher = new TopicMatcher<LoadedChannel>();
  const contracts = loaded.contracts.map((contract) => {
    const channels = contract.channels.map((channel) => ({
      ...channel,
      fastAcceptance: undefined,
    }));
    for (const channel of channels) matcher.add(channel.address, channel, contract.loadOrder);
    return { ...contract, channels };
  });
  return { contracts, matcher };
}

/** The benchmark publishers' messages: one telemetry block per asset, as they send it. */
function telemetryBlocks(): { topic: string; payload: Buffer }[] {
  const samples = Array.from({ length: SAMPLES }, (_, index) => 180 + (index % 7) * 1.5);
  return Array.from({ length: ASSETS }, (_, asset) => ({
    topic: `acme/zwickau/body-shop/body-weld-1/cell-${String(asset % 4)}/welder-${String(asset)}/telemetry/arc_current`,
    payload: Buffer.from(
      `{"t0":"2026-12-06T04:00:00.000123Z","dtMs":1,"unit":"A","values":[${samples.join(',')}],"quality":"good","seq":${String(asset).padStart(10)}}`,
    ),
  }));
}

/** µs per message of judging `MESSAGES` messages by `contracts`. */
function judgeAll(
  contracts: LoadedContracts,
  messages: readonly { topic: string; payload: Buffer }[],
) {
  let invalid = 0;
  const started = performance.now();
  for (let index = 0; index < MESSAGES; index++) {
    const { topic, payload } = messages[index % messages.length] ?? {
      topic: '',
      payload: Buffer.alloc(0),
    };
    if (!validateMessage(contracts, topic, payload).valid) invalid++;
  }
  if (invalid > 0) throw new Error(`${String(invalid)} benchmark messages were judged invalid`);
  return ((performance.now() - started) * 1000) / MESSAGES;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Number((sorted[Math.floor(sorted.length / 2)] ?? NaN).toFixed(3));
}

async function main(): Promise<void> {
  const fast = await loadContracts([join(__dirname, '..', '..', '..', 'asyncapi')]);
  const parsed = withoutFastAcceptance(fast);
  const messages = telemetryBlocks();
  const fastTimes: number[] = [];
  const parsedTimes: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    fastTimes.push(judgeAll(fast, messages));
    parsedTimes.push(judgeAll(parsed, messages));
    console.log(
      `round ${String(round + 1)}: accepted from bytes ${fastTimes.at(-1)?.toFixed(3) ?? ''} µs, parsed ${parsedTimes.at(-1)?.toFixed(3) ?? ''} µs per message`,
    );
  }
  const result = {
    bench: 'judging',
    messages: MESSAGES,
    rounds: ROUNDS,
    payloadBytes: messages[0]?.payload.byteLength,
    fastUsPerMsg: median(fastTimes),
    parsedUsPerMsg: median(parsedTimes),
    speedup: Number((median(parsedTimes) / median(fastTimes)).toFixed(2)),
  };
  console.log(
    `median: ${String(result.fastUsPerMsg)} µs accepted from bytes, ${String(result.parsedUsPerMsg)} µs parsed and judged by ajv (${String(result.speedup)}×)`,
  );
  console.log(JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
