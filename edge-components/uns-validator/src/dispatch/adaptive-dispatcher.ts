import { EventEmitter } from 'node:events';
import { cpus } from 'node:os';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { ResourceLimits } from 'node:worker_threads';
import type { ContractDescription, LoadedContracts } from '../contract/model';
import { KeyedWorkerPool, ownBytes, PoolClosedError, type PoolStats } from '../pool';
import type { EdgeNodeSnapshot } from '../sparkplug';
import { largestAcceptedPayload, type JudgingLimits } from '../validate/validate-message';
import type { Verdict } from '../verdict';
import {
  orderingKey,
  type ValidationTask,
  type ValidationWorkerData,
} from '../service/validation-task';
import {
  initialState,
  nextChange,
  type DispatchChange,
  type DispatchState,
  type LoadPolicy,
  type LoadSample,
} from './load-policy';
import { ValidationJudge, type ValidationResult } from './validation-judge';

/** Where the dispatcher hands each message's outcome (positional arguments: no object per message). */
export interface DispatchSink {
  /** The message was judged. */
  verdict(
    verdict: Verdict,
    topic: string,
    payload: Buffer,
    receivedAt: number,
    started: number,
  ): void;
  /** Judging the message failed: its worker died or stalled on it, or the judge threw. */
  failed(error: unknown, topic: string, payload: Buffer, receivedAt: number, started: number): void;
  /** The message was not judged: the queues were full, or it came after the dispatcher closed. */
  dropped(reason: 'queue-full' | 'stopping'): void;
}

/** Options of {@link AdaptiveDispatcher.start}. */
export interface AdaptiveDispatcherOptions {
  /** The contracts as parsed (sent to workers) and as compiled (used inline). */
  readonly contracts: {
    readonly described: readonly ContractDescription[];
    readonly compiled: LoadedContracts;
  };
  readonly limits: JudgingLimits;
  readonly policy: LoadPolicy;
  /** How often the load is measured and the arrangement reconsidered, ms. */
  readonly intervalMs: number;
  /** Messages each worker, and the dispatcher while it rearranges, may hold. */
  readonly queueCapacity: number;
  /**
   * When a worker's queue is full: `drop-newest` drops the message (counted); `backpressure`
   * keeps it, and the ones after it, until there is room (the caller stops reading meanwhile,
   * see {@link AdaptiveDispatcher.writable}).
   */
  readonly overload: 'drop-newest' | 'backpressure';
  /** Absolute path of the validation worker module. */
  readonly workerModule: string;
  readonly resourceLimits?: ResourceLimits;
  /** A worker judging one message this long is stopped; the message fails. */
  readonly taskTimeoutMs: number;
  readonly sink: DispatchSink;
}

/** A change of arrangement the dispatcher made, as its `decision` event reports it. */
export interface DispatchDecision extends DispatchState {
  readonly from: DispatchState;
  readonly reason: string;
  /** When the change took effect, `performance.now()` ms. */
  readonly at: number;
  /** How long the change held messages back (waiting for in-flight ones, moving sessions), ms. */
  readonly tookMs: number;
  /** The load that called for it. */
  readonly load: LoadSample | undefined;
}

/** Events of {@link AdaptiveDispatcher}. */
export interface AdaptiveDispatcherEvents {
  decision: [DispatchDecision];
  /** The load of one interval, measured. */
  load: [LoadSample];
  /** A worker thread threw an uncaught error; it is being restarted. */
  workerError: [error: Error, workerIndex: number];
}

/** A message received while the dispatcher rearranges, judged once it is done. */
interface HeldMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly receivedAt: number;
  readonly started: number;
}

/** Topics whose inline eligibility is remembered; the memo starts over beyond this. */
const TOPIC_MEMO_LIMIT = 100_000;
/** Load samples kept for the policy. */
const SAMPLES_KEPT = 5;

/**
 * Decides, and changes while running, how messages are judged: inline on the main thread's event
 * loop while it has room, or on worker threads (as many as the load needs, between the policy's
 * bounds) when it does not; see {@link nextChange}.
 *
 * Order per ordering key (topic; Sparkplug edge node) holds across every change, and every message
 * is judged exactly once: a change first holds new messages back, waits until every message
 * already on a worker is judged, moves the Sparkplug sessions to the edge nodes' new owners, then
 * judges the held messages in order. Messages of a channel whose schemas may backtrack
 * catastrophically are never judged inline (only a worker can be stopped when a message stalls
 * it), so at least one worker always runs.
 */
