/** How the Model history section words the local plant's model loop (pure, so tests can pin it). */
import type { ModelHistoryEntry, ModelLoopPhase } from '../../api/types';
import { formatCount, formatShare } from '../../format';

const PHASES: Readonly<Record<ModelLoopPhase, string>> = {
  watching: 'watching the drift statistics',
  recording: 'recording recent telemetry to retrain on',
  training: 'training a candidate',
  shadow: 'comparing the candidate in shadow with the serving model',
  cooldown: 'cooling down after a decision',
};

/** What the loop does in `phase`, in a few words. */
export function phaseText(phase: ModelLoopPhase): string {
  return PHASES[phase];
}

/** Names of the figures the loop records, where its own key reads poorly. */
const FIGURE_NAMES: Readonly<Record<string, string>> = {
  windowsCompared: 'windows compared',
  servingAnomalyRate: 'serving anomaly rate',
  shadowAnomalyRate: 'candidate anomaly rate',
  labelledWindows: 'inspected windows',
  servingErrorRate: 'serving error rate',
  shadowErrorRate: 'candidate error rate',
  rocAuc: 'ROC-AUC',
  f1: 'F1',
};

/** Figures that are shares from 0 to 1. */
const SHARES: ReadonlySet<string> = new Set([
  'agreement',
  'servingAnomalyRate',
  'shadowAnomalyRate',
  'servingErrorRate',
  'shadowErrorRate',
]);

/**
 * The figures of a history entry as `name value` texts in their recorded order: shares as
 * percentages, whole numbers as counts, other numbers with three decimals, `null` as `n/a`; none
 * when the entry has no figures.
 */
export function figureTexts(figures: ModelHistoryEntry['figures']): string[] {
  return Object.entries(figures ?? {}).map(
    ([name, value]) => `${FIGURE_NAMES[name] ?? name} ${figureValue(name, value)}`,
  );
}

function figureValue(name: string, value: number | string | null): string {
  if (value === null) return 'n/a';
  if (typeof value === 'string') return value;
  if (SHARES.has(name)) return formatShare(value);
  return Number.isInteger(value) ? formatCount(value) : value.toFixed(3);
}
