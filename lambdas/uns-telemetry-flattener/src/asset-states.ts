import type { MSKRecord } from 'aws-lambda';
import { utcDay } from './delivery';
import { type Flattener, singleTable } from './flattener';
import { oneOf, optionalText, readPayload, timestamp } from './payload';
import type { HeaderNames } from './record';
import { type AssetColumns, type MessageColumns, readAssetMessage } from './uns-message';

/** The Lakehouse table of asset states (lib/lakehouse/tables.ts). */
export const ASSET_STATES_TABLE = 'asset_states';

/** The operating states of the contract's `AssetState`. */
const STATES = ['idle', 'welding', 'fault', 'maintenance', 'offline'] as const;

/** One row of `asset_states`: one state change, plus its partition values `site` and `dt`. */
export interface AssetStateRow extends AssetColumns, MessageColumns {
  /** `ts` of the message, epoch milliseconds. */
  readonly state_time: number;
  readonly state: (typeof STATES)[number];
  /** The seam being welded (`seamId`), null when the message names none. */
  readonly seam_id: string | null;
  readonly program: string | null;
  /** UTC day of `state_time`. */
  readonly dt: string;
}

/**
 * The row of one `uns.state` record: the contract's `AssetState` on
 * `{enterprise}/{site}/{area}/{line}/{cell}/{asset}/state`.
 *
 * @throws RejectedRecord when the topic is no state topic or the payload no `AssetState`
 *   (a state outside the contract's list among them).
 */
export function flattenStateRecord(record: MSKRecord, headers: HeaderNames): AssetStateRow[] {
  const { asset, columns } = readAssetMessage(record, headers, 'state');
  const payload = readPayload(record, 'an asset state');
  const stateTime = timestamp(payload.ts, 'ts');
  return [
    {
      ...asset,
      state_time: stateTime,
      state: oneOf(payload.state, 'state', STATES),
      seam_id: optionalText(payload.seamId, 'seamId'),
      program: optionalText(payload.program, 'program'),
      ...columns,
      dt: utcDay(stateTime),
    },
  ];
}

/** `uns.state` into `asset_states`. */
export const assetStatesFlattener: Flattener = singleTable(ASSET_STATES_TABLE, flattenStateRecord);