export class AdaptiveDispatcher extends EventEmitter<AdaptiveDispatcherEvents> {
  private current: DispatchState;
  private readonly judge: ValidationJudge;
  private contracts: LoadedContracts;
  private payloadCeiling: number;
  private readonly inlineTopics = new Map<string, boolean>();
  private held: HeldMessage[] | undefined;
  /** Under backpressure: messages waiting, in order, for room on the workers. */
  private backlog: HeldMessage[] | undefined;
  private releaseWaiters: (() => void)[] = [];
  private changes: Promise<void> = Promise.resolve();
  private changing = false;
  private readonly samples: LoadSample[] = [];
  private readonly timer: NodeJS.Timeout;
  private utilizationBase: EventLoopUtilization = performance.eventLoopUtilization();
  private idleBase = machineIdleMs();
  private dispatchedSinceSample = 0;
  private dispatchedTotal = 0;
  private lastSampleAt = performance.now();
  private inlineJudged = 0;
  private closed = false;

  private constructor(
    private readonly options: AdaptiveDispatcherOptions,
    private readonly pool: KeyedWorkerPool<ValidationTask, ValidationResult>,
    state: DispatchState,
  ) {
    super();
    this.current = state;
    this.contracts = options.contracts.compiled;
    this.judge = new ValidationJudge(this.contracts, options.limits);
    this.payloadCeiling = largestAcceptedPayload(this.contracts, options.limits);
    pool.on('workerError', (error, index) => this.emit('workerError', error, index));
    this.timer = setInterval(() => {
      this.adapt();
    }, options.intervalMs).unref();
  }

  /** Starts the workers of the initial arrangement; resolves once each has answered. */
  static async start(options: AdaptiveDispatcherOptions): Promise<AdaptiveDispatcher> {
    const state = initialState(options.policy);
    const workerData: ValidationWorkerData = {
      contracts: options.contracts.described,
      limits: options.limits,
    };
    const pool = new KeyedWorkerPool<ValidationTask, ValidationResult>({
      workerModule: options.workerModule,
      workerData,
      size: state.workers,
      queueCapacity: options.queueCapacity,
      overload: 'drop-newest',
      resourceLimits: options.resourceLimits,
      taskTimeoutMs: options.taskTimeoutMs,
    });
    const dispatcher = new AdaptiveDispatcher(options, pool, state);
    await dispatcher.toEachWorker({ kind: 'ping' });
    return dispatcher;
  }

  /** Messages dispatched since start. */
  get dispatched(): number {
    return this.dispatchedTotal;
  }

  /** The current arrangement. */
  get state(): DispatchState {
    return this.current;
  }

  /**
   * True while a change holds messages back. It lasts as long as the messages already on workers
   * take; the caller should stop reading once {@link writable} is false, whatever its overload
   * policy, since held messages are judged, not dropped.
   */
  get rearranging(): boolean {
    return this.held !== undefined;
  }

  /** False while the next message could not be accepted (a worker's or the hold queue is full). */
  get writable(): boolean {
    if (this.backlog !== undefined) return false;
    return this.held === undefined
      ? this.pool.writable
      : this.held.length < this.options.queueCapacity;
  }

  /** Resolves when {@link writable} is true again. */
  async whenWritable(): Promise<void> {
    while (
      this.backlog !== undefined ||
      (this.held !== undefined && this.held.length >= this.options.queueCapacity)
    ) {
      await new Promise<void>((resolve) => this.releaseWaiters.push(resolve));
    }
    await this.pool.whenWritable();
  }

