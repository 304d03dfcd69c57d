import { NO_EFFECT, type DefectEffect } from './defects';

/** The process drifts the simulator can play: slow changes that are not defects. */
export const DRIFT_KINDS = ['contact-tip-wear', 'wire-batch'] as const;

/** One drift kind. */
export type DriftKind = (typeof DRIFT_KINDS)[number];

/**
 * A drift of every simulated cell: from `startSeconds` after the first sample it grows linearly to
 * full strength over `rampSeconds`, then stays. The samples stay labelled `normal`: the welds are
 * still good, only the process has moved away from what a model was trained on.
 * - `contact-tip-wear`: a worn tip (0.6 units of wear at full strength, what the default
 *   `wearPerArcSecond` accumulates in 300 s of arc-on time): arc voltage +1.2 V, 2.8× the voltage
 *   and current noise, tip +90 °C;
 * - `wire-batch`: a new wire batch with another diameter tolerance and surface: wire feed +12 %,
 *   arcing current -10 %, arc voltage -0.8 V, 1.5× the short-circuit rate.
 */
export interface SimulatedDrift {
  readonly kind: DriftKind;
  /** Seconds from the first sample until the drift begins (>= 0). */
  readonly startSeconds: number;
  /** Seconds from the beginning of the drift to its full strength (>= 0; 0 = a step). */
  readonly rampSeconds: number;
}

/** What a drift changes at one moment: extra tip wear and modifiers like a defect's. */
export interface DriftState {
  /** Contact-tip wear added to the cell's own. */
  readonly extraWear: number;
  readonly effect: DefectEffect;
}

const NO_DRIFT: DriftState = { extraWear: 0, effect: NO_EFFECT };

/** Throws when `drift` is not a valid {@link SimulatedDrift}. */
export function checkDrift(drift: SimulatedDrift): void {
  if (!DRIFT_KINDS.includes(drift.kind)) {
    throw new Error(`drift kind must be one of ${DRIFT_KINDS.join(', ')}, got '${drift.kind}'`);
  }
  for (const key of ['startSeconds', 'rampSeconds'] as const) {
    if (!(Number.isFinite(drift[key]) && drift[key] >= 0)) {
      throw new Error(`drift ${key} must be a number >= 0, got ${drift[key]}`);
    }
  }
}

/** The drift `seconds` after the first sample. */
export function driftAt(drift: SimulatedDrift | undefined, seconds: number): DriftState {
  if (drift === undefined || seconds < drift.startSeconds) return NO_DRIFT;
  const elapsed = seconds - drift.startSeconds;
  const strength = drift.rampSeconds === 0 ? 1 : Math.min(1, elapsed / drift.rampSeconds);
  if (drift.kind === 'contact-tip-wear') return { extraWear: 0.6 * strength, effect: NO_EFFECT };
  return {
    extraWear: 0,
    effect: {
      ...NO_EFFECT,
      wireFactor: 1 + 0.12 * strength,
      currentFactor: 1 - 0.1 * strength,
      voltageOffset: -0.8 * strength,
      shortRateFactor: 1 + 0.5 * strength,
    },
  };
}

/** A defect's modifiers on top of a drift's: factors multiply, offsets add. */
export function combineEffects(defect: DefectEffect, drift: DefectEffect): DefectEffect {
  return {
    gasFactor: defect.gasFactor * drift.gasFactor,
    currentOffset: defect.currentOffset + drift.currentOffset,
    currentFactor: defect.currentFactor * drift.currentFactor,
    voltageOffset: defect.voltageOffset + drift.voltageOffset,
    noiseFactor: defect.noiseFactor * drift.noiseFactor,
    shortRateFactor: defect.shortRateFactor * drift.shortRateFactor,
    shortDurationFactor: defect.shortDurationFactor * drift.shortDurationFactor,
    wireOscillation: defect.wireOscillation + drift.wireOscillation,
    wireFactor: defect.wireFactor * drift.wireFactor,
  };
}
