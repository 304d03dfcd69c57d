/**
 * Assembles per-asset windows of the model's geometry from telemetry blocks: one ordered stream
 * per channel (see {@link ChannelStream}), channels aligned on the model's sample grid, windows
 * started at multiples of the stride, missing values filled per the manifest's policy.
 */
import type { MissingValuePolicy } from '../bundle/manifest';
import type { WindowGeometry } from '../bundle/scoring-model';
import type { TelemetryBlock } from './block';
import { ChannelStream, type StreamOutcome } from './channel-stream';
import { fillMissing } from './missing-values';
import { SampleBuffer } from './sample-buffer';

/** A window ready to score: raw values, channel-major in geometry order, gaps filled. */
export interface AssembledWindow {
  /** `enterprise/site/area/line/cell/asset`. */
  readonly asset: string;
  /** Grid index of the first sample (start time = index × sample period). */
  readonly startIndex: number;
  readonly startMs: number;
  /** Time just after the last sample (exclusive end). */
  readonly endMs: number;
  readonly raw: Float32Array;
}

/** Why windows were not assembled (each a counter of windows). */
export type SkipReason =
  /** A channel restarted (gap, overlap, publisher restart) or joined late: the stretch is lost. */
  | 'channel_gap'
  /** A channel lagged the asset's newest channel by more than the allowed skew. */
  | 'missing_channel'
  /** Missing values the policy could not fill (too long a run, `reject`, no neighbour). */
  | 'missing_values';

/** Where the assembler reports what it did. */
export interface AssemblerSink {
  window(window: AssembledWindow): void;
  /** Windows skipped; `asset` so a run of anomalous windows can be closed. */
  skipped(asset: string, reason: SkipReason, windows: number): void;
  stream(outcome: StreamOutcome, amount: number): void;
  /** Missing samples filled inside assembled windows. */
  filled(samples: number): void;
}

/** Options of {@link WindowAssembler}. */
export interface AssemblerOptions {
  readonly geometry: WindowGeometry;
  readonly reorderBlocks: number;
  readonly maxChannelSkewMs: number;
  /** The serving model's missing-values policy (may change with a swap). */
  readonly missingValues: () => { policy: MissingValuePolicy; maxGapSamples: number };
}

class AssetState {
  readonly buffers: SampleBuffer[];
  readonly streams: ChannelStream[];
  /** Grid index of the next window's start; undefined until the first sample. */
  next: number | undefined;

  constructor(
    readonly asset: string,
    channels: number,
    stream: (channel: number, buffers: SampleBuffer[]) => ChannelStream,
  ) {
    this.buffers = Array.from({ length: channels }, () => new SampleBuffer());
    this.streams = Array.from({ length: channels }, (_, c) => stream(c, this.buffers));
  }
}

/** Turns blocks of every asset into windows. */
export class WindowAssembler {
  private readonly assets = new Map<string, AssetState>();
  private readonly periodMs: number;
  private readonly skewSamples: number;

  constructor(
    private readonly options: AssemblerOptions,
    private readonly sink: AssemblerSink,
  ) {
    this.periodMs = 1000 / options.geometry.sampleRateHz;
    this.skewSamples = Math.ceil(options.maxChannelSkewMs / this.periodMs);
  }

  /** Index of `channel` in the model's input, or -1 when the model does not read it. */
  channelIndex(channel: string): number {
    return this.options.geometry.channels.indexOf(channel);
  }

  /** Number of assets with state. */
  get assetCount(): number {
    return this.assets.size;
  }

  /** Takes a block of channel `channel` (its index) of `asset`; emits the windows it completes. */
  accept(asset: string, channel: number, block: TelemetryBlock): void {
    let state = this.assets.get(asset);
    if (state === undefined) {
      const created = new AssetState(
        asset,
        this.options.geometry.channels.length,
        (c, buffers) =>
          new ChannelStream({
            periodMs: this.periodMs,
            reorderBlocks: this.options.reorderBlocks,
            gapPolicy: () => {
              const { policy, maxGapSamples } = this.options.missingValues();
              return { fill: policy !== 'reject', maxGapSamples };
            },
            place: (index, values) => {
              buffers[c]?.append(index, values);
              this.emit(created);
            },
            count: (outcome, amount) => {
              this.sink.stream(outcome, amount);
            },
          }),
      );
      state = created;
      this.assets.set(asset, state);
    }
    state.streams[channel]?.accept(block);
  }

  private emit(state: AssetState): void {
    const { length, stride } = this.options.geometry;
    const ceil = (index: number) => Math.ceil(index / stride) * stride;
    for (;;) {
      const next = state.next;
      let newestEnd = -Infinity;
      let latestStart = -Infinity;
      let complete = true;
      for (const buffer of state.buffers) {
        if (next !== undefined) buffer.dropBefore(next);
        if (buffer.length === 0) {
          complete = false;
          continue;
        }
        newestEnd = Math.max(newestEnd, buffer.end);
        latestStart = Math.max(latestStart, buffer.start);
      }
      if (newestEnd === -Infinity) return;
      if (next === undefined) {
        state.next = ceil(latestStart);
        continue;
      }
      if (latestStart > next) {
        // A channel's samples start after the window: its stretch before is lost.
        const moved = ceil(latestStart);
        this.sink.skipped(state.asset, 'channel_gap', (moved - next) / stride);
        state.next = moved;
        continue;
      }
      const end = next + length;
      if (complete && state.buffers.every((b) => b.end >= end)) {
        this.assemble(state, next);
        state.next = next + stride;
        continue;
      }
      if (newestEnd - end > this.skewSamples) {
        this.sink.skipped(state.asset, 'missing_channel', 1);
        state.next = next + stride;
        continue;
      }
      return;
    }
  }

  private assemble(state: AssetState, start: number): void {
    const { length, channels } = this.options.geometry;
    const raw = new Float32Array(channels.length * length);
    const { policy, maxGapSamples } = this.options.missingValues();
    let filled = 0;
    for (let c = 0; c < channels.length; c++) {
      const buffer = state.buffers[c];
      if (buffer === undefined) return;
      buffer.copy(start, length, raw, c * length);
      const channel = raw.subarray(c * length, (c + 1) * length);
      const result = fillMissing(channel, buffer.lastDropped, policy, maxGapSamples);
      if (result < 0) {
        this.sink.skipped(state.asset, 'missing_values', 1);
        return;
      }
      filled += result;
    }
    if (filled > 0) this.sink.filled(filled);
    this.sink.window({
      asset: state.asset,
      startIndex: start,
      startMs: start * this.periodMs,
      endMs: (start + length) * this.periodMs,
      raw,
    });
  }
}
