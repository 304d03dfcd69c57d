import {
  TelemetryTableWriter,
  type CellAddress,
  type DatasetFile,
} from '@uns-mlops/welding-simulator';
import { SeamLabels, UNINSPECTED } from './seam-labels';
import type { WindowLabel } from './shadow-comparison';

/** One telemetry block as received (contract `TelemetryBlock`). */
interface TelemetryBlock {
  readonly t0: string;
  readonly dtMs: number;
  readonly unit: string;
  readonly values: readonly number[];
  readonly quality: string;
}

interface RecordedBlock {
  readonly address: CellAddress;
  readonly channel: string;
  readonly t0Ms: number;
  readonly block: TelemetryBlock;
}

/** What a recording wrote. */
export interface Recording {
  readonly files: DatasetFile[];
  readonly rows: number;
  readonly rowsByLabel: Record<string, number>;
}

const FORGET_STEP_MS = 10_000;

const ISA95_LEVELS = ['enterprise', 'site', 'area', 'line', 'cell', 'asset'] as const;

function addressOf(topic: string): CellAddress | undefined {
  const [enterprise, site, area, line, cell, asset, kind] = topic.split('/');
  if (kind === undefined) return undefined;
  return { enterprise, site, area, line, cell, asset } as CellAddress;
}

function assetPath(address: CellAddress): string {
  return ISA95_LEVELS.map((level) => address[level]).join('/');
}

function isBlock(value: unknown): value is TelemetryBlock {
  const block = value as Partial<TelemetryBlock> | null;
  return (
    typeof block?.t0 === 'string' &&
    typeof block.dtMs === 'number' &&
    block.dtMs > 0 &&
    typeof block.unit === 'string' &&
    typeof block.quality === 'string' &&
    Array.isArray(block.values) &&
    !Number.isNaN(Date.parse(block.t0))
  );
}

/**
 * Keeps what the plant published on the UNS and its validator found valid, for a retraining: the
 * telemetry of the model's channels over the last `horizonMs`, the seam inspections and the asset
 * states. {@link write} turns the telemetry of a time range into a labelled dataset in the
 * Lakehouse's long layout, labelled by the inspections ({@link SeamLabels}), which
 * `npm run ml -- train` reads: the same data the cloud's curation gives the SageMaker pipeline.
 */
export class UnsRecorder {
  private readonly blocks: RecordedBlock[] = [];
  private readonly labels = new SeamLabels();
  private readonly channels: ReadonlySet<string>;

  constructor(
    channels: readonly string[],
    private readonly horizonMs: number,
  ) {
    this.channels = new Set(channels);
  }

  /** Time of the newest telemetry sample recorded, ms since the epoch (0 before the first). */
  get latestSampleMs(): number {
    const last = this.blocks.at(-1);
    return last === undefined ? 0 : last.t0Ms + last.block.dtMs * last.block.values.length;
  }

  /**
   * Writes the telemetry sampled in [fromMs, toMs) as a labelled dataset below `outDir` (Parquet,
   * `site=<site>/dt=<day>/`).
   */
  write(outDir: string, fromMs: number, toMs: number): Recording {
    const writer = new TelemetryTableWriter();
    for (const { address, channel, t0Ms, block } of this.blocks) {
      const asset = assetPath(address);
      block.values.forEach((value, i) => {
        const timeMs = t0Ms + i * block.dtMs;
        if (timeMs < fromMs || timeMs >= toMs) return;
        writer.add({
          address,
          channel,
          unit: block.unit,
          timeMs,
          value,
          quality: block.quality,
          label: this.labels.label(asset, timeMs).label,
        });
      });
    }
    const files = writer.write(outDir, ['parquet']);
    return { files, rows: writer.rows, rowsByLabel: writer.rowsByLabel };
  }

  /**
   * The label of the window of `asset` over [startMs, endMs] from the inspections so far: a defect
   * when either end lies in a failed seam, `uninspected` when either end lies in a seam without
   * a verdict yet, else `normal` (windows are far shorter than seams, so their ends tell).
   */
  windowLabel(asset: string, startMs: number, endMs: number): WindowLabel {
    const labels = [startMs, endMs].map((timeMs) => this.labels.label(asset, timeMs).label);
    if (labels.some((label) => label !== 'normal' && label !== UNINSPECTED)) return 'defect';
    return labels.includes(UNINSPECTED) ? 'uninspected' : 'normal';
  }

  /** Takes one message the validator found valid; ignores what the recording does not need. */
  take(topic: string, payload: Uint8Array): void {
    const address = addressOf(topic);
    if (address === undefined) return;
    const kind = topic.split('/')[6];
    if (kind !== 'telemetry' && kind !== 'inspection' && kind !== 'state') return;
    let message: unknown;
    try {
      message = JSON.parse(Buffer.from(payload).toString('utf8'));
    } catch {
      return;
    }
    const record = message as Record<string, unknown>;
    if (kind === 'telemetry') {
      const channel = topic.split('/')[7] ?? '';
      if (!this.channels.has(channel) || !isBlock(message)) return;
      const t0Ms = Date.parse(message.t0);
      this.blocks.push({ address, channel, t0Ms, block: message });
      this.forgetBefore(t0Ms - this.horizonMs);
    } else if (kind === 'inspection') {
      const startMs = Date.parse(String(record.seamStart));
      const endMs = Date.parse(String(record.seamEnd));
      if (typeof record.seamId !== 'string' || Number.isNaN(startMs) || Number.isNaN(endMs)) return;
      this.labels.addVerdict(assetPath(address), {
        seamId: record.seamId,
        startMs,
        endMs,
        verdict: record.verdict === 'fail' ? 'fail' : 'pass',
        defectClass: typeof record.defectClass === 'string' ? record.defectClass : undefined,
      });
    } else {
      const timeMs = Date.parse(String(record.ts));
      if (Number.isNaN(timeMs) || typeof record.state !== 'string') return;
      this.labels.addState(
        assetPath(address),
        timeMs,
        record.state,
        typeof record.seamId === 'string' ? record.seamId : undefined,
      );
    }
  }

  /** Forgets the blocks older than `timeMs`, in steps of 10 s so that a message costs O(1). */
  private forgetBefore(timeMs: number): void {
    const first = this.blocks[0];
    if (first === undefined || first.t0Ms >= timeMs - FORGET_STEP_MS) return;
    const keepFrom = this.blocks.findIndex((b) => b.t0Ms >= timeMs);
    this.blocks.splice(0, keepFrom === -1 ? this.blocks.length : keepFrom);
    this.labels.forgetBefore(timeMs);
  }
}
