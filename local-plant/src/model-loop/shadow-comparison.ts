/**
 * The comparison of a candidate (shadow) model with the serving one on the same windows, from the
 * scores the inference runtime publishes on `…/_ml/{model}` and `…/_ml/{model}/shadow`: the share
 * of windows whose anomaly flags agree, each model's anomaly rate, and, on the windows whose seams
 * the QA station has inspected, each model's error rate against the inspections.
 *
 * Agreement alone cannot judge a candidate trained because the process drifted: the serving model
 * then raises false alarms on good welds, and a candidate that fixes them disagrees with it exactly
 * there. The inspections say which of the two is right.
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
  /** Windows compared whose every sample has a label from the inspections (none uninspected). */
  readonly labelledWindows: number;
  /** Share of the labelled windows the serving model judges wrongly (flag ≠ defect in window). */
  readonly servingErrorRate: number | null;
  /** Share of the labelled windows the candidate judges wrongly. */
  readonly shadowErrorRate: number | null;
}

/** Limits a candidate must keep in shadow before it may serve. */
export interface ShadowLimits {
  /** Labelled windows to compare before deciding. */
  readonly minWindows: number;
  /**
   * Share of windows on which both flags must agree for a candidate that is not more accurate than
   * the serving model; a more accurate one may disagree more (it is right where they differ).
   */
  readonly minAgreement: number;
  /**
   * How much higher the anomaly rate of a candidate that is not more accurate than the serving
   * model may be (absolute).
   */
  readonly maxAnomalyRateIncrease: number;
  /** How much higher the candidate's error rate may be than the serving model's (absolute). */
  readonly maxErrorRateIncrease: number;
}

/** A decision on a candidate in shadow, with its reason in one sentence. */
export type ShadowDecision =
  | { readonly decision: 'wait'; readonly reason: string }
  | { readonly decision: 'promote'; readonly reason: string }
  | { readonly decision: 'reject'; readonly reason: string };

const percent = (share: number) => `${(share * 100).toFixed(1)} %`;

/**
 * Decides on a candidate from its figures: wait for `minWindows` labelled windows; promote a
 * candidate that is wrong on fewer of them than the serving model, whatever it flags (its extra
 * flags are defects the serving model misses); otherwise reject it when it flags more windows or
 * errs more than allowed, promote it when it agrees with the serving model, and reject it when it
 * does not.
 */
export function decideShadow(figures: ShadowFigures, limits: ShadowLimits): ShadowDecision {
  const { windowsCompared, agreement, servingAnomalyRate, shadowAnomalyRate } = figures;
  const { labelledWindows, servingErrorRate, shadowErrorRate } = figures;
  if (
    labelledWindows < limits.minWindows ||
    agreement === null ||
    servingAnomalyRate === null ||
    shadowAnomalyRate === null ||
    servingErrorRate === null ||
    shadowErrorRate === null
  ) {
    return {
      decision: 'wait',
      reason: `${String(labelledWindows)} of ${String(limits.minWindows)} inspected windows compared`,
    };
  }
  const compared = `${String(windowsCompared)} windows`;
  const errors = `wrong on ${percent(shadowErrorRate)} of ${String(labelledWindows)} inspected windows, the serving model on ${percent(servingErrorRate)}`;
  const flags = `the candidate flags ${percent(shadowAnomalyRate)} of ${compared}, the serving model ${percent(servingAnomalyRate)}`;
  if (shadowErrorRate < servingErrorRate) {
    return {
      decision: 'promote',
      reason: `the inspections side with the candidate: it is ${errors}; the flags agree on ${percent(agreement)} of ${compared}`,
    };
  }
  if (shadowAnomalyRate > servingAnomalyRate + limits.maxAnomalyRateIncrease) {
    return {
      decision: 'reject',
      reason: `${flags}: more than ${percent(limits.maxAnomalyRateIncrease)} higher, and it is no more accurate`,
    };
  }
  if (shadowErrorRate > servingErrorRate + limits.maxErrorRateIncrease) {
    return { decision: 'reject', reason: `the candidate is ${errors}` };
  }
  if (agreement >= limits.minAgreement) {
    return {
      decision: 'promote',
      reason: `the flags agree on ${percent(agreement)} of ${compared}; the candidate is ${errors}`,
    };
  }
  return {
    decision: 'reject',
    reason: `the flags agree on ${percent(agreement)} of ${compared}, below ${percent(limits.minAgreement)}, and the candidate is no more accurate: ${errors}`,
  };
}

/** The label of a window from the inspections: a defect, normal, or not known yet. */
export type WindowLabel = 'defect' | 'normal' | 'uninspected';

/** Labels the window of `asset` over [startMs, endMs] (see {@link ShadowComparison.figures}). */
export type WindowLabeller = (asset: string, startMs: number, endMs: number) => WindowLabel;

interface PendingWindow {
  serving?: boolean;
  shadow?: boolean;
}

interface ComparedWindow {
  readonly asset: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly serving: boolean;
  readonly shadow: boolean;
}

/** Most windows waiting for their other score; older ones are dropped (their pair never came). */
const MAX_PENDING = 10_000;
/** Most compared windows waiting for their inspection; older ones are never labelled. */
const MAX_UNLABELLED = 50_000;

/** Pairs the serving and shadow scores of the same windows of a candidate version. */
export class ShadowComparison {
  private readonly pending = new Map<string, PendingWindow>();
  /** Compared windows whose seams have no verdict yet, oldest first. */
  private unlabelled: ComparedWindow[] = [];
  private compared = 0;
  private agreeing = 0;
  private servingFlags = 0;
  private shadowFlags = 0;
  private labelled = 0;
  private servingErrors = 0;
  private shadowErrors = 0;

  /**
   * Compares the scores of candidate `candidateVersion` only; `labelWindow` labels a compared
   * window from the inspections (verdicts come seconds after the seams, so a window is labelled
   * when the figures are taken after its verdict).
   */
  constructor(
    readonly candidateVersion: string,
    private readonly labelWindow: WindowLabeller,
  ) {}

  /**
   * Takes one published score (contract `AnomalyScore`) of `asset`; shadow scores of another
   * version than the candidate's are ignored.
   */
  take(
    asset: string,
    score: {
      windowStart: string;
      windowEnd: string;
      anomaly: boolean;
      modelVersion: string;
      shadow?: boolean;
    },
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
    this.unlabelled.push({
      asset,
      startMs: Date.parse(score.windowStart),
      endMs: Date.parse(score.windowEnd),
      serving: entry.serving,
      shadow: entry.shadow,
    });
    if (this.unlabelled.length > MAX_UNLABELLED) this.unlabelled.shift();
  }

  /** The figures so far, with every window whose inspection has come by now labelled. */
  figures(): ShadowFigures {
    this.unlabelled = this.unlabelled.filter((window) => {
      const label = this.labelWindow(window.asset, window.startMs, window.endMs);
      if (label === 'uninspected') return true;
      this.labelled += 1;
      if (window.serving !== (label === 'defect')) this.servingErrors += 1;
      if (window.shadow !== (label === 'defect')) this.shadowErrors += 1;
      return false;
    });
    const share = (n: number, of: number) => (of === 0 ? null : n / of);
    return {
      windowsCompared: this.compared,
      agreement: share(this.agreeing, this.compared),
      servingAnomalyRate: share(this.servingFlags, this.compared),
      shadowAnomalyRate: share(this.shadowFlags, this.compared),
      labelledWindows: this.labelled,
      servingErrorRate: share(this.servingErrors, this.labelled),
      shadowErrorRate: share(this.shadowErrors, this.labelled),
    };
  }
}
