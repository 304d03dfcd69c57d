/**
 * The processor interface: what runs on every judged message after validation, in a chain per
 * AsyncAPI channel (see `README.md` beside this file). Built-in processors and a plant's own
 * plug-ins implement the same interface.
 */
import type { Logger } from 'pino';
import type { ValidatorConfig } from '../service/config';
import type { Verdict } from '../verdict';

/** A judged message, as a processor of the chain receives it. */
export interface ProcessedMessage {
  /** The topic the message was published on. */
  readonly topic: string;
  /** The AsyncAPI channel id the topic resolved to; undefined for an unknown topic. */
  readonly channel: string | undefined;
  /** The validator's verdict on the message. */
  readonly verdict: Verdict;
  /** The payload as received. Processors must not modify it: later processors read it too. */
  readonly payload: Buffer;
  /** Wall-clock receive time, ms since the epoch. */
  readonly receivedAt: number;
}

/** A message a processor has the validator publish to the broker. */
export interface Publication {
  readonly topic: string;
  readonly payload: Buffer | string;
  /**
   * Publish retained.
   * @default false - the broker does not keep it for later subscribers.
   */
  readonly retain?: boolean;
  /**
   * What the publication is, as a metrics label: the `enforce` processor sets its mode
   * (`quarantine`, `filter`), which the validator counts in `uns_validator_republished_total{mode}`.
   * @default undefined - counted only per processor (`uns_validator_processor_published_total`).
   */
  readonly kind?: string;
}

/** What a processor did with a message. */
export interface ProcessorOutcome {
  /** Messages to publish, in order, before the next processor runs. */
  readonly publications?: readonly Publication[];
  /**
   * The message the next processor of the chain receives: `null` ends the chain for this message.
   * @default the message this processor received, unchanged.
   */
  readonly next?: ProcessedMessage | null;
}

/** The channel label of messages on unknown topics (metrics, {@link Processor.actsOn}). */
export const UNKNOWN_CHANNEL = 'unknown';

/**
 * One step of a chain. `process` is called once per message, in order per topic (per edge node
 * for Sparkplug when the validator orders so), and may return its outcome directly (the fast path)
 * or as a promise. Returning `undefined` means the processor had nothing to do with the message
 * (counted `skipped`); the message goes on unchanged.
 */
export interface Processor {
  /** Name in logs and in the `processor` label of the metrics, e.g. `contextualise`. */
  readonly name: string;
  /**
   * Topic prefixes the processor publishes under (without the trailing `/`): the validator does
   * not judge messages on them, which it would otherwise receive back from the broker.
   * @default [] - the processor publishes nothing, or to topics the validator does not subscribe to.
   */
  readonly outputPrefixes?: readonly string[];
  /**
   * Whether the processor can do anything for messages of this channel (`unknown`: unknown
   * topics); one that cannot is left out of the channel's chain, so it costs nothing per message
   * (`enforce` on a `monitor` channel).
   * @default every channel.
   */
  actsOn?(channel: string): boolean;
  process(
    message: ProcessedMessage,
  ): ProcessorOutcome | undefined | PromiseLike<ProcessorOutcome | undefined>;
  /** Releases what the processor holds; called once no message is in the chain any more. */
  close?(): Promise<void> | void;
}

/** What a processor factory gets besides its own options. */
export interface ProcessorContext {
  /** The validator's enforcement settings (modes per channel, quarantine and validated prefixes). */
  readonly enforcement: ValidatorConfig['enforcement'];
  /** The validator's logger; a processor should log through a child of it. */
  readonly logger: Logger;
  /** The folder of the chains file: relative paths in options are taken from it. */
  readonly baseDir: string;
}

/**
 * Creates a processor from its `options` (as written in the chains file, `{}` when absent). A
 * plug-in module exports one as `default` or as `createProcessor`. It throws when the options are
 * unusable: the chains file is then refused, naming the step and the message.
 */
export type ProcessorFactory = (
  options: Record<string, unknown>,
  context: ProcessorContext,
) => Processor | Promise<Processor>;