  /** Judges a message inline or hands it to its worker; the outcome goes to the sink. */
  dispatch(topic: string, payload: Buffer, receivedAt: number, started: number): void {
    this.dispatchedSinceSample++;
    this.dispatchedTotal++;
    const waiting = this.backlog ?? this.held;
    if (waiting !== undefined) {
      // Never dropped: the caller stops reading while `writable` is false (see `rearranging`).
      waiting.push({ topic, payload, receivedAt, started });
      return;
    }
    if (this.current.mode === 'inline' && this.judgedInline(topic)) {
      this.judgeInline(topic, payload, receivedAt, started);
      return;
    }
    const pending = this.pool.submit(
      orderingKey(topic),
      payload.byteLength > this.payloadCeiling
        ? { kind: 'withheld', topic, byteLength: payload.byteLength }
        : { kind: 'message', topic, payload: ownBytes(payload) },
    );
    if (pending === undefined) {
      if (this.pool.closed) {
        this.options.sink.dropped('stopping');
      } else if (this.options.overload === 'drop-newest') {
        this.options.sink.dropped('queue-full');
      } else {
        this.backlog = [{ topic, payload, receivedAt, started }];
        void this.pool.whenWritable().then(
          () => {
            this.dispatchBacklog();
          },
          () => undefined,
        );
      }
      return;
    }
    pending.then(
      (verdict) => {
        this.options.sink.verdict(verdict as Verdict, topic, payload, receivedAt, started);
      },
      (error: unknown) => {
        this.options.sink.failed(error, topic, payload, receivedAt, started);
      },
    );
  }

  /**
   * Judges the messages received from now on by new contracts; messages received before are
   * judged by the old ones.
   */
  async reload(
    described: readonly ContractDescription[],
    compiled: LoadedContracts,
  ): Promise<void> {
    await this.exclusively(async () => {
      const workerData: ValidationWorkerData = {
        contracts: described,
        limits: this.options.limits,
      };
      this.pool.setWorkerData(workerData);
      await this.toEachWorker({ kind: 'reload', contracts: described });
      this.judge.useContracts(compiled);
      this.contracts = compiled;
      this.payloadCeiling = largestAcceptedPayload(compiled, this.options.limits);
      this.inlineTopics.clear();
    });
  }

  /** Counters: the pool's, the messages judged inline, and those held during a change. */
  stats(): PoolStats & { readonly inlineJudged: number; readonly held: number } {
    return { ...this.pool.stats(), inlineJudged: this.inlineJudged, held: this.held?.length ?? 0 };
  }

  /**
   * Changes the arrangement now (the adaptive policy does this by itself; tests and operators may
   * force one). Resolves once the change is in effect.
   */
  async rearrange(change: DispatchChange, load?: LoadSample): Promise<void> {
    // Read once the changes queued before this one are done: the arrangement actually left.
    let from = this.current;
    const begun = performance.now();
    await this.exclusively(async () => {
      from = this.current;
      const sessions = this.judge.takeSessions();
      for (const taken of await this.toEachWorker({ kind: 'take-sessions' })) {
        sessions.push(...(taken as EdgeNodeSnapshot[]));
      }
      await this.pool.resize(change.state.workers);
      this.current = change.state;
      await this.handOver(sessions);
    });
    const at = performance.now();
    this.emit('decision', {
      ...change.state,
      from,
      reason: change.reason,
      at,
      tookMs: at - begun,
      load,
    });
  }

  /**
   * Stops adapting, judges every message held, waiting for room or on a worker, and stops the
   * workers.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.changes;
    // Messages waiting for room under backpressure are judged too: the pool is still open.
    while (this.backlog !== undefined) {
      await new Promise<void>((resolve) => this.releaseWaiters.push(resolve));
    }
    await this.pool.close();
    this.judge.close();
  }

  private judgedInline(topic: string): boolean {
    let inline = this.inlineTopics.get(topic);
    if (inline === undefined) {
      if (this.inlineTopics.size >= TOPIC_MEMO_LIMIT) this.inlineTopics.clear();
      inline =
        topic.startsWith('spBv1.0/') ||
        this.contracts.matcher
          .match(topic)
          .every(({ channel }) => channel.backtrackingPatterns.length === 0);
      this.inlineTopics.set(topic, inline);
    }
    return inline;
  }

  private judgeInline(topic: string, payload: Buffer, receivedAt: number, started: number): void {
    let verdict: Verdict;
    try {
      verdict =
        payload.byteLength > this.payloadCeiling
          ? this.judge.judgeWithheld(topic, payload.byteLength)
          : this.judge.judge(topic, payload);
    } catch (error) {
      this.options.sink.failed(error, topic, payload, receivedAt, started);
      return;
    }
    this.inlineJudged++;
    this.options.sink.verdict(verdict, topic, payload, receivedAt, started);
  }

  /** Measures the last interval's load and applies the change the policy calls for, if any. */
  private adapt(): void {
    const now = performance.now();
    const elapsedMs = now - this.lastSampleAt;
    const utilization = performance.eventLoopUtilization(this.utilizationBase);
    this.utilizationBase = performance.eventLoopUtilization();
    const idleMs = machineIdleMs();
    const sample: LoadSample = {
      mainUtilization: utilization.utilization,
      workerCores: this.pool.takeBusyMs() / elapsedMs,
      messagesPerSecond: (this.dispatchedSinceSample * 1000) / elapsedMs,
      idleCores: (idleMs - this.idleBase) / elapsedMs,
    };
    this.idleBase = idleMs;
    this.lastSampleAt = now;
    this.dispatchedSinceSample = 0;
    this.emit('load', sample);
    if (this.changing) return;
    this.samples.push(sample);
    if (this.samples.length > SAMPLES_KEPT) this.samples.shift();
    const change = nextChange(this.current, this.samples, this.options.policy);
    if (change === undefined) return;
    this.changing = true;
    this.rearrange(change, sample).then(
      () => {
        // The samples before the change describe the old arrangement.
        this.samples.length = 0;
        this.changing = false;
      },
      () => {
        this.changing = false;
      },
    );
  }

