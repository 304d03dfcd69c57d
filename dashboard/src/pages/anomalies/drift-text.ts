/** How the Model drift table words an asset's drift (pure, so tests can pin it). */
import type { AssetDrift, BaselineUse } from '../../api/types';
import { formatCount } from '../../format';

/** The levels of an asset path, in the order a baseline entry's series is written. */
const LEVELS = ['enterprise', 'site', 'area', 'line', 'cell', 'asset'] as const;

/**
 * The baseline an asset is judged against: `pooled`, `asset (site=zwickau, cell=cell-1)` (the
 * bundle's entry for its series), or both parts when the channels and the score differ (an entry
 * without a score histogram: `channels: asset (…); score: pooled`).
 */
export function baselineText({ channels, score, series }: BaselineUse): string {
  const named = (use: BaselineUse['channels']) =>
    use === 'pooled' || series === null
      ? 'pooled'
      : `asset (${LEVELS.filter((level) => series[level] !== undefined)
          .map((level) => `${level}=${String(series[level])}`)
          .join(', ')})`;
  return channels === score
    ? named(channels)
    : `channels: ${named(channels)}; score: ${named(score)}`;
}

/**
 * The observations the window held: `99,904 per channel · 1,561 scores`, a range when the
 * channels differ (values that were missing are not counted), no scores when too few to judge.
 */
export function samplesText({ channels, score }: Pick<AssetDrift, 'channels' | 'score'>): string {
  const counts = channels.map((channel) => channel.samples);
  const fewest = Math.min(...counts);
  const most = Math.max(...counts);
  const perChannel =
    fewest === most
      ? `${formatCount(fewest)} per channel`
      : `${formatCount(fewest)}–${formatCount(most)} per channel`;
  return score === undefined ? perChannel : `${perChannel} · ${formatCount(score.samples)} scores`;
}
