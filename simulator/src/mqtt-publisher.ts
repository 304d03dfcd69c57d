import mqtt from 'mqtt';
import { hashSeed, Random } from './random';
import { SIGNAL_SPECS } from './signals';
import { WeldingCellSimulator, type SimulatedBlock, type SimulatorOptions } from './simulator';

/** Kinds of deliberately malformed messages. */
export const MALFORMED_KINDS = [
  'negative-dt',
  'out-of-range',
  'missing-field',
  'wrong-type',
  'unparseable',
] as const;

/** One kind of malformed message. */
export type MalformedKind = (typeof MALFORMED_KINDS)[number];

/** Options of {@link publishLive}. */
export interface PublishOptions {
  /** Broker URL, e.g. `mqtt://127.0.0.1:1883`. */
  readonly brokerUrl: string;
  readonly simulatorOptions: SimulatorOptions;
  /** Pace the blocks at simulated time (true) or publish as fast as possible (false). */
  readonly realTime: boolean;
  /** Share of messages, 0..1, replaced by malformed ones (default 0). */
  readonly malformedShare?: number;
  /** Simulated duration to publish; ignored when `blocks` is given. */
  readonly durationMs?: number;
  /**
   * Stops publishing after the current step when aborted (the summary counts what was sent).
   * With a signal and neither `durationMs` nor `blocks`, publishing runs until it is aborted.
   */
  readonly signal?: AbortSignal;
  /** Number of simulator steps (each: one block per cell and signal). */
  readonly blocks?: number;
  /** Also publish asset-state changes, retained, on the `state` topics (default true). */
  readonly publishState?: boolean;
  /** Also publish the seam inspections on the `inspection` topics (default true). */
  readonly publishInspections?: boolean;
  /** MQTT QoS (default 1). */
  readonly qos?: 0 | 1;
  /** Called after every published message (e.g. for logging). */
  readonly onPublish?: (
    topic: string,
    payload: Uint8Array,
    malformed: MalformedKind | undefined,
  ) => void;
}

/** What {@link publishLive} sent. */
export interface PublishSummary {
  /** All messages published. */
  published: number;
  /** Messages published as generated (contract-valid). */
  valid: number;
  /** Malformed messages, total. */
  malformedTotal: number;
  /** Malformed messages by kind. */
  malformed: Record<MalformedKind, number>;
  /** Asset-state messages published (not counted in `published`). */
  states: number;
  /** Seam inspections published (not counted in `published`). */
  inspections: number;
  /** Simulator steps run. */
  steps: number;
  /** Samples labelled with a defect class, per class, over all published valid blocks. */
  defectSamples: Record<string, number>;
}

/** Serializes a block's payload as the contract's JSON. */
export function encodeBlock(block: SimulatedBlock): Uint8Array {
  return Buffer.from(JSON.stringify(block.payload), 'utf8');
}

/**
 * Turns a valid block into a malformed message of the given kind: `negative-dt` (dtMs < 0),
 * `out-of-range` (one value above the signal's maximum), `missing-field` (no `unit` or `seq`),
 * `wrong-type` (`values` as a string) or `unparseable` (truncated JSON / invalid UTF-8).
 */
export function malformBlock(
  block: SimulatedBlock,
  kind: MalformedKind,
  random: Random,
): Uint8Array {
  const payload: Record<string, unknown> = { ...block.payload, values: [...block.payload.values] };
  switch (kind) {
    case 'negative-dt':
      payload.dtMs = -block.payload.dtMs;
      break;
    case 'out-of-range': {
      const values = payload.values as number[];
      values[random.int(0, values.length - 1)] = SIGNAL_SPECS[block.signal].max * 1.5 + 1;
      break;
    }
    case 'missing-field':
      if (random.chance(0.5)) delete payload.unit;
      else delete payload.seq;
      break;
    case 'wrong-type':
      payload.values = block.payload.values.join(',');
      break;
    case 'unparseable': {
      if (random.chance(0.5)) {
        const text = JSON.stringify(block.payload);
        return Buffer.from(text.slice(0, Math.floor(text.length / 2)), 'utf8');
      }
      return Uint8Array.from([0xff, 0xfe, 0x00, 0x7b, 0xc3, 0x28]);
    }
  }
  return Buffer.from(JSON.stringify(payload), 'utf8');
}

