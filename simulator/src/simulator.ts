import type { DefectEpisode, SampleLabel } from './defects';
import { GmawCellModel, type CellPhase, type GmawModelOptions } from './gmaw-model';
import { hashSeed } from './random';
import { SIGNAL_SPECS, SIGNALS, type SignalName } from './signals';

/** The ISA-95 address of one welding asset. */
export interface CellAddress {
  readonly enterprise: string;
  readonly site: string;
  readonly area: string;
  readonly line: string;
  readonly cell: string;
  readonly asset: string;
}

/** Options of {@link WeldingCellSimulator}. */
export interface SimulatorOptions extends Omit<GmawModelOptions, 'sampleRateHz' | 'defectRate'> {
  /** Seed of every random draw. */
  readonly seed: number;
  /** The simulated assets. */
  readonly cells: readonly CellAddress[];
  /** Sample rate in Hz (default 1000). */
  readonly sampleRateHz?: number;
  /** Block length in ms (default 100; at most 5000 samples per block). */
  readonly blockMs?: number;
  /** Probability that a seam contains a defect episode (default 0.1). */
  readonly defectRate?: number;
  /** Time of the first sample (default 2025-01-01T00:00:00Z). */
  readonly start?: Date | string | number;
  /** The inspecting station named in the seam inspections (default `qa-vision-1`). */
  readonly inspectionStation?: string;
  /** Time from the end of a seam to its inspection verdict, ms (default 2000). */
  readonly inspectionDelayMs?: number;
}

/** A telemetry payload as defined by the contract's `TelemetryBlock`. */
export interface TelemetryPayload {
  t0: string;
  dtMs: number;
  unit: string;
  values: number[];
  quality: 'good' | 'uncertain' | 'bad';
  seq: number;
}

/** One block of one signal of one cell, with its ground truth. */
export interface SimulatedBlock {
  /** UNS topic `{enterprise}/{site}/{area}/{line}/{cell}/{asset}/telemetry/{signal}`. */
  readonly topic: string;
  readonly address: CellAddress;
  readonly signal: SignalName;
  readonly payload: TelemetryPayload;
  /** Time of the first sample, ms since the epoch. */
  readonly t0Ms: number;
  /** Per-sample label (`normal` or the defect class), same length as `payload.values`. */
  readonly labels: SampleLabel[];
  /** Per-sample operating phase. */
  readonly phases: CellPhase[];
  /** Defect episodes overlapping this block. */
  readonly episodes: DefectEpisode[];
}

/** An asset-state message (contract channel `state`), emitted on every change. */
export interface SimulatedState {
  /** UNS topic `{enterprise}/{site}/{area}/{line}/{cell}/{asset}/state`. */
  readonly topic: string;
  readonly address: CellAddress;
  readonly payload: { ts: string; state: 'idle' | 'welding'; seamId?: string; program?: string };
}

/** A seam inspection (contract channel `inspection`): the verdict on one seam, once per seam. */
export interface SimulatedInspection {
  /** UNS topic `{enterprise}/{site}/{area}/{line}/{cell}/{asset}/inspection`. */
  readonly topic: string;
  readonly address: CellAddress;
  readonly payload: {
    seamId: string;
    seamStart: string;
    seamEnd: string;
    verdict: 'pass' | 'fail';
    defectClass?: string;
    station: string;
    inspectedAt: string;
  };
}

/** A seam being welded or waiting for its verdict. */
interface SeamInProgress {
  readonly seamId: string;
  readonly startMs: number;
  endMs?: number;
}

/** Builds the telemetry topic of a signal of an asset. */
export function telemetryTopic(address: CellAddress, signal: SignalName): string {
  const { enterprise, site, area, line, cell, asset } = address;
  return `${enterprise}/${site}/${area}/${line}/${cell}/${asset}/telemetry/${signal}`;
}

