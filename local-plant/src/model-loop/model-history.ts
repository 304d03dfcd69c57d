import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/** What happened to a model in the local plant. */
export type ModelHistoryEvent =
  | 'serving'
  | 'drift-detected'
  | 'retraining'
  | 'trained'
  | 'refused'
  | 'shadow'
  | 'promoted'
  | 'rejected';

/** One line of the model history. */
export interface ModelHistoryEntry {
  /** ISO 8601 time of the event. */
  readonly at: string;
  readonly event: ModelHistoryEvent;
  /** The bundle the event is about. */
  readonly modelVersion: string;
  /** Why, in one sentence. */
  readonly reason: string;
  /** The figures the decision was taken on, when there was one. */
  readonly figures?: Readonly<Record<string, number | string | null>>;
}

/**
 * The model history of the local plant, one JSON line per event in `<dataDir>/model-history.jsonl`:
 * which version served when, what triggered a retraining, why a candidate was promoted or
 * rejected. Kept across restarts like the compliance store.
 */
export class ModelHistory {
  constructor(private readonly file: string) {}

  /** Appends an event, stamped now. */
  record(entry: Omit<ModelHistoryEntry, 'at'>): ModelHistoryEntry {
    const stamped = { at: new Date().toISOString(), ...entry };
    appendFileSync(this.file, `${JSON.stringify(stamped)}\n`);
    return stamped;
  }

  /** Every event, newest first. */
  entries(): ModelHistoryEntry[] {
    if (!existsSync(this.file)) return [];
    return readFileSync(this.file, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as ModelHistoryEntry)
      .reverse();
  }
}
