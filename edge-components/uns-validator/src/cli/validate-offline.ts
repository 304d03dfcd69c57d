/**
 * Core of `uns-validator validate --spec <paths> --input <file.jsonl>`: judges recorded messages
 * offline and writes one JSON verdict per input line.
 */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { describeWarning } from '../contract/describe-contracts';
import { loadContracts } from '../contract/load-contracts';
import type { LoadedContracts } from '../contract/model';
import { validateMessage, type SparkplugHook } from '../validate/validate-message';
import type { Verdict, VerdictError } from '../verdict';

/** Options of {@link validateRecorded}. */
export interface ValidateRecordedOptions {
  /** AsyncAPI documents or directories of them (see `loadContracts`). */
  readonly specPaths: readonly string[];
  /**
   * JSON Lines, one recorded message a line: `{"topic": "...", "payload": <any JSON value>}` (the
   * value is re-serialized with `JSON.stringify`) or `{"topic": "...", "payloadBase64": "..."}`.
   * Blank lines are skipped.
   */
  readonly inputFile: string;
  /** Receives one JSON verdict line per input line (see {@link RecordedVerdict}). */
  readonly out: NodeJS.WritableStream;
  /** Judges Sparkplug B payloads; see `validateMessage`. */
  readonly sparkplug?: SparkplugHook;
  /**
   * Refuse a contract whose examples contradict its schemas.
   * @default false - it loads, and each such example is a warning.
   */
  readonly strict?: boolean;
  /** Receives one line per contract warning (`warning: <file>: line …`), e.g. standard error. */
  readonly warnings?: NodeJS.WritableStream;
}

/** One output line of {@link validateRecorded}. */
export interface RecordedVerdict {
  /** 1-based line number in the input file. */
  readonly line: number;
  readonly topic: string;
  readonly valid: boolean;
  readonly channel?: string;
  readonly messageId?: string;
  readonly contractVersion?: string;
  readonly errors: readonly VerdictError[];
}

/** Counts of a {@link validateRecorded} run. */
export interface RecordedSummary {
  /** Verdicts written (non-blank input lines). */
  readonly total: number;
  /** Verdicts that are not valid, malformed input lines included. */
  readonly invalid: number;
}

interface RecordedMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Validates a JSON Lines recording against the contracts at `specPaths`. A malformed input line
 * yields a verdict with an `unparseable-payload` error instead of stopping the run.
 *
 * Contract warnings go to `options.warnings` before the first verdict.
 *
 * @throws Error when the contracts cannot be loaded or the input file cannot be read.
 */
export async function validateRecorded(options: ValidateRecordedOptions): Promise<RecordedSummary> {
  const contracts = await loadContracts(options.specPaths, { strict: options.strict });
  if (options.warnings !== undefined) {
    for (const { source, warnings } of contracts.contracts) {
      for (const warning of warnings) {
        await write(options.warnings, `warning: ${source}: ${describeWarning(warning)}\n`);
      }
    }
  }
  const lines = createInterface({
    input: createReadStream(options.inputFile, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  });
  let line = 0;
  let total = 0;
  let invalid = 0;
  for await (const text of lines) {
    line += 1;
    if (text.trim() === '') continue;
    const verdict = judgeLine(contracts, text, options.sparkplug);
    total += 1;
    if (!verdict.valid) invalid += 1;
    await write(options.out, `${JSON.stringify(toRecordedVerdict(line, verdict))}\n`);
  }
  return { total, invalid };
}

function judgeLine(contracts: LoadedContracts, text: string, sparkplug?: SparkplugHook): Verdict {
  const record = parseRecord(text);
  if ('problem' in record) {
    return {
      topic: record.topic,
      valid: false,
      errors: [{ kind: 'unparseable-payload', path: '', message: record.problem }],
    };
  }
  return validateMessage(contracts, record.topic, record.payload, { sparkplug });
}

function parseRecord(text: string): RecordedMessage | { topic: string; problem: string } {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { topic: '', problem: `input line is not valid JSON: ${reason}` };
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    return { topic: '', problem: 'input line is not a JSON object' };
  }
  const fields = record as Record<string, unknown>;
  const topic = Object.hasOwn(fields, 'topic') ? fields.topic : undefined;
  if (typeof topic !== 'string') {
    return { topic: '', problem: 'input line has no string "topic"' };
  }
  const hasPayload = Object.hasOwn(fields, 'payload');
  const hasBase64 = Object.hasOwn(fields, 'payloadBase64');
  if (hasPayload === hasBase64) {
    return { topic, problem: 'input line needs exactly one of "payload" and "payloadBase64"' };
  }
  if (hasPayload) return { topic, payload: Buffer.from(JSON.stringify(fields.payload), 'utf8') };
  const base64 = fields.payloadBase64;
  if (typeof base64 !== 'string' || !BASE64.test(base64)) {
    return { topic, problem: '"payloadBase64" is not a base64 string' };
  }
  return { topic, payload: Buffer.from(base64, 'base64') };
}

function toRecordedVerdict(line: number, verdict: Verdict): RecordedVerdict {
  const { topic, valid, channel, messageId, contractVersion, errors } = verdict;
  return { line, topic, valid, channel, messageId, contractVersion, errors };
}

async function write(out: NodeJS.WritableStream, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}
