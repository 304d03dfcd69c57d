/**
 * The comparison of a candidate (shadow) model with the serving one on the same windows: the
 * share of windows whose anomaly flags agree and each model's anomaly rate, from the scores the
 * inference runtime publishes on `…/_ml/{model}` and `…/_ml/{model}/shadow`.
 */

/** What the comparison has seen so far. */
export interface ShadowFigures {
  /** Windows scored by both models. */
  readonly windowsCompared: number;
  /** Share of those whose anomaly flags agree (null before the first). */
  readonly agreement: number | null;
  /** Share of those the serving model flags. */
  readonly servingAnomalyRate: number | null;
  /** Share of those the candidate flags. */
  readonly shadowAnomalyRate: number | null;
}

/** Limits a candidate must keep in shadow before it may serve. */
export interface ShadowLimits {
  /** Windows to compare before deciding. */
  readonly minWindows: number;
  /** Lowest share of windows on which both flags agree. */
  readonly minAgreement: number;
  /** How much higher the candidate's anomaly rate may be than the serving model's (absolute). */
  readonly maxAnomalyRateIncrease: number;
}

/** A decision on a candidate in shadow, with its reason in one sentence. */
export type ShadowDecision =
  | { readonly decision: 'wait'; readonly reason: string }
  | { readonly decision: 'promote'; readonly reason: string }
  | { readonly decision: 'reject'; readonly reason: string };

const percent = (share: number) => `${(share * 100).toFixed(1)} %`;

/** Decides on a candidate from its figures: wait for enough windows, then promote or reject. */
export function decideShadow(figures: ShadowFigures, limits: ShadowLimits): ShadowDecision {
  const { windowsCompared, agreement, servingAnomalyRate, shadowAnomalyRate } = figures;
  if (
    windowsCompared < limits.minWindows ||
    agreement === null ||
    servingAnomalyRate === null ||
    shadowAnomalyRate === null
  ) {
    return {
      decision: 'wait',
      reason: `${String(windowsCompared)} of ${String(limits.minWindows)} windows compared`,
    };
  }
  if (shadowAnomalyRate > servingAnomalyRate + limits.maxAnomalyRateIncrease) {
    return {
      decision: 'reject',
      reason: `the candidate flags ${percent(shadowAnomalyRate)} of ${String(windowsCompared)} windows, the serving model ${percent(servingAnomalyRate)}: more than ${percent(limits.maxAnomalyRateIncrease)} higher`,
    };
  }
  if (agreement < limits.minAgreement) {
    return {
      decision: 'reject',
      reason: `the flags agree on ${percent(agreement)} of ${String(windowsCompared)} windows, below ${percent(limits.minAgreement)}`,
    };
  }
  return {
    decision: 'promote',
    reason: `the flags agree on ${percent(agreement)} of ${String(windowsCompared)} windows; the candidate flags ${percent(shadowAnomalyRate)}, the serving model ${percent(servingAnomalyRate)}`,
  };
}

interface PendingWindow {
  serving?: boolean;
  shadow?: boolean;
}

/** Most windows waiting for their other score; older ones are dropped (their pair never came). */
const MAX_PENDING = 10_000;

/** Pairs the serving and shadow scores of the same windows of a candidate version. */
export class ShadowComparison {
  private readonly pending = new Map<string, PendingWindow>();
  private compared = 0;
  private agreeing = 0;
  private servingFlags = 0;
  private shadowFlags = 0;

  /** Compares the scores of candidate `candidateVersion` only. */
  constructor(readonly candidateVersion: string) {}

  /**
   * Takes one published score (contract `AnomalyScore`) of `asset`; shadow scores of another
   * version than the candidate's are ignored.
   */
  take(
    asset: string,
    score: { windowStart: string; anomaly: boolean; modelVersion: string; shadow?: boolean },
  ): void {
    const role = score.shadow === true ? 'shadow' : 'serving';
    if (role === 'shadow' && score.modelVersion !== this.candidateVersion) return;
    const key = `${asset}|${score.windowStart}`;
    const entry = this.pending.get(key) ?? {};
    entry[role] = score.anomaly;
    if (entry.serving === undefined || entry.shadow === undefined) {
      this.pending.set(key, entry);
      if (this.pending.size > MAX_PENDING) {
        const oldest = this.pending.keys().next().value;
        if (oldest !== undefined) this.pending.delete(oldest);
      }
      return;
    }
    this.pending.delete(key);
    this.compared += 1;
    if (entry.serving === entry.shadow) this.agreeing += 1;
    if (entry.serving) this.servingFlags += 1;
    if (entry.shadow) this.shadowFlags += 1;
  }

  /** The figures so far. */
  figures(): ShadowFigures {
    const share = (n: number) => (this.compared === 0 ? null : n / this.compared);
    return {
      windowsCompared: this.compared,
      agreement: share(this.agreeing),
      servingAnomalyRate: share(this.servingFlags),
      shadowAnomalyRate: share(this.shadowFlags),
    };
  }
}
