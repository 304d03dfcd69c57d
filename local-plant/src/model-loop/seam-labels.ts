/**
 * Labels of telemetry samples from the plant's seam inspections, by the rule the Lakehouse's
 * curation applies (`lib/curation/sql/labelled-telemetry.sql`): a sample inside a seam that failed
 * inspection takes its defect class, inside a passed seam `normal`, inside a seam the asset's state
 * shows as welded but that has no verdict yet `uninspected` (the training leaves those out), and
 * outside every seam `normal`.
 */

/** The verdict on one seam (contract message `seamInspection`). */
export interface SeamVerdict {
  readonly seamId: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly verdict: 'pass' | 'fail';
  readonly defectClass?: string;
}

/** A seam the asset's state announced (`welding` with its seam id) until its next state. */
interface WeldedSeam {
  readonly seamId: string;
  readonly startMs: number;
  endMs: number;
}

/** The label of samples of seams without a verdict. */
export const UNINSPECTED = 'uninspected';

/** Seam verdicts and welded seams per asset, and the label of any sample of those assets. */
export class SeamLabels {
  private readonly verdicts = new Map<string, Map<string, SeamVerdict>>();
  private readonly seams = new Map<string, WeldedSeam[]>();

  /** Records a verdict; a later verdict on the same seam replaces the earlier one. */
  addVerdict(asset: string, verdict: SeamVerdict): void {
    let byId = this.verdicts.get(asset);
    if (byId === undefined) {
      byId = new Map<string, SeamVerdict>();
      this.verdicts.set(asset, byId);
    }
    byId.set(verdict.seamId, verdict);
  }

  /** Records a state change of `asset` at `timeMs`: `welding` of `seamId` or anything else. */
  addState(asset: string, timeMs: number, state: string, seamId: string | undefined): void {
    let seams = this.seams.get(asset);
    if (seams === undefined) {
      seams = [];
      this.seams.set(asset, seams);
    }
    const open = seams.at(-1);
    if (open !== undefined && open.endMs === Number.POSITIVE_INFINITY) open.endMs = timeMs;
    if (state === 'welding' && seamId !== undefined) {
      seams.push({ seamId, startMs: timeMs, endMs: Number.POSITIVE_INFINITY });
    }
  }

  /** The label and seam of the sample of `asset` at `timeMs`. */
  label(asset: string, timeMs: number): { label: string; seamId?: string } {
    for (const verdict of this.verdicts.get(asset)?.values() ?? []) {
      if (timeMs >= verdict.startMs && timeMs <= verdict.endMs) {
        const label = verdict.verdict === 'fail' ? (verdict.defectClass ?? 'defect') : 'normal';
        return { label, seamId: verdict.seamId };
      }
    }
    const seam = this.seams
      .get(asset)
      ?.find((s) => timeMs >= s.startMs && timeMs < s.endMs && !this.hasVerdict(asset, s.seamId));
    return seam === undefined ? { label: 'normal' } : { label: UNINSPECTED, seamId: seam.seamId };
  }

  /** Forgets the seams that ended before `timeMs`. */
  forgetBefore(timeMs: number): void {
    for (const byId of this.verdicts.values()) {
      for (const [seamId, verdict] of byId) if (verdict.endMs < timeMs) byId.delete(seamId);
    }
    for (const [asset, seams] of this.seams) {
      this.seams.set(
        asset,
        seams.filter((seam) => seam.endMs >= timeMs),
      );
    }
  }

  private hasVerdict(asset: string, seamId: string): boolean {
    return this.verdicts.get(asset)?.has(seamId) ?? false;
  }
}
