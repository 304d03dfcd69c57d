import type { MSKRecord } from 'aws-lambda';
import { utcDay } from './delivery';
import { type Flattener, singleTable } from './flattener';
import { flag, oneOf, readPayload, text, timestamp } from './payload';
import type { HeaderNames } from './record';
import { type AssetColumns, type MessageColumns, readAssetMessage } from './uns-message';

/** The Lakehouse table of asset alarms (lib/lakehouse/tables.ts). */
export const ASSET_ALARMS_TABLE = 'asset_alarms';

/** The severities of the contract's `Alarm`. */
const SEVERITIES = ['info', 'warning', 'critical'] as const;

/** One row of `asset_alarms`: an alarm raised or cleared, plus its partition values. */
export interface AssetAlarmRow extends AssetColumns, MessageColumns {
  /** `ts` of the message, epoch milliseconds. */
  readonly alarm_time: number;
  readonly code: string;
  readonly severity: (typeof SEVERITIES)[number];
  readonly message: string;
  /** `true` when raised, `false` when cleared. */
  readonly active: boolean;
  /** UTC day of `alarm_time`. */
  readonly dt: string;
}

/**
 * The row of one `uns.alarm` record: the contract's `Alarm` on
 * `{enterprise}/{site}/{area}/{line}/{cell}/{asset}/alarm`.
 *
 * @throws RejectedRecord when the topic is no alarm topic or the payload no `Alarm`.
 */
export function flattenAlarmRecord(record: MSKRecord, headers: HeaderNames): AssetAlarmRow[] {
  const { asset, columns } = readAssetMessage(record, headers, 'alarm');
  const payload = readPayload(record, 'an alarm');
  const alarmTime = timestamp(payload.ts, 'ts');
  return [
    {
      ...asset,
      alarm_time: alarmTime,
      code: text(payload.code, 'code'),
      severity: oneOf(payload.severity, 'severity', SEVERITIES),
      message: text(payload.message, 'message'),
      active: flag(payload.active, 'active'),
      ...columns,
      dt: utcDay(alarmTime),
    },
  ];
}

/** `uns.alarm` into `asset_alarms`. */
export const assetAlarmsFlattener: Flattener = singleTable(ASSET_ALARMS_TABLE, flattenAlarmRecord);
