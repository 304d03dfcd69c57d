import type { ErrorKind, Verdict } from '../verdict';
import { validationTopic } from './validation-topics';

/** Counts of one channel in one interval, as the contract's `validationSummary` payload lists them. */
interface ChannelCounts {
  channel: string;
  valid: number;
  invalid: number;
  byErrorKind: Partial<Record<ErrorKind, number>>;
}

/** A summary message ready to publish. */
export interface SummaryMessage {
  /** The `{site}` of the verdicts it counts. */
  readonly site: string;
  readonly topic: string;
  readonly payload: string;
}

/** Sites tracked per interval; verdicts naming further sites are not summarized (but still stored). */
const MAX_SITES_PER_INTERVAL = 1000;

/**
 * Counts verdicts per site, contract version and channel over one interval, and turns them into
 * the contract's compliance summaries, published to `{enterprise}/{site}/_validation`. Verdicts
 * without a site parameter (unknown topics, Sparkplug) are left to the store and metrics.
 */
export class ComplianceSummaries {
  private intervalStart: number;
  /** site → contract version → channel → counts */
  private sites = new Map<string, Map<string, Map<string, ChannelCounts>>>();
  /** Verdicts not summarized because the interval already had MAX_SITES_PER_INTERVAL sites. */
  skippedVerdicts = 0;

  constructor(now: number = Date.now()) {
    this.intervalStart = now;
  }

  /** Counts `count` messages (default one) judged `verdict`. */
  add(verdict: Verdict, count = 1): void {
    const site = verdict.parameters?.site;
    if (site === undefined) return;
    let versions = this.sites.get(site);
    if (versions === undefined) {
      if (this.sites.size >= MAX_SITES_PER_INTERVAL) {
        this.skippedVerdicts += count;
        return;
      }
      versions = new Map();
      this.sites.set(site, versions);
    }
    const version = verdict.contractVersion ?? 'unknown';
    let channels = versions.get(version);
    if (channels === undefined) {
      channels = new Map();
      versions.set(version, channels);
    }
    const channel = verdict.channel ?? 'unknown';
    let counts = channels.get(channel);
    if (counts === undefined) {
      counts = { channel, valid: 0, invalid: 0, byErrorKind: {} };
      channels.set(channel, counts);
    }
    if (verdict.valid) {
      counts.valid += count;
      return;
    }
    counts.invalid += count;
    const kind = verdict.errors[0]?.kind;
    if (kind !== undefined) counts.byErrorKind[kind] = (counts.byErrorKind[kind] ?? 0) + count;
  }

  /** The summaries of the interval that ends now (one per site and contract version); starts the next. */
  drain(enterprise: string, now: number = Date.now()): SummaryMessage[] {
    const intervalStart = new Date(this.intervalStart).toISOString();
    const intervalEnd = new Date(now).toISOString();
    const messages: SummaryMessage[] = [];
    for (const [site, versions] of this.sites) {
      for (const [contractVersion, channels] of versions) {
        messages.push({
          site,
          topic: validationTopic(enterprise, site),
          payload: JSON.stringify({
            intervalStart,
            intervalEnd,
            contractVersion,
            channels: [...channels.values()],
          }),
        });
      }
    }
    this.sites = new Map();
    this.intervalStart = now;
    return messages;
  }
}
