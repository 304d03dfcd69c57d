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

/** A recent score as the runtime records it: numbers, and the model version by reference. */
export interface RecordedScore {
  readonly startMs: number;
  readonly endMs: number;
  readonly score: number;
  readonly threshold: number;
  readonly anomaly: boolean;
  readonly shadow: boolean;
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

/**
 * The last `capacity` scores of one asset in preallocated columns. Recording a score allocates
 * nothing: at 1,000 windows/s, score objects kept for the API outlived the young generation and
 * set off a full (mark-compact) garbage collection every few seconds, each a stall of the event
 * loop that showed in the MQTT-in to score-out p99. Items with ISO times are built when asked for.
 */
class ScoreRing {
  private readonly startMs: Float64Array;
  private readonly endMs: Float64Array;
  private readonly score: Float64Array;
  private readonly threshold: Float64Array;
  /** Bit 0: anomaly, bit 1: shadow. */
  private readonly flags: Uint8Array;
  private readonly modelVersion: string[];
  private next = 0;
  private size = 0;

  constructor(private readonly capacity: number) {
    this.startMs = new Float64Array(capacity);
    this.endMs = new Float64Array(capacity);
    this.score = new Float64Array(capacity);
    this.threshold = new Float64Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.modelVersion = new Array<string>(capacity).fill('');
  }

  push(recorded: RecordedScore): void {
    const i = this.next;
    this.startMs[i] = recorded.startMs;
    this.endMs[i] = recorded.endMs;
    this.score[i] = recorded.score;
    this.threshold[i] = recorded.threshold;
    this.flags[i] = (recorded.anomaly ? 1 : 0) | (recorded.shadow ? 2 : 0);
    this.modelVersion[i] = recorded.modelVersion;
    this.next = (i + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /** Items of windows starting at or after `sinceMs`, oldest first. */
  since(asset: string, sinceMs: number): ScoreItem[] {
    const items: ScoreItem[] = [];
    for (let k = 0; k < this.size; k++) {
      const i = (this.next - this.size + k + this.capacity) % this.capacity;
      const startMs = this.startMs[i] ?? 0;
      if (startMs < sinceMs) continue;
      const flags = this.flags[i] ?? 0;
      items.push({
        asset,
        windowStart: new Date(startMs).toISOString(),
        windowEnd: new Date(this.endMs[i] ?? 0).toISOString(),
        score: this.score[i] ?? Number.NaN,
        threshold: this.threshold[i] ?? Number.NaN,
        anomaly: (flags & 1) === 1,
        modelVersion: this.modelVersion[i] ?? '',
        shadow: (flags & 2) === 2,
      });
    }
    return items;
  }
}

/** Bounded recent results: `scoresPerAsset` per asset, `events` in total. */
export class RecentResults {
  private readonly scores = new Map<string, ScoreRing>();
  private readonly events: Ring<EventItem>;

  constructor(
    private readonly scoresPerAsset: number,
    events: number,
  ) {
    this.events = new Ring(events);
  }

  addScore(asset: string, recorded: RecordedScore): void {
    let ring = this.scores.get(asset);
    if (ring === undefined) {
      ring = new ScoreRing(this.scoresPerAsset);
      this.scores.set(asset, ring);
    }
    ring.push(recorded);
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
    return this.scores.get(asset)?.since(asset, sinceMs) ?? [];
  }

  /** The newest `limit` events, newest first. */
  newestEvents(limit: number): EventItem[] {
    return this.events.all().slice(-limit).reverse();
  }
}