/** `n` default cell addresses `acme/zwickau/body-shop/body-weld-1/cell-0NN/welder-1`. */
export function defaultCells(n: number): CellAddress[] {
  return Array.from({ length: n }, (_, i) => ({
    enterprise: 'acme',
    site: 'zwickau',
    area: 'body-shop',
    line: 'body-weld-1',
    cell: `cell-${String((i + 1) * 10).padStart(3, '0')}`,
    asset: 'welder-1',
  }));
}

/**
 * A deterministic simulator of N GMAW cells: every {@link next} call returns one block per cell
 * per signal (cells in the given order, signals in {@link SIGNALS} order), covering the next
 * `blockMs` of simulated time. Equal options (seed, cells, start, ...) give equal blocks.
 */
export class WeldingCellSimulator {
  /** Sample rate in Hz. */
  readonly sampleRateHz: number;
  /** Samples per block. */
  readonly samplesPerBlock: number;
  /** Sample interval in ms (`dtMs` of every block). */
  readonly dtMs: number;
  /** The simulated cells. */
  readonly cells: readonly CellAddress[];
  private readonly startMs: number;
  private readonly models: GmawCellModel[];
  private blockIndex = 0;
  private readonly lastState: (string | undefined)[];
  private pendingStates: SimulatedState[] = [];
  private readonly inspectionStation: string;
  private readonly inspectionDelayMs: number;
  /** Per cell, the seams ended (or being welded) whose verdicts are not out yet, oldest first. */
  private readonly seamsToInspect: SeamInProgress[][];

  /** Creates the simulator; throws on invalid options. */
  constructor(options: SimulatorOptions) {
    this.sampleRateHz = options.sampleRateHz ?? 1000;
    const blockMs = options.blockMs ?? 100;
    this.samplesPerBlock = Math.round((blockMs * this.sampleRateHz) / 1000);
    if (this.samplesPerBlock < 1 || this.samplesPerBlock > 5000) {
      throw new Error('a block must hold 1-5000 samples (check blockMs and sampleRateHz)');
    }
    if (options.cells.length === 0) throw new Error('at least one cell is required');
    this.dtMs = 1000 / this.sampleRateHz;
    this.cells = options.cells;
    this.startMs = new Date(options.start ?? '2025-01-01T00:00:00Z').getTime();
    if (Number.isNaN(this.startMs)) throw new Error('invalid start time');
    this.lastState = options.cells.map(() => undefined);
    this.inspectionStation = options.inspectionStation ?? 'qa-vision-1';
    this.inspectionDelayMs = options.inspectionDelayMs ?? 2000;
    if (!(this.inspectionDelayMs >= 0)) throw new Error('inspectionDelayMs must be >= 0');
    this.seamsToInspect = options.cells.map(() => []);
    this.models = options.cells.map(
      (address, i) =>
        new GmawCellModel(hashSeed(options.seed, i + 1), {
          ...options,
          sampleRateHz: this.sampleRateHz,
          seamPrefix: `${address.cell}-${address.asset}-seam`,
        }),
    );
  }

  /** Number of blocks (per cell and signal) produced so far. */
  get blocksProduced(): number {
    return this.blockIndex;
  }

  /** Time of the next block's first sample, ms since the epoch. */
  get nextBlockTimeMs(): number {
    return this.startMs + this.blockIndex * this.samplesPerBlock * this.dtMs;
  }

  /**
   * The asset-state changes (`idle` / `welding` with the seam id) of the blocks produced since
   * the last call, oldest first; the first block of each cell always yields its initial state.
   */
  takeStateMessages(): SimulatedState[] {
    const states = this.pendingStates;
    this.pendingStates = [];
    return states;
  }

