import {
  defectEffect,
  NO_EFFECT,
  planEpisode,
  type DefectEffect,
  type DefectEpisode,
  type SampleLabel,
} from './defects';
import { checkDrift, combineEffects, driftAt, type SimulatedDrift } from './drift';
import { Random } from './random';
import { clampSignal, type SignalName } from './signals';

/** Operating phase of a cell. */
export type CellPhase = 'idle' | 'preflow' | 'welding' | 'postflow';

/** One sample of all signals of a cell. */
export interface CellSample {
  readonly index: number;
  readonly phase: CellPhase;
  readonly label: SampleLabel;
  /** Id of the current seam while welding (and in pre/post flow), else undefined. */
  readonly seamId: string | undefined;
  readonly values: Readonly<Record<SignalName, number>>;
}

/** Tunables of the GMAW model; all have plausible defaults. */
export interface GmawModelOptions {
  /** Sample rate in Hz (default 1000). */
  readonly sampleRateHz?: number;
  /** Probability that a seam contains a defect episode (default 0.1). */
  readonly defectRate?: number;
  /** Seam (arc-on) duration range in seconds (default [2, 4]). */
  readonly seamSeconds?: readonly [number, number];
  /** Idle time between seams in seconds (default [0.6, 1.2]). */
  readonly idleSeconds?: readonly [number, number];
  /** Contact-tip wear added per arc-on second (default 0.002; voltage +2 V per unit of wear). */
  readonly wearPerArcSecond?: number;
  /** Prefix of seam ids (default `seam`). */
  readonly seamPrefix?: string;
  /** A process drift to play (default none). */
  readonly drift?: SimulatedDrift;
}

const PREFLOW_S = 0.2;
const POSTFLOW_S = 0.3;
const AMBIENT_C = 25;

/**
 * A sample-by-sample model of one GMAW cell in short-circuit transfer:
 * - welding: arcing at ~18-22 V and ~150-220 A, interrupted 50-200 times a second by short
 *   circuits (voltage 2-5 V, current rising at ~40 A/ms), wire feed ~6-10 m/min, gas ~12-18 l/min,
 *   travel ~40-60 cm/min, contact tip heating towards ~300-400 °C;
 * - between seams: current, voltage, wire and travel 0; gas off except pre/post flow;
 * - slow drift: contact-tip wear raises the voltage and the instability with arc-on time; an
 *   optional {@link SimulatedDrift} (a worn tip, a new wire batch) moves the process further;
 * - defect episodes (see `defects.ts`) planned per seam and labelled per sample.
 * All values are clamped into the contract ranges.
 */
export class GmawCellModel {
  /** Sample rate in Hz. */
  readonly sampleRateHz: number;
  private readonly random: Random;
  private readonly defectRate: number;
  private readonly seamSeconds: readonly [number, number];
  private readonly idleSeconds: readonly [number, number];
  private readonly wearPerArcSecond: number;
  private readonly seamPrefix: string;
  private readonly drift: SimulatedDrift | undefined;
  private readonly dt: number;
  // per-cell setpoints
  private readonly currentSet: number;
  private readonly voltageSet: number;
  private readonly wireSet: number;
  private readonly gasSet: number;
  private readonly travelSet: number;
  private readonly shortRateHz: number;
  // state
  private index = 0;
  private phase: CellPhase = 'idle';
  private phaseEnd: number;
  private seamCount = 0;
  private seamId: string | undefined;
  private seamLength = 0;
  private episode: DefectEpisode | undefined;
  private readonly episodes: DefectEpisode[] = [];
  private wear = 0;
  private gas = 0;
  private current = 0;
  private tipTemp = AMBIENT_C;
  private inShort = false;
  private shortRemaining = 0;
  private untilShort = 0;

  /** Creates the model of one cell; `seed` fixes every draw. */
  constructor(seed: number, options: GmawModelOptions = {}) {
    this.random = new Random(seed);
    this.sampleRateHz = options.sampleRateHz ?? 1000;
    if (!(this.sampleRateHz > 0)) throw new Error('sampleRateHz must be > 0');
    this.dt = 1 / this.sampleRateHz;
    this.defectRate = options.defectRate ?? 0.1;
    this.seamSeconds = options.seamSeconds ?? [2, 4];
    this.idleSeconds = options.idleSeconds ?? [0.6, 1.2];
    this.wearPerArcSecond = options.wearPerArcSecond ?? 0.002;
    this.seamPrefix = options.seamPrefix ?? 'seam';
    if (options.drift !== undefined) checkDrift(options.drift);
    this.drift = options.drift;
    const r = this.random;
    this.currentSet = r.uniform(150, 175);
    this.voltageSet = r.uniform(19, 21);
    this.wireSet = r.uniform(7, 9);
    this.gasSet = r.uniform(13.5, 16.5);
    this.travelSet = r.uniform(45, 55);
    this.shortRateHz = r.uniform(70, 130);
    this.phaseEnd = this.seconds(r.uniform(0.1, 0.5));
  }

  /** The defect episodes planned so far (including the current one). */
  get plannedEpisodes(): readonly DefectEpisode[] {
    return this.episodes;
  }

  /** Number of seams started so far. */
  get seams(): number {
    return this.seamCount;
  }

  /** Current contact-tip wear (0 = new tip). */
  get tipWear(): number {
    return this.wear;
  }

