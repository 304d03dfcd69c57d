/** Bounded recent scores per asset and recent anomaly events, for the dashboard's JSON API. */
import type { AnomalyEvent } from './anomaly-events';

/** A score as the API serves it. */
export interface ScoreItem {
  readonly asset: string;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly score: number;
  readonly threshold: number;
  readonly anomaly: boolean;
  readonly modelVersion: string;
  readonly shadow: boolean;
}

/** An event as the API serves it. */
export interface EventItem {
  readonly asset: string;
  readonly start: string;
  readonly end: string;
  readonly peakScore: number;
  readonly windows: number;
  readonly modelVersion: string;
}

class Ring<T> {
  private readonly items: T[] = [];
  constructor(private readonly capacity: number) {}
  push(item: T): void {
    this.items.push(item);
    if (this.items.length > this.capacity) this.items.shift();
  }
  /** Oldest first. */
  all(): readonly T[] {
    return this.items;
  }
}

/** Recent results, bounded: `scoresPerAsset` per asset, `events` in total. */
export class RecentResults {
  private readonly scores = new Map<string, Ring<{ item: ScoreItem; atMs: number }>>();
  private readonly events: Ring<EventItem>;

  constructor(
    private readonly scoresPerAsset: number,
    events: number,
  ) {
    this.events = new Ring(events);
  }

  addScore(item: ScoreItem, windowStartMs: number): void {
    let ring = this.scores.get(item.asset);
    if (ring === undefined) {
      ring = new Ring(this.scoresPerAsset);
      this.scores.set(item.asset, ring);
    }
    ring.push({ item, atMs: windowStartMs });
  }

  addEvent(event: AnomalyEvent): void {
    this.events.push({
      asset: event.asset,
      start: new Date(event.startMs).toISOString(),
      end: new Date(event.endMs).toISOString(),
      peakScore: event.peakScore,
      windows: event.windows,
      modelVersion: event.modelVersion,
    });
  }

  /** Scores of every asset whose window starts at or after `sinceMs`, oldest first per asset. */
  allScores(sinceMs: number): ScoreItem[] {
    return [...this.scores.keys()].flatMap((asset) => this.scoresOf(asset, sinceMs));
  }

  /** Scores of `asset` whose window starts at or after `sinceMs`, oldest first. */
  scoresOf(asset: string, sinceMs: number): ScoreItem[] {
    return (this.scores.get(asset)?.all() ?? [])
      .filter((entry) => entry.atMs >= sinceMs)
      .map((entry) => entry.item);
  }

  /** The newest `limit` events, newest first. */
  newestEvents(limit: number): EventItem[] {
    return this.events.all().slice(-limit).reverse();
  }
}
