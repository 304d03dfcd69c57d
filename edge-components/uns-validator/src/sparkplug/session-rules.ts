import type { VerdictError } from '../verdict';
import { ASSERTION, ruleError, type SparkplugAssertion } from './assertions';
import type { DecodedMetric, DecodedPayload } from './decode';
import type { EdgeNodeSession } from './edge-node-session';
import { ENVELOPE_RULES } from './envelope';
import {
  checkBirthMetrics,
  checkDataMetrics,
  type BirthAssertions,
  type DataAssertions,
} from './metric-rules';
import type { EdgeNodeTopic, SparkplugMessageType } from './topic';

/** One edge-node message as the session rules see it. */
export interface SessionMessage {
  readonly topic: EdgeNodeTopic;
  /** `group_id/edge_node_id`. */
  readonly edgeNode: string;
  readonly payload: DecodedPayload;
  /** The payload's seq when valid (0..255), else undefined. */
  readonly seq: number | undefined;
}

const NBIRTH_RULES: BirthAssertions = {
  label: 'NBIRTH',
  metrics: ASSERTION.nbirthMetrics,
  values: ASSERTION.nbirthValues,
};
const DBIRTH_RULES: BirthAssertions = {
  label: 'DBIRTH',
  metrics: ASSERTION.dbirthMetrics,
  values: ASSERTION.dbirthValues,
};
const NDATA_RULES: DataAssertions = {
  label: 'NDATA',
  unknownMetric: ASSERTION.nbirthHasAllNodeMetrics,
  valueType: ASSERTION.datatypeValue,
};
const DDATA_RULES: DataAssertions = {
  label: 'DDATA',
  unknownMetric: ASSERTION.dbirthHasAllDeviceMetrics,
  valueType: ASSERTION.datatypeValue,
};
const NCMD_RULES: DataAssertions = {
  label: 'NCMD',
  unknownMetric: undefined,
  valueType: ASSERTION.ncmdValue,
};
const DCMD_RULES: DataAssertions = {
  label: 'DCMD',
  unknownMetric: undefined,
  valueType: ASSERTION.dcmdValue,
};

const BD_SEQ = 'bdSeq';
const REBIRTH = 'Node Control/Rebirth';

function isUnsignedInteger(value: unknown): value is number | bigint {
  return (
    (typeof value === 'number' && Number.isInteger(value) && value >= 0) ||
    (typeof value === 'bigint' && value >= 0n)
  );
}

function findMetric(metrics: readonly DecodedMetric[], name: string): number {
  for (let i = 0; i < metrics.length; i++) if (metrics[i]?.name === name) return i;
  return -1;
}

/** The bdSeq metric's value, reporting a missing or non-integer bdSeq against `assertion`. */
function bdSeqOf(
  label: 'NBIRTH' | 'NDEATH',
  metrics: readonly DecodedMetric[],
  assertion: SparkplugAssertion,
  errors: VerdictError[],
): number | bigint | undefined {
  const index = findMetric(metrics, BD_SEQ);
  const metric = metrics[index];
  if (metric === undefined) {
    errors.push(ruleError('/metrics', `${label} must include a '${BD_SEQ}' metric`, assertion));
    return undefined;
  }
  if (metric.datatype !== 'UInt64' && metric.datatype !== 'Int64') {
    const message = `'${BD_SEQ}' must have datatype UInt64 (or Int64), got ${String(metric.datatype)}`;
    errors.push(ruleError(`/metrics/${index}/datatype`, message, assertion));
  }
  if (!isUnsignedInteger(metric.value)) {
    const message = `'${BD_SEQ}' must be an unsigned integer, got ${String(metric.value)}`;
    errors.push(ruleError(`/metrics/${index}/value`, message, assertion));
    return undefined;
  }
  return metric.value;
}

function checkRebirthMetric(metrics: readonly DecodedMetric[], errors: VerdictError[]): void {
  const index = findMetric(metrics, REBIRTH);
  const metric = metrics[index];
  if (metric === undefined) {
    const message = `NBIRTH must include a '${REBIRTH}' metric`;
    errors.push(ruleError('/metrics', message, ASSERTION.nbirthRebirth));
  } else if (metric.datatype !== 'Boolean' || metric.value !== false) {
    const message = `'${REBIRTH}' must be a Boolean with value false in NBIRTH`;
    errors.push(ruleError(`/metrics/${index}`, message, ASSERTION.nbirthRebirth));
  }
}

/** The violation for a message that needs an open session when there is none. */
function beforeBirth(
  message: SessionMessage,
  session: EdgeNodeSession | undefined,
  assertion: SparkplugAssertion,
): VerdictError {
  const why =
    session === undefined
      ? `no NBIRTH has been seen from edge node '${message.edgeNode}'`
      : `edge node '${message.edgeNode}' has been dead since its NDEATH`;
  return ruleError('', `${message.topic.messageType} outside a session: ${why}`, assertion);
}

/** Checks that seq follows the previous one (255 wraps to 0), then resynchronizes on it. */
function checkSeqIncrement(
  session: EdgeNodeSession,
  type: SparkplugMessageType,
  seq: number | undefined,
  errors: VerdictError[],
): void {
  const last = session.lastSeq;
  session.lastSeq = seq;
  if (seq === undefined || last === undefined) return;
  const expected = (last + 1) % 256;
  if (seq === expected) return;
  const what = seq === last ? 'repeated' : 'gap';
  const text = `seq ${what}: expected ${expected} after ${last}, got ${seq}`;
  errors.push(ruleError('/seq', text, ENVELOPE_RULES[type].seqRange));
}

