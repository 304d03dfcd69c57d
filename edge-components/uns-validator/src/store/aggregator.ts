/**
 * Turns the validator's verdicts into a {@link VerdictBatch}: counters per time bucket and
 * dimensions, plus a capped sample of violations. Runs per message, so `add` is O(1) and
 * allocates, in the steady state, only one short-lived key string.
 */
import { ERROR_KINDS, type ErrorKind, type Verdict } from '../verdict';
import type { ValidationCount, VerdictBatch, ViolationRecord } from './batch';
import { payloadExcerpt, storableText } from './excerpt';

/** Tuning of a {@link VerdictAggregator}; every field has a default. */
export interface AggregatorOptions {
  /** Length of a count bucket in seconds (default 60). */
  readonly bucketSeconds?: number;
  /**
   * Most distinct count keys kept between two drains (default 10 000). Messages of further keys
   * are counted under an overflow key whose site, area and line are {@link OVERFLOW}, so
   * parameter values from misbehaving publishers cannot grow memory without bound.
   */
  readonly maxKeys?: number;
  /** Most violation samples per (channel, error kind) between two drains (default 5). */
  readonly samplesPerKind?: number;
  /** Most violation samples in total between two drains (default 200). */
  readonly maxSamples?: number;
  /** Most payload bytes kept in a sample's excerpt (default 2048). */
  readonly excerptBytes?: number;
}

/** What the validator knows about a message besides its verdict. */
export interface MessageContext {
  /** Reception time, epoch milliseconds. */
  readonly receivedAt: number;
  readonly payload: Uint8Array;
}

/** Site, area and line of the counts beyond {@link AggregatorOptions.maxKeys}. */
export const OVERFLOW = '(overflow)';

const KIND_INDEX = new Map<ErrorKind, number>(ERROR_KINDS.map((kind, index) => [kind, index]));

interface Counter {
  readonly bucketStart: number;
  readonly site: string;
  readonly area: string;
  readonly line: string;
  readonly channel: string;
  readonly contractVersion: string;
  readonly errorKind: ErrorKind | '';
  valid: number;
  invalid: number;
}

/**
 * Accumulates verdicts between two drains.
 *
 * Memory is bounded per drain interval: at most `maxKeys + (buckets spanned)` counters (one
 * overflow counter per bucket, channel, contract version and error kind beyond that) and at most
 * `maxSamples` samples of at most `excerptBytes` bytes each. `drain` releases all of it.
 */
export class VerdictAggregator {
  private readonly bucketMs: number;
  private readonly bucketSeconds: number;
  private readonly maxKeys: number;
  private readonly samplesPerKind: number;
  private readonly maxSamples: number;
  private readonly excerptBytes: number;

  private counters = new Map<string, Counter>();
  /**
   * The counter of valid messages last used per parameters object: a topic's verdicts share one
   * (the validator resolves each topic once), so the common case skips building the key.
   */
  private validCounters = new WeakMap<object, Counter>();
  private violations: ViolationRecord[] = [];
  /** Samples taken per channel, indexed by the error kind's position in `ERROR_KINDS`. */
  private samplesTaken = new Map<string, Uint32Array>();
  private overflowed = 0;

  constructor(options: AggregatorOptions = {}) {
    this.bucketSeconds = positiveInteger('bucketSeconds', options.bucketSeconds ?? 60);
    this.bucketMs = this.bucketSeconds * 1000;
    this.maxKeys = positiveInteger('maxKeys', options.maxKeys ?? 10_000);
    this.samplesPerKind = nonNegativeInteger('samplesPerKind', options.samplesPerKind ?? 5);
    this.maxSamples = nonNegativeInteger('maxSamples', options.maxSamples ?? 200);
    this.excerptBytes = nonNegativeInteger('excerptBytes', options.excerptBytes ?? 2048);
  }

  /**
   * Counts one verdict. Site, area and line come from the channel parameters `site`, `area` and
   * `line` (Sparkplug: `group` when there is no `site`), `''` when absent. An invalid message is
   * counted once, under the kind of its first error, and sampled while under the caps.
   */
  add(verdict: Verdict, context: MessageContext): void {
    if (verdict.valid) {
      this.addValid(verdict, context.receivedAt, 1);
      return;
    }
    const parameters = verdict.parameters;
    const site = parameters?.site ?? parameters?.group ?? '';
    const channel = verdict.channel ?? '';
    const contractVersion = verdict.contractVersion ?? '';
    const firstError = verdict.errors[0];
    const counter = this.counterFor(
      this.bucketOf(context.receivedAt),
      site,
      parameters?.area ?? '',
      parameters?.line ?? '',
      channel,
      contractVersion,
      firstError?.kind ?? '',
    );
    counter.invalid++;

    if (firstError !== undefined && this.takeSample(channel, firstError.kind)) {
      const excerpt = payloadExcerpt(context.payload, this.excerptBytes);
      this.violations.push({
        receivedAt: new Date(context.receivedAt),
        topic: storableText(verdict.topic),
        site,
        channel,
        contractVersion,
        errorKind: firstError.kind,
        errorCount: verdict.errors.length,
        schemaPath: storableText(firstError.schemaPath ?? ''),
        payloadPath: storableText(firstError.path),
        message: storableText(firstError.message),
        assertion: storableText(firstError.assertion ?? ''),
        payloadSize: context.payload.byteLength,
        payloadEncoding: excerpt.encoding,
        payloadExcerpt: excerpt.text,
      });
    }
  }

