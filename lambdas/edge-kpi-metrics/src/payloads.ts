import { isObject, RejectedRecord } from './kafka-record';
import { SITE_ID_PATTERN } from './uns-topics';

/**
 * Readers of the payloads the KPIs come from. Each checks the fields it reads, as the contract
 * (`asyncapi/uns-welding.asyncapi.yaml`) or the bridge's `HeartbeatPayload` defines them, and
 * ignores the rest.
 */

/** The verdict counts of one validation summary, over all its channels. */
export interface VerdictCounts {
  readonly valid: number;
  /** Valid plus invalid messages. */
  readonly checked: number;
}

/**
 * Adds up the `valid` and `invalid` counts of a `ValidationSummary`'s channels.
 *
 * @throws RejectedRecord (`bad-payload`) when `channels` is not a list of such counts.
 */
export function readValidationSummary(payload: Record<string, unknown>): VerdictCounts {
  const { channels } = payload;
  if (!Array.isArray(channels)) throw badPayload('a validation summary needs a channels list');
  let valid = 0;
  let checked = 0;
  for (const entry of channels as unknown[]) {
    if (!isObject(entry) || !isCount(entry.valid) || !isCount(entry.invalid)) {
      throw badPayload('every channel of a validation summary needs valid and invalid counts');
    }
    valid += entry.valid;
    checked += entry.valid + entry.invalid;
  }
  return { valid, checked };
}

/** What an `AnomalyScore` says about its window. */
export interface ScoredWindow {
  /** `score > threshold` of the model that scored the window. */
  readonly anomaly: boolean;
  /** Scored by a shadow (candidate) model. */
  readonly shadow: boolean;
}

/**
 * Reads `anomaly` and `shadow` (absent: false) of an `AnomalyScore`.
 *
 * @throws RejectedRecord (`bad-payload`) when `anomaly` is not a boolean, or `shadow` is set but
 *   not one.
 */
export function readAnomalyScore(payload: Record<string, unknown>): ScoredWindow {
  const { anomaly, shadow = false } = payload;
  if (typeof anomaly !== 'boolean' || typeof shadow !== 'boolean') {
    throw badPayload('an anomaly score needs a boolean anomaly (and shadow, when set)');
  }
  return { anomaly, shadow };
}

/**
 * The `event` of a `ModelStatus` (`loaded`, `swapped`, `refused`, …).
 *
 * @throws RejectedRecord (`bad-payload`) when it is not a string.
 */
export function readModelStatusEvent(payload: Record<string, unknown>): string {
  const { event } = payload;
  if (typeof event !== 'string') throw badPayload('a model status needs an event');
  return event;
}

/** What a bridge heartbeat says about the bridge's path to Kafka. */
export interface BridgeHeartbeat {
  readonly site: string;
  /** The bridge's client id. */
  readonly bridge: string;
  /** Records in the bridge's disk spool not yet in Kafka. */
  readonly spoolRecords: number;
  /** How long UNS records had waited with nothing produced to Kafka (0: none waiting). */
  readonly stalledForMs: number;
}

/**
 * Reads a bridge heartbeat (`HeartbeatPayload` of `edge-components/uns-kafka-bridge`).
 *
 * @throws RejectedRecord `no-site` when it names no site (the bridge's `heartbeat.site` is not
 *   set), `bad-payload` when the site is not a site id or the other fields are missing.
 */
export function readHeartbeat(payload: Record<string, unknown>): BridgeHeartbeat {
  const { site, bridge, spool, stalledForMs } = payload;
  const bridgeName = typeof bridge === 'string' && bridge !== '' ? bridge : undefined;
  if (site === undefined || site === null) {
    throw new RejectedRecord(
      'no-site',
      `the heartbeat of bridge ${JSON.stringify(bridgeName ?? 'unknown')} names no site (set heartbeat.site in its configuration)`,
    );
  }
  if (typeof site !== 'string' || !SITE_ID_PATTERN.test(site)) {
    throw badPayload(`heartbeat site ${JSON.stringify(site)} is not a site id`);
  }
  if (
    bridgeName === undefined ||
    !isObject(spool) ||
    !isCount(spool.records) ||
    typeof stalledForMs !== 'number' ||
    stalledForMs < 0
  ) {
    throw badPayload('a heartbeat needs bridge, spool.records and stalledForMs');
  }
  return { site, bridge: bridgeName, spoolRecords: spool.records, stalledForMs };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function badPayload(detail: string): RejectedRecord {
  return new RejectedRecord('bad-payload', detail);
}
