import { mskEvent, mskRecord } from '@uns-mlops/msk-records';
import type { MSKRecord } from 'aws-lambda';
// The validator's own summary builder, so that the records are what a plant publishes.
import { ComplianceSummaries, type ErrorKind, type Verdict } from '@uns-mlops/uns-validator';
import { channelTopic, conforming } from '@uns-mlops/test-services';

export const ENTERPRISE = 'acme';
export { mskEvent };

/** What one channel of one site saw in an interval. */
export interface ChannelTraffic {
  readonly site: string;
  readonly channel: string;
  readonly valid: number;
  /** Invalid messages by the kind of their first error. */
  readonly invalid?: Partial<Record<ErrorKind, number>>;
  /** Invalid messages the validator could not describe (no error in the verdict). */
  readonly undescribed?: number;
  /** @default '1.1.0' */
  readonly contractVersion?: string;
}

/** A summary as the validator publishes it: its MQTT topic and payload (JSON text). */
export interface PublishedSummary {
  readonly topic: string;
  readonly payload: string;
}

/**
 * The summaries the validator publishes for the interval `[start, end)` after judging `traffic`
 * (its real `ComplianceSummaries`: one summary per site and contract version).
 */
export function publishedSummaries(
  start: string,
  end: string,
  traffic: readonly ChannelTraffic[],
): PublishedSummary[] {
  const summaries = new ComplianceSummaries(Date.parse(start));
  for (const seen of traffic) {
    const verdict = (valid: boolean, kind?: ErrorKind): Verdict => ({
      topic: `${ENTERPRISE}/${seen.site}/body-shop/body-weld-1/cell-010/welder-1/${seen.channel}`,
      valid,
      channel: seen.channel,
      contractVersion: seen.contractVersion ?? '1.1.0',
      parameters: { site: seen.site },
      errors: kind === undefined ? [] : [{ kind, path: '', message: `a ${kind}` }],
    });
    for (let i = 0; i < seen.valid; i += 1) summaries.add(verdict(true));
    for (const [kind, count] of Object.entries(seen.invalid ?? {})) {
      for (let i = 0; i < count; i += 1) summaries.add(verdict(false, kind as ErrorKind));
    }
    for (let i = 0; i < (seen.undescribed ?? 0); i += 1) summaries.add(verdict(false));
  }
  const published = summaries.drain(ENTERPRISE, Date.parse(end));
  for (const { payload } of published) conforming('ValidationSummary', JSON.parse(payload));
  return published;
}

let nextOffset = 5000;

/**
 * A record of `uns.validation` as the bridge produces it and Lambda delivers it: key
 * `enterprise/site` of the MQTT topic, value = the MQTT payload byte for byte, the MQTT topic in
 * header `uns-topic`.
 */
export function bridgedRecord(
  mqttTopic: string | undefined,
  payload: string,
  options: { partition?: number; offset?: number; kafkaTopic?: string } = {},
): MSKRecord {
  const headers: Record<string, string> = {
    'uns-received-at': '2025-11-25T08:15:30.120Z',
    'uns-contract-version': '1.1.0',
    'uns-message-id': `4f2a9c1b7e3d-${nextOffset}`,
  };
  if (mqttTopic !== undefined) headers['uns-topic'] = mqttTopic;
  const levels = (mqttTopic ?? '').split('/');
  const original = levels[0] === '_quarantine' ? levels.slice(1) : levels;
  return mskRecord({
    topic: options.kafkaTopic ?? 'uns.validation',
    key: original.slice(0, 2).join('/'),
    value: payload,
    headers,
    partition: options.partition ?? 0,
    offset: options.offset ?? nextOffset++,
    timestamp: Date.parse('2025-11-25T08:15:30.120Z'),
  });
}

/** The records of published summaries, in order, on one partition. */
export function summaryRecords(summaries: readonly PublishedSummary[], partition = 0): MSKRecord[] {
  return summaries.map(({ topic, payload }) => bridgedRecord(topic, payload, { partition }));
}

/** The validator's quarantine copy of an invalid message of `site`. */
export function quarantineRecord(site: string): MSKRecord {
  const original = `${ENTERPRISE}/${site}/body-shop/body-weld-1/cell-010/welder-1/telemetry/current`;
  return bridgedRecord(
    `_quarantine/${original}`,
    // The envelope of the validator's `enforce` in quarantine mode.
    JSON.stringify({
      topic: original,
      receivedAt: '2025-11-25T08:15:29.000Z',
      channel: 'telemetry',
      contractVersion: '1.1.0',
      errors: [{ kind: 'schema-violation', path: '/t0', message: 'must be string' }],
      payloadBytes: 2,
      payloadBase64: 'e30=',
    }),
  );
}

/** The summary topic of a site, from the contract's address. */
export const summaryTopic = (site: string) =>
  channelTopic('validationSummary', { enterprise: ENTERPRISE, site });