  /** Counts `count` messages judged `verdict` (valid), received at `receivedAt` (epoch ms). */
  addValid(verdict: Verdict, receivedAt: number, count: number): void {
    const parameters = verdict.parameters;
    const channel = verdict.channel ?? '';
    const contractVersion = verdict.contractVersion ?? '';
    const bucketStart = this.bucketOf(receivedAt);
    if (parameters !== undefined) {
      const known = this.validCounters.get(parameters);
      if (
        known?.bucketStart === bucketStart &&
        known.channel === channel &&
        known.contractVersion === contractVersion
      ) {
        known.valid += count;
        return;
      }
    }
    const counter = this.counterFor(
      bucketStart,
      parameters?.site ?? parameters?.group ?? '',
      parameters?.area ?? '',
      parameters?.line ?? '',
      channel,
      contractVersion,
      '',
    );
    counter.valid += count;
    if (parameters !== undefined) this.validCounters.set(parameters, counter);
  }

  /** Messages counted under the overflow key since this aggregator was created (a metric). */
  get overflowedMessages(): number {
    return this.overflowed;
  }

  /** Hands over everything accumulated since the last drain and starts afresh. */
  drain(): VerdictBatch {
    const counts: ValidationCount[] = [];
    for (const counter of this.counters.values()) {
      counts.push({
        bucketStart: new Date(counter.bucketStart),
        bucketSeconds: this.bucketSeconds,
        site: counter.site,
        area: counter.area,
        line: counter.line,
        channel: counter.channel,
        contractVersion: counter.contractVersion,
        errorKind: counter.errorKind,
        valid: counter.valid,
        invalid: counter.invalid,
      });
    }
    const batch: VerdictBatch = { counts, violations: this.violations };
    this.counters = new Map();
    this.validCounters = new WeakMap();
    this.violations = [];
    this.samplesTaken = new Map();
    return batch;
  }

  private bucketOf(receivedAt: number): number {
    return Math.floor(receivedAt / this.bucketMs) * this.bucketMs;
  }

  /** The counter of a key, created while under `maxKeys`, else the key's overflow counter. */
  private counterFor(
    bucketStart: number,
    site: string,
    area: string,
    line: string,
    channel: string,
    contractVersion: string,
    errorKind: ErrorKind | '',
  ): Counter {
    const key = `${bucketStart}\0${site}\0${area}\0${line}\0${channel}\0${contractVersion}\0${errorKind}`;
    const counter = this.counters.get(key);
    if (counter !== undefined) return counter;
    if (this.counters.size < this.maxKeys) {
      return this.createCounter(
        key,
        bucketStart,
        site,
        area,
        line,
        channel,
        contractVersion,
        errorKind,
      );
    }
    this.overflowed++;
    const overflowKey = `${bucketStart}\0\0\0\0${channel}\0${contractVersion}\0${errorKind}\0${OVERFLOW}`;
    return (
      this.counters.get(overflowKey) ??
      this.createCounter(
        overflowKey,
        bucketStart,
        OVERFLOW,
        OVERFLOW,
        OVERFLOW,
        channel,
        contractVersion,
        errorKind,
      )
    );
  }

  private createCounter(
    key: string,
    bucketStart: number,
    site: string,
    area: string,
    line: string,
    channel: string,
    contractVersion: string,
    errorKind: ErrorKind | '',
  ): Counter {
    const counter: Counter = {
      bucketStart,
      site,
      area,
      line,
      channel,
      contractVersion,
      errorKind,
      valid: 0,
      invalid: 0,
    };
    this.counters.set(key, counter);
    return counter;
  }

  /** Whether a violation of `kind` on `channel` is sampled, counting it against the caps. */
  private takeSample(channel: string, kind: ErrorKind): boolean {
    if (this.violations.length >= this.maxSamples) return false;
    let taken = this.samplesTaken.get(channel);
    if (taken === undefined) {
      taken = new Uint32Array(ERROR_KINDS.length);
      this.samplesTaken.set(channel, taken);
    }
    const index = KIND_INDEX.get(kind) ?? 0;
    const count = taken[index] ?? 0;
    if (count >= this.samplesPerKind) return false;
    taken[index] = count + 1;
    return true;
  }
}

function nonNegativeInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
  return value;
}

function positiveInteger(name: string, value: number): number {
  if (nonNegativeInteger(name, value) === 0) throw new RangeError(`${name} must be positive`);
  return value;
}
