import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mskEvent, mskRecord } from '@uns-mlops/msk-records';
import type { MSKRecord } from 'aws-lambda';
// The validator's own builders, so that the records are what a plant publishes.
import {
  ComplianceSummaries,
  ContractsPublication,
  contractsInForce,
  DEFAULT_CONFIG,
  type ErrorKind,
  loadContracts,
  type Verdict,
  ViolationSamples,
} from '@uns-mlops/uns-validator';
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

/** A message as the validator publishes it: its MQTT topic and payload (JSON text). */
export interface PublishedMessage {
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
): PublishedMessage[] {
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

/** An invalid message the validator judged: its site, topic, first error and payload. */
export interface Violation {
  readonly site: string;
  /** @default 'telemetry' */
  readonly channel?: string;
  /** @default 'schema-violation' */
  readonly kind?: ErrorKind;
  /** @default a telemetry block whose second value is out of range */
  readonly payload?: string;
}

const OUT_OF_RANGE = JSON.stringify({
  t0: '2025-11-25T08:15:30.000Z',
  dtMs: 1,
  unit: 'A',
  values: [212.5, 912.5],
  seq: 4711,
});

/**
 * The violation samples the validator publishes (its real `ViolationSamples`, 20 per site) for
 * `violations`, received at `receivedAt`: one message each on `{enterprise}/{site}/_validation/violations`.
 */
export function publishedSamples(
  receivedAt: string,
  violations: readonly Violation[],
): PublishedMessage[] {
  const samples = new ViolationSamples(
    ENTERPRISE,
    DEFAULT_CONFIG.summaries.violationSamplesPerSite,
  );
  return violations.map((violation) => {
    const channel = violation.channel ?? 'telemetry';
    const verdict: Verdict = {
      topic: `${ENTERPRISE}/${violation.site}/body-shop/body-weld-1/cell-010/welder-1/${channel}`,
      valid: false,
      channel,
      contractVersion: '1.3.0',
      parameters: { site: violation.site },
      errors: [
        {
          kind: violation.kind ?? 'schema-violation',
          path: '/values/1',
          schemaPath: '#/allOf/0/properties/values/items/maximum',
          message: 'must be <= 600',
        },
      ],
    };
    const payload = Buffer.from(violation.payload ?? OUT_OF_RANGE);
    const outcome = samples.take(verdict, Date.parse(receivedAt), payload);
    if (outcome?.result !== 'sample') throw new Error(`no sample of ${JSON.stringify(violation)}`);
    conforming('ViolationSample', JSON.parse(outcome.message.payload));
    return outcome.message;
  });
}

const CONTRACTS = join(__dirname, '..', '..', '..', 'asyncapi');

/**
 * The contracts in force the validator of `site` publishes (its real `ContractsPublication`) when
 * it loads the repository's contract at `loadedAt`, as version `version` (a copy of the contract
 * with that `info.version`) and with `defaultMode` as its enforcement.
 */
export async function publishedContracts(
  site: string,
  loadedAt: string,
  options: { version?: string; defaultMode?: 'monitor' | 'quarantine' | 'filter' } = {},
): Promise<PublishedMessage> {
  const directory = mkdtempSync(join(tmpdir(), 'contracts-'));
  const file = join(directory, 'uns-welding.asyncapi.yaml');
  const contract = readFileSync(join(CONTRACTS, 'uns-welding.asyncapi.yaml'), 'utf8');
  writeFileSync(
    file,
    contract.replace(/^ {2}version: .*$/m, `  version: ${options.version ?? '1.3.0'}`),
  );
  const enforcement = {
    ...DEFAULT_CONFIG.enforcement,
    defaultMode: options.defaultMode ?? DEFAULT_CONFIG.enforcement.defaultMode,
  };
  const report = contractsInForce(await loadContracts([file]), enforcement);
  const [message] = new ContractsPublication(ENTERPRISE, site).loaded(report, new Date(loadedAt));
  conforming('ContractsInForce', JSON.parse(message!.payload));
  return message!;
}

/** The records of published messages, in order, on one partition. */
export function recordsOf(messages: readonly PublishedMessage[], partition = 0): MSKRecord[] {
  return messages.map(({ topic, payload }) => bridgedRecord(topic, payload, { partition }));
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
/** The violation sample topic of a site, from the contract's address. */
export const violationTopic = (site: string) =>
  channelTopic('validationViolation', { enterprise: ENTERPRISE, site });
/** The contracts in force topic of a site, from the contract's address. */
export const contractsTopic = (site: string) =>
  channelTopic('validationContracts', { enterprise: ENTERPRISE, site });