  /** Produces the next sample. */
  step(): CellSample {
    this.advancePhase();
    const i = this.index;
    const active =
      this.episode !== undefined && i >= this.episode.startSample && i < this.episode.endSample
        ? this.episode
        : undefined;
    const defect = active === undefined ? NO_EFFECT : defectEffect(active.defect, active.severity);
    const drift = driftAt(this.drift, i * this.dt);
    const effect = combineEffects(defect, drift.effect);
    const values =
      this.phase === 'welding' ? this.weld(effect, drift.extraWear) : this.rest(effect);
    const sample: CellSample = {
      index: i,
      phase: this.phase,
      label: active === undefined ? 'normal' : active.defect,
      seamId: this.phase === 'idle' ? undefined : this.seamId,
      values,
    };
    this.index += 1;
    return sample;
  }

  private seconds(s: number): number {
    return Math.max(1, Math.round(s * this.sampleRateHz));
  }

  private advancePhase(): void {
    while (this.index >= this.phaseEnd) {
      const r = this.random;
      switch (this.phase) {
        case 'idle':
          this.seamCount += 1;
          this.seamId = `${this.seamPrefix}-${String(this.seamCount).padStart(5, '0')}`;
          this.phase = 'preflow';
          this.phaseEnd = this.index + this.seconds(PREFLOW_S);
          break;
        case 'preflow': {
          this.phase = 'welding';
          this.seamLength = this.seconds(r.uniform(this.seamSeconds[0], this.seamSeconds[1]));
          this.phaseEnd = this.index + this.seamLength;
          this.untilShort = r.exponential(1 / this.shortRateHz);
          this.episode = planEpisode(
            r,
            this.defectRate,
            this.seamId ?? 'seam',
            this.index,
            this.seamLength,
          );
          if (this.episode !== undefined) this.episodes.push(this.episode);
          break;
        }
        case 'welding':
          this.phase = 'postflow';
          this.phaseEnd = this.index + this.seconds(POSTFLOW_S);
          this.inShort = false;
          break;
        case 'postflow':
          this.phase = 'idle';
          this.episode = undefined;
          this.phaseEnd =
            this.index + this.seconds(r.uniform(this.idleSeconds[0], this.idleSeconds[1]));
          break;
      }
    }
  }

  private weld(effect: DefectEffect, extraWear: number): Record<SignalName, number> {
    const r = this.random;
    const dt = this.dt;
    this.wear += this.wearPerArcSecond * dt;
    const wear = this.wear + extraWear;
    const instability = 1 + 3 * wear;
    const noise = effect.noiseFactor * instability;

    // short-circuit transfer: alternate arcing and shorts
    if (this.inShort) {
      this.shortRemaining -= dt;
      if (this.shortRemaining <= 0) {
        this.inShort = false;
        this.untilShort = r.exponential(1 / (this.shortRateHz * effect.shortRateFactor));
      }
    } else {
      this.untilShort -= dt;
      if (this.untilShort <= 0) {
        this.inShort = true;
        const meanShort = 0.0025 * effect.shortDurationFactor;
        this.shortRemaining = Math.max(dt, meanShort * r.uniform(0.6, 1.4));
      }
    }

    const arcCurrent = this.currentSet * effect.currentFactor + effect.currentOffset;
    let voltage: number;
    if (this.inShort) {
      // current rises at ~60 A/ms during the short, voltage collapses to 2-5 V
      this.current = Math.min(this.current + 40_000 * dt, arcCurrent + 150);
      voltage = r.uniform(2, 5) + r.gaussian(0, 0.3);
    } else {
      // after re-ignition the current decays back towards the arcing level (tau ~1.5 ms)
      this.current += (arcCurrent - this.current) * (1 - Math.exp(-dt / 0.0015));
      voltage = this.voltageSet + 2 * wear + effect.voltageOffset + r.gaussian(0, 0.5 * noise);
    }
    const current = this.current + r.gaussian(0, 4 * noise);

    const phaseT = this.index * dt;
    const wire =
      this.wireSet * effect.wireFactor +
      effect.wireOscillation * Math.sin(2 * Math.PI * 4 * phaseT) +
      r.gaussian(0, 0.05);
    this.gas += (this.gasSet * effect.gasFactor - this.gas) * (1 - Math.exp(-dt / 0.15));
    const gas = this.gas + r.gaussian(0, 0.15);
    const travel = this.travelSet + r.gaussian(0, 0.4);
    const tipTarget = 330 + 150 * wear + (current - 180) * 0.6;
    this.tipTemp += (tipTarget - this.tipTemp) * (1 - Math.exp(-dt / 4));

    return {
      arc_current: clampSignal('arc_current', current),
      arc_voltage: clampSignal('arc_voltage', voltage),
      wire_feed_speed: clampSignal('wire_feed_speed', wire),
      gas_flow: clampSignal('gas_flow', gas),
      travel_speed: clampSignal('travel_speed', travel),
      contact_tip_temperature: clampSignal(
        'contact_tip_temperature',
        this.tipTemp + r.gaussian(0, 0.3),
      ),
    };
  }

  private rest(effect: DefectEffect): Record<SignalName, number> {
    const r = this.random;
    const dt = this.dt;
    const gasTarget = this.phase === 'idle' ? 0 : this.gasSet * effect.gasFactor;
    this.gas += (gasTarget - this.gas) * (1 - Math.exp(-dt / 0.08));
    this.current = 0;
    this.tipTemp += (AMBIENT_C - this.tipTemp) * (1 - Math.exp(-dt / 20));
    return {
      arc_current: clampSignal('arc_current', Math.abs(r.gaussian(0, 0.2))),
      arc_voltage: clampSignal('arc_voltage', Math.abs(r.gaussian(0, 0.05))),
      wire_feed_speed: 0,
      gas_flow: clampSignal('gas_flow', this.gas + (this.gas > 0.5 ? r.gaussian(0, 0.1) : 0)),
      travel_speed: 0,
      contact_tip_temperature: clampSignal(
        'contact_tip_temperature',
        this.tipTemp + r.gaussian(0, 0.3),
      ),
    };
  }
}