/** Waits `ms`, or less when `signal` aborts first. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/**
 * Runs a {@link WeldingCellSimulator} and publishes every block on its UNS telemetry topic. A
 * share `malformedShare` of the messages (chosen by a generator seeded from the simulator seed)
 * is replaced by malformed ones of a random {@link MalformedKind}. Resolves with the counts once
 * every message has been handed to the broker and the client has disconnected.
 */
export async function publishLive(options: PublishOptions): Promise<PublishSummary> {
  const share = options.malformedShare ?? 0;
  if (share < 0 || share > 1) throw new Error('malformedShare must be within 0..1');
  const simulator = new WeldingCellSimulator(options.simulatorOptions);
  const blockMs = simulator.samplesPerBlock * simulator.dtMs;
  const runsUntilAborted =
    options.signal !== undefined &&
    options.blocks === undefined &&
    options.durationMs === undefined;
  const steps = runsUntilAborted
    ? Number.POSITIVE_INFINITY
    : (options.blocks ?? Math.max(1, Math.ceil((options.durationMs ?? 10_000) / blockMs)));
  const random = new Random(hashSeed(options.simulatorOptions.seed, 0x6d61));
  const qos = options.qos ?? 1;
  const summary: PublishSummary = {
    published: 0,
    valid: 0,
    malformedTotal: 0,
    malformed: Object.fromEntries(MALFORMED_KINDS.map((k) => [k, 0])) as Record<
      MalformedKind,
      number
    >,
    states: 0,
    inspections: 0,
    steps: 0,
    defectSamples: {},
  };
  const client = await mqtt.connectAsync(options.brokerUrl, {
    clientId: `welding-sim-${String(options.simulatorOptions.seed)}-${String(Date.now())}`,
    reconnectPeriod: 0,
  });
  const startedAt = Date.now();
  const aborted = () => options.signal?.aborted === true;
  try {
    for (let step = 0; step < steps && !aborted(); step++) {
      if (options.realTime) {
        const due = startedAt + step * blockMs - Date.now();
        if (due > 0) await sleep(due, options.signal);
        if (aborted()) break;
      }
      const blocks = simulator.next();
      await Promise.all(
        blocks.map(async (block) => {
          let kind: MalformedKind | undefined;
          let bytes: Uint8Array;
          if (share > 0 && random.chance(share)) {
            kind = random.pick(MALFORMED_KINDS);
            bytes = malformBlock(block, kind, random);
            summary.malformed[kind] += 1;
            summary.malformedTotal += 1;
          } else {
            bytes = encodeBlock(block);
            summary.valid += 1;
            if (block.signal === 'arc_current') {
              for (const label of block.labels) {
                if (label !== 'normal') {
                  summary.defectSamples[label] = (summary.defectSamples[label] ?? 0) + 1;
                }
              }
            }
          }
          summary.published += 1;
          await client.publishAsync(block.topic, Buffer.from(bytes), { qos });
          options.onPublish?.(block.topic, bytes, kind);
        }),
      );
      const states = simulator.takeStateMessages();
      if (options.publishState ?? true) {
        for (const state of states) {
          await client.publishAsync(state.topic, JSON.stringify(state.payload), {
            qos,
            retain: true,
          });
          summary.states += 1;
        }
      }
      const inspections = simulator.takeInspectionMessages();
      if (options.publishInspections ?? true) {
        for (const inspection of inspections) {
          await client.publishAsync(inspection.topic, JSON.stringify(inspection.payload), { qos });
          summary.inspections += 1;
        }
      }
      summary.steps += 1;
    }
  } finally {
    await client.endAsync();
  }
  return summary;
}