  /**
   * The verdicts on the seams whose inspection is due by the end of the blocks produced so far,
   * oldest first: `fail` with the defect class when a defect episode hit the seam, else `pass`.
   */
  takeInspectionMessages(): SimulatedInspection[] {
    const now = this.nextBlockTimeMs;
    const inspections: SimulatedInspection[] = [];
    this.seamsToInspect.forEach((seams, c) => {
      const address = this.cells[c];
      const model = this.models[c];
      if (address === undefined || model === undefined) return;
      while (seams[0]?.endMs !== undefined && seams[0].endMs + this.inspectionDelayMs <= now) {
        const seam = seams.shift() as Required<SeamInProgress>;
        const defect = model.plannedEpisodes.find((e) => e.seamId === seam.seamId)?.defect;
        const { enterprise, site, area, line, cell, asset } = address;
        inspections.push({
          topic: `${enterprise}/${site}/${area}/${line}/${cell}/${asset}/inspection`,
          address,
          payload: {
            seamId: seam.seamId,
            seamStart: new Date(seam.startMs).toISOString(),
            seamEnd: new Date(seam.endMs).toISOString(),
            ...(defect === undefined
              ? { verdict: 'pass' }
              : { verdict: 'fail', defectClass: defect }),
            station: this.inspectionStation,
            inspectedAt: new Date(seam.endMs + this.inspectionDelayMs).toISOString(),
          },
        });
      }
    });
    return inspections;
  }

  private trackSeam(c: number, timeMs: number, phase: CellPhase, seamId: string | undefined): void {
    const seams = this.seamsToInspect[c];
    if (seams === undefined) return;
    const current = seams.at(-1);
    const welding = current !== undefined && current.endMs === undefined;
    if (phase === 'welding' && !welding && seamId !== undefined) {
      seams.push({ seamId, startMs: timeMs });
    } else if (phase !== 'welding' && welding) {
      current.endMs = timeMs;
    }
  }

  private trackState(
    c: number,
    address: CellAddress,
    timeMs: number,
    phase: CellPhase,
    seamId: string | undefined,
  ): void {
    const state = phase === 'welding' ? 'welding' : 'idle';
    const key = state === 'welding' ? `welding:${seamId ?? ''}` : 'idle';
    if (this.lastState[c] === key) return;
    this.lastState[c] = key;
    const { enterprise, site, area, line, cell, asset } = address;
    this.pendingStates.push({
      topic: `${enterprise}/${site}/${area}/${line}/${cell}/${asset}/state`,
      address,
      payload: {
        ts: new Date(timeMs).toISOString(),
        state,
        ...(state === 'welding' && seamId !== undefined
          ? { seamId, program: 'gmaw-short-arc' }
          : {}),
      },
    });
  }

  /** The next block of every signal of every cell. */
  next(): SimulatedBlock[] {
    const t0Ms = this.nextBlockTimeMs;
    const t0 = new Date(t0Ms).toISOString();
    const seq = this.blockIndex;
    const firstSample = seq * this.samplesPerBlock;
    const blocks: SimulatedBlock[] = [];
    this.models.forEach((model, c) => {
      const address = this.cells[c];
      if (address === undefined) return;
      const columns = Object.fromEntries(SIGNALS.map((s) => [s, [] as number[]])) as Record<
        SignalName,
        number[]
      >;
      const labels: SampleLabel[] = [];
      const phases: CellPhase[] = [];
      for (let k = 0; k < this.samplesPerBlock; k++) {
        const sample = model.step();
        this.trackState(c, address, t0Ms + k * this.dtMs, sample.phase, sample.seamId);
        this.trackSeam(c, t0Ms + k * this.dtMs, sample.phase, sample.seamId);
        labels.push(sample.label);
        phases.push(sample.phase);
        for (const s of SIGNALS) columns[s].push(sample.values[s]);
      }
      const lastSample = firstSample + this.samplesPerBlock;
      const episodes = model.plannedEpisodes.filter(
        (e) => e.startSample < lastSample && e.endSample > firstSample,
      );
      for (const signal of SIGNALS) {
        blocks.push({
          topic: telemetryTopic(address, signal),
          address,
          signal,
          t0Ms,
          payload: {
            t0,
            dtMs: this.dtMs,
            unit: SIGNAL_SPECS[signal].unit,
            values: columns[signal],
            quality: 'good',
            seq,
          },
          labels,
          phases,
          episodes,
        });
      }
    });
    this.blockIndex += 1;
    return blocks;
  }
}