/** NBIRTH: opens a fresh session (forgetting the previous one's metrics, aliases and devices). */
export function onNbirth(
  message: SessionMessage,
  session: EdgeNodeSession,
  errors: VerdictError[],
): void {
  const { payload, seq } = message;
  if (seq !== undefined && seq !== 0) {
    errors.push(ruleError('/seq', `NBIRTH seq must be 0, got ${seq}`, ASSERTION.nbirthSeqZero));
  }
  session.clear();
  session.open = true;
  session.lastSeq = seq;
  session.bdSeq = bdSeqOf('NBIRTH', payload.metrics, ASSERTION.nbirthBdSeq, errors);
  checkRebirthMetric(payload.metrics, errors);
  checkBirthMetrics(payload.metrics, session, session.nodeScope, NBIRTH_RULES, errors);
}

/**
 * NDEATH: closes the session when its bdSeq matches the NBIRTH's. A mismatching NDEATH is reported
 * and, as a host application would, otherwise ignored: the session stays open.
 */
export function onNdeath(
  message: SessionMessage,
  session: EdgeNodeSession | undefined,
  errors: VerdictError[],
): void {
  const bdSeq = bdSeqOf('NDEATH', message.payload.metrics, ASSERTION.ndeathBdSeq, errors);
  if (session?.open !== true) return;
  if (bdSeq !== undefined && session.bdSeq !== undefined && bdSeq !== session.bdSeq) {
    const text = `NDEATH bdSeq ${String(bdSeq)} does not match bdSeq ${String(session.bdSeq)} of the NBIRTH that opened the session`;
    const index = findMetric(message.payload.metrics, BD_SEQ);
    errors.push(ruleError(`/metrics/${index}/value`, text, ASSERTION.ndeathBdSeq));
    return;
  }
  session.open = false;
  session.lastSeq = undefined;
  session.clear();
}

/** NDATA: needs an open session; seq increments; metrics refer to the NBIRTH. */
export function onNdata(
  message: SessionMessage,
  session: EdgeNodeSession | undefined,
  errors: VerdictError[],
): void {
  if (session?.open !== true) {
    errors.push(beforeBirth(message, session, ASSERTION.ndataOrder));
    return;
  }
  checkSeqIncrement(session, 'NDATA', message.seq, errors);
  checkDataMetrics(message.payload.metrics, session, session.nodeScope, NDATA_RULES, errors);
}

/** DBIRTH: needs an open session; seq increments; (re)defines the device's metrics and aliases. */
export function onDbirth(
  message: SessionMessage,
  deviceId: string,
  session: EdgeNodeSession | undefined,
  errors: VerdictError[],
): void {
  if (session?.open !== true) {
    errors.push(beforeBirth(message, session, ASSERTION.dbirthAfterNbirth));
    return;
  }
  checkSeqIncrement(session, 'DBIRTH', message.seq, errors);
  const device = session.rebirthDevice(deviceId);
  checkBirthMetrics(message.payload.metrics, session, device, DBIRTH_RULES, errors);
}

/** DDATA: needs an open session and a live DBIRTH of the device; seq increments; metrics refer to the DBIRTH. */
export function onDdata(
  message: SessionMessage,
  deviceId: string,
  session: EdgeNodeSession | undefined,
  errors: VerdictError[],
): void {
  if (session?.open !== true) {
    errors.push(beforeBirth(message, session, ASSERTION.ddataOrder));
    return;
  }
  checkSeqIncrement(session, 'DDATA', message.seq, errors);
  const device = session.devices.get(deviceId);
  if (device?.alive !== true) {
    const why = device === undefined ? 'before its DBIRTH' : 'after its DDEATH';
    errors.push(ruleError('', `DDATA from device '${deviceId}' ${why}`, ASSERTION.ddataOrder));
    return;
  }
  checkDataMetrics(message.payload.metrics, session, device, DDATA_RULES, errors);
}

/** DDEATH: needs an open session and a live device; seq increments; the device is dead until its next DBIRTH. */
export function onDdeath(
  message: SessionMessage,
  deviceId: string,
  session: EdgeNodeSession | undefined,
  errors: VerdictError[],
): void {
  if (session?.open !== true) {
    errors.push(beforeBirth(message, session, ASSERTION.birthFirst));
    return;
  }
  checkSeqIncrement(session, 'DDEATH', message.seq, errors);
  const device = session.devices.get(deviceId);
  if (device?.alive !== true) {
    const why = device === undefined ? 'that was never born' : 'that is already dead';
    errors.push(ruleError('', `DDEATH for device '${deviceId}' ${why}`, ASSERTION.birthFirst));
    return;
  }
  device.alive = false;
}

/**
 * NCMD / DCMD (host to edge node; no seq): while the target is alive, metrics must be named or
 * aliased and values must fit the birth's datatype. Unknown metrics are only a SHOULD, not reported.
 */
export function onCommand(
  message: SessionMessage,
  deviceId: string | undefined,
  session: EdgeNodeSession | undefined,
  errors: VerdictError[],
): void {
  if (session?.open !== true) return;
  if (deviceId === undefined) {
    checkDataMetrics(message.payload.metrics, session, session.nodeScope, NCMD_RULES, errors);
    return;
  }
  const device = session.devices.get(deviceId);
  if (device?.alive === true)
    checkDataMetrics(message.payload.metrics, session, device, DCMD_RULES, errors);
}
