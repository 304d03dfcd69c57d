import { utcDay } from './delivery';
import { count, isObject, type JsonObject, oneOf, optionalText, text, timestamp } from './payload';
import { RejectedRecord } from './record';
import type { MessageColumns } from './uns-message';

/** The Lakehouse table of model status changes (lib/lakehouse/tables.ts). */
export const MODEL_STATUS_TABLE = 'model_status';

/** The changes of the contract's `ModelStatus`. */
const EVENTS = [
  'loaded',
  'swapped',
  'refused',
  'shadow-loaded',
  'shadow-removed',
  'stopped',
] as const;
const ROLES = ['serving', 'shadow'] as const;

/** One row of `model_status`: one status of a site's inference runtime, plus its partition values. */
export interface ModelStatusRow extends MessageColumns {
  readonly enterprise: string;
  /** `{model}` of the status topic. */
  readonly model_name: string;
  /** `ts` of the message, epoch milliseconds. */
  readonly status_time: number;
  readonly event: (typeof EVENTS)[number];
  /** Versions of the serving and shadow bundles; null when there is none. */
  readonly serving_version: string | null;
  readonly shadow_version: string | null;
  readonly swaps: number;
  /** The last refusal of a bundle; all three null when the status holds none. */
  readonly refused_role: (typeof ROLES)[number] | null;
  readonly refused_version: string | null;
  readonly refusal_reason: string | null;
  /** UTC day of `status_time`. */
  readonly dt: string;
}

/**
 * The row of a `ModelStatus` on `{enterprise}/{site}/_ml/{model}/status` (channel
 * `modelStatus`); `levels` are the topic's.
 *
 * @throws RejectedRecord when the payload is no `ModelStatus`.
 */
export function modelStatusRow(
  levels: readonly string[],
  columns: MessageColumns,
  payload: JsonObject,
): ModelStatusRow {
  const [enterprise = '', , , model = ''] = levels;
  const statusTime = timestamp(payload.ts, 'ts');
  const refusal = optionalObject(payload.refusal, 'refusal');
  return {
    enterprise,
    model_name: model,
    status_time: statusTime,
    event: oneOf(payload.event, 'event', EVENTS),
    serving_version: bundleVersion(payload.serving, 'serving'),
    shadow_version: bundleVersion(payload.shadow, 'shadow'),
    swaps: count(payload.swaps, 'swaps'),
    refused_role: refusal && oneOf(refusal.role, 'refusal.role', ROLES),
    refused_version: refusal && optionalText(refusal.modelVersion, 'refusal.modelVersion'),
    refusal_reason: refusal && text(refusal.reason, 'refusal.reason'),
    ...columns,
    dt: utcDay(statusTime),
  };
}

/** `modelVersion` of an optional `ModelRef`. */
function bundleVersion(value: unknown, where: string): string | null {
  const bundle = optionalObject(value, where);
  return bundle && text(bundle.modelVersion, `${where}.modelVersion`);
}

function optionalObject(value: unknown, where: string): JsonObject | null {
  if (value === undefined) return null;
  if (!isObject(value)) throw new RejectedRecord(`${where} is not an object`);
  return value;
}
