import { compileContracts } from '../contract/compile-contracts';
import type { LoadedContracts } from '../contract/model';
import { SparkplugSessionTracker, type EdgeNodeSnapshot } from '../sparkplug';
import {
  judgeWithheldPayload,
  validateMessage,
  type JudgingLimits,
  type ValidateOptions,
} from '../validate/validate-message';
import type { Verdict } from '../verdict';
import type { ValidationTask } from '../service/validation-task';

/** Edge nodes silent this long are forgotten (they must send a new NBIRTH). */
const EDGE_NODE_IDLE_MS = 24 * 60 * 60 * 1000;

/** What a judge answers to a task: a verdict, handed-over Sparkplug sessions, or nothing. */
export type ValidationResult = Verdict | readonly EdgeNodeSnapshot[] | null;

/**
 * Judges messages in arrival order against compiled contracts, with the Sparkplug B sessions of
 * the edge nodes routed to it. One runs in each worker thread, and one on the main thread for the
 * messages the dispatcher judges inline: the same code either way.
 */
export class ValidationJudge {
  /** Messages judged since start. */
  judged = 0;
  private readonly tracker = new SparkplugSessionTracker();
  private readonly options: ValidateOptions;
  private readonly evictionTimer: NodeJS.Timeout;

  constructor(
    private contracts: LoadedContracts,
    private readonly limits: JudgingLimits,
  ) {
    this.options = {
      sparkplug: (topic, payload) => this.tracker.check(topic, payload, Date.now()).errors,
      limits,
    };
    this.evictionTimer = setInterval(
      () => this.tracker.evictIdle(Date.now() - EDGE_NODE_IDLE_MS),
      60_000,
    ).unref();
  }

  /** Judges a message, in arrival order with the others of its ordering key. */
  judge(topic: string, payload: Uint8Array): Verdict {
    this.judged++;
    return validateMessage(this.contracts, topic, payload, this.options);
  }

  /** Judges a message whose payload was withheld because no channel accepts its size. */
  judgeWithheld(topic: string, byteLength: number): Verdict {
    return judgeWithheldPayload(this.contracts, topic, byteLength, this.limits);
  }

  /** Judges the messages after this call by these contracts. */
  useContracts(contracts: LoadedContracts): void {
    this.contracts = contracts;
  }

  /** Hands over every Sparkplug session (forgotten here), for the dispatcher to move them. */
  takeSessions(): EdgeNodeSnapshot[] {
    return this.tracker.takeSessions();
  }

  /** Adopts sessions handed over by another judge. */
  adoptSessions(sessions: readonly EdgeNodeSnapshot[]): void {
    this.tracker.adoptSessions(sessions);
  }

  /** Runs a task of the dispatcher's protocol (what a worker thread receives). */
  run(task: ValidationTask): ValidationResult {
    switch (task.kind) {
      case 'message':
        return this.judge(task.topic, task.payload);
      case 'withheld':
        return this.judgeWithheld(task.topic, task.byteLength);
      case 'reload':
        this.useContracts(compileContracts(task.contracts));
        return null;
      case 'take-sessions':
        return this.takeSessions();
      case 'adopt-sessions':
        this.adoptSessions(task.sessions);
        return null;
      case 'ping':
        return null;
    }
  }

  /** Stops the idle-session eviction timer. */
  close(): void {
    clearInterval(this.evictionTimer);
  }
}
