import type { MSKRecord } from 'aws-lambda';
import { utcDay } from './delivery';
import { type Flattener, singleTable } from './flattener';
import { oneOf, optionalText, readPayload, text, timestamp } from './payload';
import { type HeaderNames, RejectedRecord } from './record';
import { type AssetColumns, type MessageColumns, readAssetMessage } from './uns-message';

/** The Lakehouse table of seam inspections, the labels (lib/lakehouse/tables.ts). */
export const SEAM_INSPECTIONS_TABLE = 'seam_inspections';

const VERDICTS = ['pass', 'fail'] as const;

/** One row of `seam_inspections`: the verdict on one seam, plus its partition values. */
export interface SeamInspectionRow extends AssetColumns, MessageColumns {
  readonly seam_id: string;
  /** Arc on and off, epoch milliseconds. */
  readonly seam_start: number;
  readonly seam_end: number;
  readonly verdict: (typeof VERDICTS)[number];
  /** The defect found; null for a seam that passed. */
  readonly defect_class: string | null;
  readonly station: string;
  /** The person who judged the seam; null when a machine did. */
  readonly inspector: string | null;
  readonly inspected_at: number;
  /**
   * UTC day of `seam_start`, not of the verdict: the day of the seam's telemetry, so that labelling
   * a day's telemetry reads that day's inspections, however late the verdict came.
   */
  readonly dt: string;
}

/**
 * The row of one `uns.inspection` record: the contract's `SeamInspection` on
 * `{enterprise}/{site}/{area}/{line}/{cell}/{asset}/inspection`.
 *
 * @throws RejectedRecord when the topic is no inspection topic or the payload no
 *   `SeamInspection`: a seam ending before it starts, a `fail` without `defectClass` or a `pass`
 *   with one among them (the label would be wrong).
 */
export function flattenInspectionRecord(
  record: MSKRecord,
  headers: HeaderNames,
): SeamInspectionRow[] {
  const { asset, columns } = readAssetMessage(record, headers, 'inspection');
  const payload = readPayload(record, 'a seam inspection');
  const seamStart = timestamp(payload.seamStart, 'seamStart');
  const seamEnd = timestamp(payload.seamEnd, 'seamEnd');
  if (seamEnd < seamStart) throw new RejectedRecord('seamEnd is before seamStart');
  const verdict = oneOf(payload.verdict, 'verdict', VERDICTS);
  const defectClass = optionalText(payload.defectClass, 'defectClass');
  if ((verdict === 'fail') !== (defectClass !== null)) {
    throw new RejectedRecord(
      verdict === 'fail' ? 'a fail verdict needs defectClass' : 'a pass verdict has no defectClass',
    );
  }
  return [
    {
      ...asset,
      seam_id: text(payload.seamId, 'seamId'),
      seam_start: seamStart,
      seam_end: seamEnd,
      verdict,
      defect_class: defectClass,
      station: text(payload.station, 'station'),
      inspector: optionalText(payload.inspector, 'inspector'),
      inspected_at: timestamp(payload.inspectedAt, 'inspectedAt'),
      ...columns,
      dt: utcDay(seamStart),
    },
  ];
}

/** `uns.inspection` into `seam_inspections`. */
export const seamInspectionsFlattener: Flattener = singleTable(
  SEAM_INSPECTIONS_TABLE,
  flattenInspectionRecord,
);
