/**
 * Turns the serving model's per-window results into anomaly events: a run of consecutive
 * anomalous windows of one asset becomes one event (start of its first window, end of its last,
 * peak score). A run ends at the first normal window, at a break in the asset's windows (skipped
 * windows), or when the runtime stops.
 */

/** One scored window, as the events see it. */
export interface ScoredWindow {
  readonly asset: string;
  readonly startIndex: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly score: number;
  readonly anomaly: boolean;
  readonly threshold: number;
  readonly modelName: string;
  readonly modelVersion: string;
}

/** A closed run of anomalous windows. */
export interface AnomalyEvent {
  readonly asset: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly peakScore: number;
  readonly peakAtMs: number;
  readonly windows: number;
  readonly threshold: number;
  readonly modelName: string;
  /** The model that scored the peak window. */
  readonly modelVersion: string;
}

interface OpenRun {
  event: AnomalyEvent;
  lastStartIndex: number;
}

/** Tracks open runs per asset and reports each closed one. */
export class AnomalyEventTracker {
  private readonly open = new Map<string, OpenRun>();

  constructor(
    private readonly stride: number,
    private readonly closed: (event: AnomalyEvent) => void,
  ) {}

  /** Takes the next result of an asset (results of one asset arrive in window order). */
  add(window: ScoredWindow): void {
    const run = this.open.get(window.asset);
    if (run !== undefined && window.startIndex !== run.lastStartIndex + this.stride) {
      this.close(window.asset);
    }
    const current = this.open.get(window.asset);
    if (!window.anomaly) {
      if (current !== undefined) this.close(window.asset);
      return;
    }
    if (current === undefined) {
      this.open.set(window.asset, {
        lastStartIndex: window.startIndex,
        event: {
          asset: window.asset,
          startMs: window.startMs,
          endMs: window.endMs,
          peakScore: window.score,
          peakAtMs: window.startMs,
          windows: 1,
          threshold: window.threshold,
          modelName: window.modelName,
          modelVersion: window.modelVersion,
        },
      });
      return;
    }
    const peak = window.score > current.event.peakScore;
    current.lastStartIndex = window.startIndex;
    current.event = {
      ...current.event,
      endMs: window.endMs,
      windows: current.event.windows + 1,
      ...(peak
        ? {
            peakScore: window.score,
            peakAtMs: window.startMs,
            threshold: window.threshold,
            modelVersion: window.modelVersion,
          }
        : {}),
    };
  }

  /** Closes the open run of `asset`, if any (its windows stopped being consecutive). */
  close(asset: string): void {
    const run = this.open.get(asset);
    if (run === undefined) return;
    this.open.delete(asset);
    this.closed(run.event);
  }

  /** Closes every open run (shutdown). */
  closeAll(): void {
    for (const asset of [...this.open.keys()]) this.close(asset);
  }
}
