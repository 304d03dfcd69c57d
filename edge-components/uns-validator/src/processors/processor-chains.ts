/**
 * Runs every judged message through the processor chain of its channel, in order per topic,
 * isolating each processor: one that throws, rejects or hangs is counted and passed over, and a
 * slow one holds back only the messages ordered behind it.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { ValidatorConfig } from '../service/config';
import {
  BUILT_IN_PROCESSORS,
  type BuiltChains,
  buildChains,
  type ChainStep,
  closeProcessors,
  DEFAULT_CHAIN,
} from './chains-file';
import type { ProcessorMetrics, ProcessorTally } from './processor-metrics';
import {
  UNKNOWN_CHANNEL,
  type ProcessedMessage,
  type ProcessorFactory,
  type ProcessorOutcome,
  type Publication,
} from './processor';

/** What {@link ProcessorChains} needs. */
export interface ProcessorChainsOptions {
  /**
   * The chains file (YAML or JSON), reloaded by {@link ProcessorChains.reload}.
   * @default none - every channel's chain is `[enforce]`.
   */
  readonly file?: string;
  /** The validator's enforcement settings, for the `enforce` processor (and any plug-in). */
  readonly enforcement: ValidatorConfig['enforcement'];
  readonly logger: Logger;
  /** Where the runs are counted (`processorMetrics(registry)`). */
  readonly metrics: ProcessorMetrics;
  /** Publishes a processor's publication; called synchronously, in the chain's order. */
  readonly publish: (publication: Publication) => void;
  /**
   * Processors a host adds to the built-ins, by the name a chain `use`s (the local plant's, a
   * test's); a plant adds its own as plug-in modules instead.
   * @default none - the built-ins only.
   */
  readonly processors?: Readonly<Record<string, ProcessorFactory>>;
  /**
   * The key whose messages keep their order through the chains: a message waits for the earlier
   * messages of its key only. Pass the dispatcher's key to keep Sparkplug edge nodes in order.
   * @default the topic.
   */
  readonly orderingKey?: (topic: string) => string;
  /**
   * The channel ids of the contracts in force: a chain keyed by an id not among them (a typo, a
   * channel renamed) would never run, so loading and reloading warn about it.
   * @default none - no check.
   */
  readonly channelIds?: () => Iterable<string>;
}

/** Quiet time after the chains file changes before it is reloaded (editors write in steps). */
const RELOAD_DEBOUNCE_MS = 250;
/** A failing processor is logged at most once per this interval (per channel), with a count. */
const LOG_INTERVAL_MS = 10_000;

/** A step bound to one channel: what it counts into and when it last logged. */
interface BoundStep extends ChainStep {
  readonly channel: string;
  readonly tally: ProcessorTally;
  loggedAt: number;
  unlogged: number;
}

/** A chain bound to one channel, in the generation (version of the file) it belongs to. */
interface BoundChain {
  readonly channel: string;
  readonly steps: readonly BoundStep[];
  readonly generation: Generation;
}

/** One version of the chains file in force, and the messages still in its chains. */
interface Generation {
  readonly built: BuiltChains;
  readonly bound: Map<string, BoundChain>;
  /** Topic prefixes (with their `/`) its processors publish under. */
  readonly outputPrefixes: readonly string[];
  /** Messages waiting for or in an asynchronous step of its chains. */
  inFlight: number;
  /** A newer version is in force: its processors close once `inFlight` is 0. */
  retired: boolean;
}

/** A message waiting for an earlier message of its ordering key. */
interface Waiting {
  readonly chain: BoundChain;
  readonly message: ProcessedMessage;
}

/** A first-in first-out queue that does not shift arrays. */
class Queue<T> {
  private items: T[] = [];
  private head = 0;

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head === this.items.length) return undefined;
    const item = this.items[this.head];
    this.head += 1;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
    return item;
  }
}

/**
 * The processor chains in force: a chain per AsyncAPI channel id (the file's `default` chain for
 * channels it does not list), hot-reloadable like the contracts.
 *
 * Order: the messages of one ordering key (the topic by default) go through the chains in the
 * order `process` received them. While every processor answers synchronously, a message runs
 * through its whole chain inside `process` (no promise, no timer). Once a processor returns a
 * promise, the later messages of that key wait in a queue until the message has finished its
 * chain; other keys, and every other channel, go on.
 *
 * Isolation: a processor that throws or rejects is counted `error`, one whose promise does not
 * settle within its step's `timeoutMs` is counted `timeout` (its late result is ignored), and in
 * both cases the message goes on, unchanged, to the next processor: it is never lost for the
 * later processors nor for the other channels. Failures are logged at most once per 10 s per
 * processor and channel.
 */