  /**
   * Runs `work` with every message held back and none on a worker; then judges the held messages
   * in the order they arrived. Changes run one after the other.
   */
  private exclusively(work: () => Promise<void>): Promise<void> {
    const run = this.changes.then(async () => {
      this.held ??= [];
      try {
        await this.pool.whenIdle();
        await work();
      } finally {
        this.release();
      }
    });
    this.changes = run.catch(() => undefined);
    return run;
  }

  private release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    this.dispatchAgain(held);
  }

  /** Dispatches the messages that waited for room, in order, until one has to wait again. */
  private dispatchBacklog(): void {
    const backlog = this.backlog ?? [];
    this.backlog = undefined;
    this.dispatchAgain(backlog);
  }

  /** Dispatches messages that were held back (counted once already), then wakes the writers. */
  private dispatchAgain(messages: readonly HeldMessage[]): void {
    for (const { topic, payload, receivedAt, started } of messages) {
      this.dispatchedSinceSample--;
      this.dispatchedTotal--;
      this.dispatch(topic, payload, receivedAt, started);
    }
    for (const resolve of this.releaseWaiters.splice(0)) resolve();
  }

  /** Gives each Sparkplug session to the judge that owns its edge node in the new arrangement. */
  private async handOver(sessions: readonly EdgeNodeSnapshot[]): Promise<void> {
    if (sessions.length === 0) return;
    if (this.current.mode === 'inline') {
      this.judge.adoptSessions(sessions);
      return;
    }
    const perWorker = new Map<number, EdgeNodeSnapshot[]>();
    for (const session of sessions) {
      // The ordering key of an edge node's messages (see `orderingKey`).
      const index = this.pool.workerIndexOf(`spBv1.0/${session.edgeNode}`);
      perWorker.set(index, [...(perWorker.get(index) ?? []), session]);
    }
    await Promise.all(
      [...perWorker].map(([index, owned]) =>
        this.toWorker(index, { kind: 'adopt-sessions', sessions: owned }),
      ),
    );
  }

  /** Sends a task to every worker, in order with what is queued there; resolves with the answers. */
  private toEachWorker(task: ValidationTask): Promise<ValidationResult[]> {
    return Promise.all(
      Array.from({ length: this.pool.size }, (_, index) => this.toWorker(index, task)),
    );
  }

  /** Sends a task to worker `index`, in order with what is queued there; resolves with its answer. */
  private async toWorker(index: number, task: ValidationTask): Promise<ValidationResult> {
    const key = keyOfWorker(this.pool, index);
    while (!this.pool.canAccept(key)) await this.pool.whenWritable();
    const answer = this.pool.submit(key, task);
    if (answer === undefined) throw new PoolClosedError('the pool is closed');
    return answer;
  }
}

/** Idle time of all the machine's cores since boot, ms. */
function machineIdleMs(): number {
  return cpus().reduce((total, { times }) => total + times.idle, 0);
}

/** A key that the pool routes to worker `index`. */
function keyOfWorker(
  pool: KeyedWorkerPool<ValidationTask, ValidationResult>,
  index: number,
): string {
  for (let attempt = 0; ; attempt++) {
    const key = `__control/${String(attempt)}`;
    if (pool.workerIndexOf(key) === index) return key;
  }
}
