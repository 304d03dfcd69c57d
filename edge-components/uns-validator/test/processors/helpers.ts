/** What the processor tests share: messages judged by the real welding contract, chains under test. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { channelTopic } from '@uns-mlops/test-services';
import pino from 'pino';
import { Registry } from 'prom-client';
import { loadContracts } from '../../src/contract/load-contracts';
import type { LoadedContracts } from '../../src/contract/model';
import {
  type ProcessedMessage,
  ProcessorChains,
  type ProcessorChainsOptions,
  processorMetrics,
  type Publication,
} from '../../src/processors';
import { DEFAULT_CONFIG } from '../../src/service/config';
import { validateMessage } from '../../src/validate/validate-message';
import { CONTRACT_DIR } from '../fixtures/paths';

/** The ISA-95 levels of the contract's examples. */
export const LEVELS = {
  enterprise: 'acme',
  site: 'zwickau',
  area: 'body-shop',
  line: 'body-weld-1',
  cell: 'cell-010',
  asset: 'welder-1',
};
export const ARC_CURRENT = channelTopic('telemetry', { ...LEVELS, signal: 'arc_current' });
export const STATE = channelTopic('state', LEVELS);
export const ALARM = channelTopic('alarm', LEVELS);
export const RECEIVED_AT = Date.parse('2025-11-25T08:15:30.120Z');

let welding: Promise<LoadedContracts> | undefined;

/** The repository's contracts, loaded once per test file. */
export function weldingContracts(): Promise<LoadedContracts> {
  welding ??= loadContracts([CONTRACT_DIR]);
  return welding;
}

/** A message as the validator hands it to the chains: judged by `contracts`. */
export function judged(
  contracts: LoadedContracts,
  topic: string,
  payload: unknown,
  receivedAt = RECEIVED_AT,
): ProcessedMessage {
  const bytes =
    payload instanceof Uint8Array ? Buffer.from(payload) : Buffer.from(JSON.stringify(payload));
  const verdict = validateMessage(contracts, topic, bytes);
  return { topic, channel: verdict.channel, verdict, payload: bytes, receivedAt };
}

/** Chains as a test drives them: what they published, logged and counted. */
export interface ChainsUnderTest {
  readonly chains: ProcessorChains;
  readonly published: Publication[];
  readonly logs: Record<string, unknown>[];
  readonly registry: Registry;
  /** The chains file, when one was written. */
  readonly file: string | undefined;
}

/** Writes `text` as a chains file in a folder of its own; returns its path. */
export function writeChainsFile(text: string, name = 'processors.yaml'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'chains-')), name);
  writeFileSync(file, text);
  return file;
}

/** Loads chains from `yaml` (written to a file; none: the default chains). */
export async function loadChains(
  yaml?: string,
  options: Partial<ProcessorChainsOptions> = {},
): Promise<ChainsUnderTest> {
  const published: Publication[] = [];
  const logs: Record<string, unknown>[] = [];
  const registry = new Registry();
  const file = yaml === undefined ? options.file : writeChainsFile(yaml);
  const chains = await ProcessorChains.load({
    enforcement: DEFAULT_CONFIG.enforcement,
    logger: pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) }),
    metrics: processorMetrics(registry),
    publish: (publication) => published.push(publication),
    ...options,
    file,
  });
  return { chains, published, logs, registry, file };
}

/** `uns_validator_processor_runs_total` as `channel/processor/outcome` → count, zeros left out. */
export async function runCounts(registry: Registry): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('uns_validator_processor_runs_total')?.get();
  return Object.fromEntries(
    (metric?.values ?? [])
      .filter(({ value }) => value > 0)
      .map(({ labels, value }) => [
        `${labels.channel}/${labels.processor}/${labels.outcome}`,
        value,
      ]),
  );
}

/** The parsed JSON payload of a publication. */
export function bodyOf(publication: Publication | undefined): Record<string, unknown> {
  if (publication === undefined) throw new Error('nothing was published');
  return JSON.parse(publication.payload.toString()) as Record<string, unknown>;
}
