import { mskEvent, mskRecord } from '@uns-mlops/msk-records';
import type { MSKRecord } from 'aws-lambda';
import type { HeartbeatPayload } from '../../../edge-components/uns-kafka-bridge/src/bridge/heartbeat';
import { channelTopic, conforming, contractExample } from '@uns-mlops/test-services';

export const ENTERPRISE = 'acme';
export const MODEL = 'weld-seam-anomaly';
/** Bridge receive time of every record (the Kafka timestamp). */
export const RECEIVED_AT = Date.parse('2025-11-25T08:15:30.120Z');

/** The UNS topics of one site's validator and inference runtime, from the contract's addresses. */
export function siteTopics(site: string) {
  const asset = {
    enterprise: ENTERPRISE,
    site,
    area: 'body-shop',
    line: 'body-weld-1',
    cell: 'cell-010',
    asset: 'welder-1',
    model: MODEL,
  };
  return {
    validation: channelTopic('validationSummary', { enterprise: ENTERPRISE, site }),
    violations: channelTopic('validationViolation', { enterprise: ENTERPRISE, site }),
    contracts: channelTopic('validationContracts', { enterprise: ENTERPRISE, site }),
    score: channelTopic('anomaly', asset),
    shadow: channelTopic('anomalyShadow', asset),
    event: channelTopic('anomalyEvent', asset),
    drift: channelTopic('anomalyDrift', asset),
    status: channelTopic('modelStatus', { enterprise: ENTERPRISE, site, model: MODEL }),
  };
}

let nextOffset = 1000;

/**
 * A UNS message as the bridge forwards it and Lambda delivers it: key = asset path (or
 * `enterprise/site` for site-level topics), value = the MQTT payload unchanged (base64), the
 * original topic in header `uns-topic`, each header value an array of bytes.
 */
export function bridgedRecord(
  kafkaTopic: string,
  unsTopic: string | undefined,
  payload: unknown,
  options: { rawValue?: string; partition?: number } = {},
): MSKRecord {
  const levels = (unsTopic ?? '').split('/');
  const key = levels.slice(0, levels.length >= 8 ? 6 : 2).join('/');
  const headers: Record<string, string> = {
    'uns-received-at': new Date(RECEIVED_AT).toISOString(),
    'uns-contract-version': '1.1.0',
    'uns-message-id': `4f2a9c1b7e3d-${nextOffset}`,
  };
  if (unsTopic !== undefined) headers['uns-topic'] = unsTopic;
  return kafkaRecord(
    kafkaTopic,
    key,
    options.rawValue ?? JSON.stringify(payload),
    headers,
    options,
  );
}

/** A heartbeat record as the bridge sends it: keyed by its client id, no `uns-topic` header. */
export function heartbeatRecord(payload: HeartbeatPayload | Record<string, unknown>): MSKRecord {
  return kafkaRecord('uns.heartbeat', String(payload.bridge), JSON.stringify(payload), {
    'uns-received-at': String(payload.at),
    'uns-contract-version': '1.1.0',
  });
}

function kafkaRecord(
  topic: string,
  key: string,
  value: string,
  headers: Record<string, string>,
  options: { partition?: number } = {},
): MSKRecord {
  return mskRecord({
    topic,
    key,
    value,
    headers,
    partition: options.partition ?? 0,
    offset: nextOffset++,
    timestamp: RECEIVED_AT,
  });
}

export { mskEvent };

/** One channel's counts in a validation summary. */
export interface ChannelVerdicts {
  channel: string;
  valid: number;
  invalid: number;
}

/** A validator's compliance summary (as `ComplianceSummaries.drain` builds it). */
export function validationSummary(
  channels: ChannelVerdicts[],
  contractVersion = '1.1.0',
): Record<string, unknown> {
  return conforming('ValidationSummary', {
    intervalStart: '2025-11-25T08:15:00.000Z',
    intervalEnd: '2025-11-25T08:15:30.000Z',
    contractVersion,
    channels: channels.map((counts) => ({
      ...counts,
      byErrorKind: counts.invalid > 0 ? { 'schema-violation': counts.invalid } : {},
    })),
  });
}

/** A scored window as the inference runtime publishes it (`shadow: true` only for a shadow model). */
export function anomalyScore(anomaly: boolean, role: 'serving' | 'shadow' = 'serving') {
  return conforming('AnomalyScore', {
    windowStart: '2025-11-25T08:15:29.872Z',
    windowEnd: '2025-11-25T08:15:30.000Z',
    score: anomaly ? 2.4 : 0.31,
    threshold: 0.8,
    anomaly,
    modelName: MODEL,
    modelVersion: role === 'serving' ? '2025.11.25-1' : '2025.11.26-1',
    latencyMs: 3.2,
    ...(role === 'shadow' ? { shadow: true } : {}),
  });
}

/** The contract's example of a model status that reports a refused bundle. */
export const refusedStatus = () => contractExample('modelStatus', 'refused');

/** A model status after the serving bundle loaded, as the inference runtime publishes it. */
export function loadedStatus(): Record<string, unknown> {
  return conforming('ModelStatus', {
    ts: '2025-11-25T08:00:00.000Z',
    event: 'loaded',
    serving: {
      modelName: MODEL,
      modelVersion: '2025.11.25-1',
      threshold: 0.8,
      loadedAt: '2025-11-25T08:00:00.000Z',
    },
    swaps: 0,
  });
}

/** The contract's example of an anomaly event. */
export const anomalyEvent = () => contractExample('anomalyEvent', 'gasLoss');

/** Drift statistics as the contract's example shows them. */
export const modelDrift = () => contractExample('modelDrift', 'contactTipWear');

/** A bridge heartbeat of a healthy bridge forwarding directly, with the given changes. */
export function heartbeat(changes: Partial<HeartbeatPayload>): HeartbeatPayload {
  return {
    bridge: 'uns-kafka-bridge',
    at: '2025-11-25T08:15:30.000Z',
    contractVersion: '1.1.0',
    spooling: false,
    stalledForMs: 3,
    spool: { bytes: 0, records: 0 },
    counts: { 'uns.telemetry': { received: 48_000, spooled: 0, produced: 48_000, failed: 0 } },
    ...changes,
  };
}
