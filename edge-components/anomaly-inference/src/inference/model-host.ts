/**
 * Holds the serving model and the optional shadow (candidate) model, and swaps either atomically
 * once a new bundle has passed validation. A batch takes both models at its start (reference
 * counted), so a swap never touches a batch in flight: it finishes on the model it started with,
 * and the old session is released after the last such batch.
 */
import { EventEmitter } from 'node:events';
import { BundleRefusedError, ScoringModel, type WindowGeometry } from '../bundle/scoring-model';

/** Which slot a bundle is for. */
export type ModelRole = 'serving' | 'shadow';

/** A refused bundle, as reported on the status topic and the API. */
export interface Refusal {
  readonly at: string;
  readonly role: ModelRole;
  readonly modelVersion: string | null;
  readonly reason: string;
}

/** The models one batch runs on; give them back with {@link ModelPair.release}. */
export interface ModelPair {
  readonly serving: ScoringModel;
  readonly shadow: ScoringModel | undefined;
  release(): Promise<void>;
}

/** What changed in the host (the status topic's `event`). */
export type HostEvent = 'loaded' | 'swapped' | 'refused' | 'shadow-loaded' | 'shadow-removed';

interface HostEvents {
  change: [event: HostEvent, refusal: Refusal | undefined];
}

const REFUSALS_KEPT = 20;

/** Serving and shadow slots, with swaps, refusals and the shadow agreement. */
export class ModelHost extends EventEmitter<HostEvents> {
  private servingModel: ScoringModel | undefined;
  private shadowModel: ScoringModel | undefined;
  private loading: Promise<void> = Promise.resolve();
  private swapCount = 0;
  private readonly refusalLog: Refusal[] = [];
  private compared = 0;
  private agreed = 0;

  constructor(
    private readonly signals: readonly string[],
    /** Recent raw windows for the smoke inference of new bundles. */
    private readonly smokeWindows: () => readonly Float32Array[],
  ) {
    super();
  }

  get serving(): ScoringModel | undefined {
    return this.servingModel;
  }
  get shadow(): ScoringModel | undefined {
    return this.shadowModel;
  }
  get swaps(): number {
    return this.swapCount;
  }
  get refusals(): readonly Refusal[] {
    return this.refusalLog;
  }
  /** The serving geometry (fixed by the first bundle). */
  get geometry(): WindowGeometry | undefined {
    return this.servingModel?.geometry;
  }
  /** Share of compared windows whose anomaly flags agreed; null before any comparison. */
  get agreement(): { ratio: number | null; windows: number } {
    return {
      ratio: this.compared === 0 ? null : this.agreed / this.compared,
      windows: this.compared,
    };
  }

  /** Counts one window scored by both models. */
  compare(servingAnomaly: boolean, shadowAnomaly: boolean): void {
    this.compared += 1;
    if (servingAnomaly === shadowAnomaly) this.agreed += 1;
  }

  /**
   * Validates the bundle in `dir` for `role` and, when it passes, makes it the role's model. Offers
   * are serialized; a bundle identical to the role's current one is skipped. Never rejects: a refusal is
   * recorded and emitted, the current model keeps serving.
   */
  offer(role: ModelRole, dir: string): Promise<void> {
    this.loading = this.loading.then(() => this.load(role, dir));
    return this.loading;
  }

  /** Removes the shadow model (its directory went away), in turn with the offers. */
  removeShadow(): Promise<void> {
    this.loading = this.loading.then(async () => {
      const old = this.shadowModel;
      if (old === undefined) return;
      this.shadowModel = undefined;
      this.compared = 0;
      this.agreed = 0;
      this.emit('change', 'shadow-removed', undefined);
      await old.release();
    });
    return this.loading;
  }

  /** Takes the current models for one batch; undefined while no model serves. */
  acquire(): ModelPair | undefined {
    const serving = this.servingModel?.acquire();
    if (serving === undefined) return undefined;
    const shadow = this.shadowModel?.acquire();
    return {
      serving,
      shadow,
      release: async () => {
        await Promise.all([serving.release(), shadow?.release()]);
      },
    };
  }

  /** Releases both models (after the last batch), which ends their worker threads. */
  async close(): Promise<void> {
    await this.loading;
    const models = [this.servingModel, this.shadowModel];
    this.servingModel = undefined;
    this.shadowModel = undefined;
    await Promise.all(models.map((m) => m?.release() ?? Promise.resolve()));
  }

  private async load(role: ModelRole, dir: string): Promise<void> {
    const current = role === 'serving' ? this.servingModel : this.shadowModel;
    let model: ScoringModel;
    try {
      model = await ScoringModel.load(dir, {
        signals: this.signals,
        geometry: this.servingModel?.geometry,
        smokeWindows: this.smokeWindows(),
      });
    } catch (error) {
      const refusal = error instanceof BundleRefusedError ? error : undefined;
      this.refuse(role, refusal?.modelVersion ?? null, (error as Error).message);
      return;
    }
    if (model.fingerprint === current?.fingerprint) {
      await model.release();
      return;
    }
    if (role === 'serving') {
      this.servingModel = model;
      if (current !== undefined) this.swapCount += 1;
      this.emit('change', current === undefined ? 'loaded' : 'swapped', undefined);
    } else {
      this.shadowModel = model;
      this.compared = 0;
      this.agreed = 0;
      this.emit('change', 'shadow-loaded', undefined);
    }
    await current?.release();
  }

  private refuse(role: ModelRole, modelVersion: string | null, reason: string): void {
    const refusal: Refusal = { at: new Date().toISOString(), role, modelVersion, reason };
    this.refusalLog.push(refusal);
    if (this.refusalLog.length > REFUSALS_KEPT) this.refusalLog.shift();
    this.emit('change', 'refused', refusal);
  }
}
