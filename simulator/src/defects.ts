import type { Random } from './random';

/** The defect classes the simulator can inject. */
export const DEFECT_CLASSES = [
  'gas_loss',
  'burn_through',
  'lack_of_fusion',
  'wire_stubbing',
  'arc_instability',
] as const;

/** One defect class. */
export type DefectClass = (typeof DEFECT_CLASSES)[number];

/** The label of one sample: `normal` or the defect class active at that sample. */
export type SampleLabel = 'normal' | DefectClass;

/** A labelled defect episode: a defect active on one cell between two sample indices. */
export interface DefectEpisode {
  readonly id: string;
  readonly defect: DefectClass;
  /** Id of the seam the episode belongs to. */
  readonly seamId: string;
  /** First affected sample (cell-local sample index, inclusive). */
  readonly startSample: number;
  /** Sample after the last affected one (exclusive). */
  readonly endSample: number;
  /** Severity in [0.6, 1]: scales how strongly the signals are changed. */
  readonly severity: number;
}

/**
 * How a defect changes the process; the GMAW model applies these on top of its nominal values.
 * Neutral modifiers are {@link NO_EFFECT}.
 */
export interface DefectEffect {
  /** Multiplies the gas-flow setpoint. */
  readonly gasFactor: number;
  /** Added to the arcing current, A. */
  readonly currentOffset: number;
  /** Multiplies the arcing current. */
  readonly currentFactor: number;
  /** Added to the arcing voltage, V. */
  readonly voltageOffset: number;
  /** Multiplies the noise of voltage and current. */
  readonly noiseFactor: number;
  /** Multiplies the short-circuit rate. */
  readonly shortRateFactor: number;
  /** Multiplies the mean short-circuit duration. */
  readonly shortDurationFactor: number;
  /** Amplitude of a 4 Hz wire-feed oscillation, m/min. */
  readonly wireOscillation: number;
  /** Multiplies the wire-feed setpoint. */
  readonly wireFactor: number;
}

/** The modifiers of a defect-free sample. */
export const NO_EFFECT: DefectEffect = {
  gasFactor: 1,
  currentOffset: 0,
  currentFactor: 1,
  voltageOffset: 0,
  noiseFactor: 1,
  shortRateFactor: 1,
  shortDurationFactor: 1,
  wireOscillation: 0,
  wireFactor: 1,
};

/**
 * The signature of each defect class at full severity:
 * - gas_loss (porosity): gas flow falls to 0-4 l/min, the arc gets unstable;
 * - burn_through: current surge, voltage drop;
 * - lack_of_fusion: low current and wire feed, i.e. low heat input;
 * - wire_stubbing: frequent, long short circuits and an oscillating wire feed;
 * - arc_instability (spatter): high variance of voltage and current.
 */
export function defectEffect(defect: DefectClass, severity: number): DefectEffect {
  const s = severity;
  switch (defect) {
    case 'gas_loss':
      return { ...NO_EFFECT, gasFactor: 0.15 * (1 - s) + 0.1, noiseFactor: 1 + 1.5 * s };
    case 'burn_through':
      return { ...NO_EFFECT, currentOffset: 110 * s, voltageOffset: -4 * s };
    case 'lack_of_fusion':
      return {
        ...NO_EFFECT,
        currentFactor: 1 - 0.4 * s,
        wireFactor: 1 - 0.3 * s,
        voltageOffset: -1.5 * s,
      };
    case 'wire_stubbing':
      return {
        ...NO_EFFECT,
        shortRateFactor: 1 + 1.2 * s,
        shortDurationFactor: 1 + 3 * s,
        wireOscillation: 2.5 * s,
      };
    case 'arc_instability':
      return { ...NO_EFFECT, noiseFactor: 1 + 4 * s, shortDurationFactor: 1 + 0.5 * s };
  }
}

/**
 * Decides, per seam, whether a defect episode occurs: with probability `rate` a seam gets one
 * episode of a uniformly chosen class, covering 30-70 % of the seam at a random offset.
 */
export function planEpisode(
  random: Random,
  rate: number,
  seamId: string,
  seamStart: number,
  seamSamples: number,
): DefectEpisode | undefined {
  if (!random.chance(rate)) return undefined;
  const defect = random.pick(DEFECT_CLASSES);
  const length = Math.max(1, Math.round(seamSamples * random.uniform(0.3, 0.7)));
  const offset = Math.floor(random.uniform(0, seamSamples - length));
  const startSample = seamStart + offset;
  return {
    id: `${seamId}-${defect}`,
    defect,
    seamId,
    startSample,
    endSample: startSample + length,
    severity: random.uniform(0.6, 1),
  };
}