export class ProcessorChains {
  private generation: Generation;
  /** Ordering keys with a message in an asynchronous step, and the messages waiting behind it. */
  private readonly queues = new Map<string, Queue<Waiting>>();
  /** Messages waiting, per channel. */
  private readonly waitingPerChannel = new Map<string, number>();
  private readonly closings = new Set<Promise<void>>();
  private idleWaiters: (() => void)[] = [];
  private reloading: Promise<unknown> = Promise.resolve();
  private watcher: FSWatcher | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly options: ProcessorChainsOptions,
    built: BuiltChains,
  ) {
    this.generation = generationOf(built);
    this.warnAboutUnknownChannels(built);
  }

  /**
   * Reads the chains file and creates its processors.
   *
   * @throws ConfigError listing every problem of the file.
   */
  static async load(options: ProcessorChainsOptions): Promise<ProcessorChains> {
    return new ProcessorChains(
      options,
      await buildChains(options.file, options, factoriesOf(options)),
    );
  }

  /**
   * Whether `topic` is under a prefix a processor of the chains publishes to: the validator must
   * not judge such messages (they are its own output coming back from the broker).
   */
  isOutput(topic: string): boolean {
    for (const prefix of this.generation.outputPrefixes) {
      if (topic.startsWith(prefix)) return true;
    }
    return false;
  }

  /** Whether messages of this channel go through any processor at all. */
  hasWork(channel: string | undefined): boolean {
    return this.chainOf(channel).steps.length > 0;
  }

  /** Runs a judged message through the chain of its channel; publications go to `publish`. */
  process(message: ProcessedMessage): void {
    const chain = this.chainOf(message.channel);
    const { orderingKey } = this.options;
    const key = orderingKey === undefined ? message.topic : orderingKey(message.topic);
    const queue = this.queues.get(key);
    if (queue === undefined) {
      this.run(chain, 0, message, key);
      return;
    }
    const waiting = this.waitingPerChannel.get(chain.channel) ?? 0;
    if (waiting >= chain.generation.built.queueCapacity) {
      this.options.metrics.countDropped(chain.channel);
      return;
    }
    this.waitingPerChannel.set(chain.channel, waiting + 1);
    chain.generation.inFlight += 1;
    queue.push({ chain, message });
  }

  /**
   * Reads the chains file again. When it loads, new messages go through the new chains (messages
   * already in a chain finish with the old one, whose processors are then closed); when it does
   * not, the chains in force stay and the failure is logged and counted. Reloads run one at a
   * time, in the order they were asked for.
   */
  reload(): Promise<boolean> {
    const reloaded = this.reloading.then(() => this.reloadNow());
    this.reloading = reloaded;
    return reloaded;
  }

  /** Reloads the chains when their file changes (debounced); nothing without a file. */
  watch(): void {
    const { file, logger } = this.options;
    if (file === undefined || this.watcher !== undefined) return;
    // The folder, not the file: editors replace a file by renaming another over it.
    const name = basename(file);
    this.watcher = watch(dirname(resolve(file)), (_, changed) => {
      if (changed !== null && changed !== name) return;
      clearTimeout(this.reloadTimer);
      this.reloadTimer = setTimeout(() => void this.reload(), RELOAD_DEBOUNCE_MS);
    });
    this.watcher.on('error', (error) => {
      logger.error({ err: error, file }, 'watching the processor chains file failed');
    });
  }

  /**
   * Stops watching, lets every message already in a chain finish (each step waits at most its
   * `timeoutMs`), then closes every processor. Call it after the last `process`.
   */
  async close(): Promise<void> {
    this.watcher?.close();
    clearTimeout(this.reloadTimer);
    await this.reloading;
    if (this.queues.size > 0) {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
    this.retire(this.generation);
    await Promise.all(this.closings);
  }

  private async reloadNow(): Promise<boolean> {
    const { file, logger, metrics } = this.options;
    let built: BuiltChains;
    try {
      built = await buildChains(file, this.options, factoriesOf(this.options));
    } catch (error) {
      metrics.countReload('rejected');
      logger.error({ err: error }, 'changed processor chains rejected; the previous chains stay');
      return false;
    }
    const previous = this.generation;
    this.generation = generationOf(built);
    this.retire(previous);
    metrics.countReload('applied');
    logger.info({ file, chains: [...built.chains.keys()] }, 'processor chains reloaded');
    this.warnAboutUnknownChannels(built);
    return true;
  }

  private warnAboutUnknownChannels(built: BuiltChains): void {
    const { channelIds, file, logger } = this.options;
    if (channelIds === undefined) return;
    const known = new Set([...channelIds(), DEFAULT_CHAIN, UNKNOWN_CHANNEL]);
    const unknown = [...built.chains.keys()].filter((channel) => !known.has(channel));
    if (unknown.length > 0) {
      logger.warn(
        { file, channels: unknown },
        'processor chains for channels that no contract in force has: they never run',
      );
    }
  }

  private chainOf(channel: string | undefined): BoundChain {
    const label = channel ?? UNKNOWN_CHANNEL;
    const { generation } = this;
    return generation.bound.get(label) ?? this.bind(generation, label);
  }

  private bind(generation: Generation, channel: string): BoundChain {
    const { chains } = generation.built;
    const steps = chains.get(channel) ?? chains.get(DEFAULT_CHAIN) ?? [];
    const chain: BoundChain = {
      channel,
      generation,
      steps: steps
        .filter(({ processor }) => processor.actsOn?.(channel) ?? true)
        .map((step) => ({
          ...step,
          channel,
          tally: this.options.metrics.tally(channel, step.processor.name),
          loggedAt: -Infinity,
          unlogged: 0,
        })),
    };
    generation.bound.set(channel, chain);
    return chain;
  }

  /**
   * Runs `message` through the chain from step `from`; returns false when a step went
   * asynchronous (the rest of the chain then runs when it settles).
   */
  private run(chain: BoundChain, from: number, message: ProcessedMessage, key: string): boolean {
    const { steps } = chain;
    let current = message;
    let started = performance.now();
    for (let index = from; index < steps.length; index += 1) {
      const step = steps[index] as BoundStep;
      let result: ReturnType<BoundStep['processor']['process']>;
      try {
        result = step.processor.process(current);
      } catch (error) {
        const ended = performance.now();
        step.tally.record('error', (ended - started) / 1000);
        this.report(step, error, current, 'processor threw; the message went on unchanged');
        started = ended;
        continue;
      }
      if (isPromiseLike(result)) {
        this.await(chain, index, current, key, result, started);
        return false;
      }
      const ended = performance.now();
      const next = this.settle(step, current, result, (ended - started) / 1000);
      if (next === null) return true;
      current = next;
      started = ended;
    }
    return true;
  }

  /** Waits for a step's promise, at most its `timeoutMs`, then runs the rest of the chain. */
  private await(
    chain: BoundChain,
    index: number,
    message: ProcessedMessage,
    key: string,
    pending: PromiseLike<ProcessorOutcome | undefined>,
    started: number,
  ): void {
    const step = chain.steps[index] as BoundStep;
    if (!this.queues.has(key)) this.queues.set(key, new Queue());
    chain.generation.inFlight += 1;
    let settled = false;
    const finish = (next: ProcessedMessage | null) => {
      settled = true;
      clearTimeout(timer);
      this.release(chain.generation);
      if (next === null || this.run(chain, index + 1, next, key)) this.drain(key);
    };
    const elapsed = () => (performance.now() - started) / 1000;
    const timer = setTimeout(() => {
      step.tally.record('timeout', elapsed());
      const error = new Error(`${step.processor.name} did not settle within ${step.timeoutMs} ms`);
      this.report(step, error, message, 'processor timed out; the message went on unchanged');
      finish(message);
    }, step.timeoutMs);
    Promise.resolve(pending).then(
      (outcome) => {
        if (!settled) finish(this.settle(step, message, outcome, elapsed()));
      },
      (error: unknown) => {
        if (settled) return;
        step.tally.record('error', elapsed());
        this.report(step, error, message, 'processor rejected; the message went on unchanged');
        finish(message);
      },
    );
  }

  /** Runs the messages waiting behind `key`'s, until one goes asynchronous or none is left. */
  private drain(key: string): void {
    const queue = this.queues.get(key);
    for (let waiting = queue?.shift(); waiting !== undefined; waiting = queue?.shift()) {
      const { chain, message } = waiting;
      this.waitingPerChannel.set(
        chain.channel,
        (this.waitingPerChannel.get(chain.channel) ?? 1) - 1,
      );
      this.release(chain.generation);
      if (!this.run(chain, 0, message, key)) return;
    }
    this.queues.delete(key);
    if (this.queues.size === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /**
   * Applies a processor's outcome: its publications published, the run counted; returns the
   * message for the next step (`null`: the chain ends). A malformed outcome, or a publication
   * that fails, counts as an error: the message goes on unchanged.
   */
  private settle(
    step: BoundStep,
    message: ProcessedMessage,
    outcome: unknown,
    seconds: number,
  ): ProcessedMessage | null {
    if (outcome === undefined) {
      step.tally.record('skipped', seconds);
      return message;
    }
    try {
      assertOutcome(outcome);
      const { publications, next = message } = outcome;
      if (publications !== undefined) {
        for (const publication of publications) this.options.publish(publication);
        step.tally.published += publications.length;
      }
      step.tally.record('ok', seconds);
      return next;
    } catch (error) {
      step.tally.record('error', seconds);
      this.report(
        step,
        error,
        message,
        'processor outcome not applied; the message went on unchanged',
      );
      return message;
    }
  }

  /** Logs a failure of a step, at most once per {@link LOG_INTERVAL_MS}, with how many were not. */
  private report(step: BoundStep, error: unknown, message: ProcessedMessage, what: string): void {
    const now = Date.now();
    if (now - step.loggedAt < LOG_INTERVAL_MS) {
      step.unlogged += 1;
      return;
    }
    this.options.logger.warn(
      {
        err: error,
        channel: step.channel,
        processor: step.processor.name,
        topic: message.topic,
        notLoggedBefore: step.unlogged,
      },
      what,
    );
    step.loggedAt = now;
    step.unlogged = 0;
  }

  private release(generation: Generation): void {
    generation.inFlight -= 1;
    if (generation.retired && generation.inFlight === 0) this.closeGeneration(generation);
  }

  private retire(generation: Generation): void {
    if (generation.retired) return;
    generation.retired = true;
    if (generation.inFlight === 0) this.closeGeneration(generation);
  }

  private closeGeneration(generation: Generation): void {
    const closing = closeProcessors(generation.built.processors, this.options.logger).finally(() =>
      this.closings.delete(closing),
    );
    this.closings.add(closing);
  }
}

function factoriesOf(options: ProcessorChainsOptions): Readonly<Record<string, ProcessorFactory>> {
  return { ...BUILT_IN_PROCESSORS, ...options.processors };
}

function generationOf(built: BuiltChains): Generation {
  const prefixes = built.processors.flatMap((processor) => processor.outputPrefixes ?? []);
  return {
    built,
    bound: new Map(),
    outputPrefixes: [...new Set(prefixes)].map((prefix) => `${prefix}/`),
    inFlight: 0,
    retired: false,
  };
}

function isPromiseLike(value: unknown): value is PromiseLike<ProcessorOutcome | undefined> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/**
 * @throws TypeError when the outcome is malformed (a plug-in's bug): not an object, publications
 *   that are not a list of `{ topic, payload }`, or a `next` that is not a message or `null`.
 */
function assertOutcome(outcome: unknown): asserts outcome is ProcessorOutcome {
  if (typeof outcome !== 'object' || outcome === null) {
    throw new TypeError('the outcome is not an object');
  }
  const { publications, next } = outcome as Record<string, unknown>;
  if (publications !== undefined) {
    if (!Array.isArray(publications) || !publications.every(isPublication)) {
      throw new TypeError(
        'publications must be a list of { topic: string, payload: Buffer | string }',
      );
    }
  }
  if (next !== undefined && next !== null && !isMessage(next)) {
    throw new TypeError('next must be a message (topic, verdict, payload, receivedAt) or null');
  }
}

function isPublication(value: unknown): value is Publication {
  const { topic, payload } = (value ?? {}) as Partial<Publication>;
  return (
    typeof topic === 'string' &&
    topic.length > 0 &&
    (typeof payload === 'string' || Buffer.isBuffer(payload))
  );
}

function isMessage(value: unknown): value is ProcessedMessage {
  const { topic, verdict, payload, receivedAt } = (value ?? {}) as Partial<ProcessedMessage>;
  return (
    typeof topic === 'string' &&
    typeof verdict === 'object' &&
    Buffer.isBuffer(payload) &&
    typeof receivedAt === 'number'
  );
}
