/**
 * The validator's in-memory model of the loaded AsyncAPI contracts: parsed and compiled once at
 * start-up, read for every message.
 */
import type { AnySchema, ValidateFunction } from 'ajv';
import type { FastAcceptance } from '../validate/fast-acceptance';
import type { FixedProperty } from './fixed-properties';
import type { TopicMatcher } from './topic-matcher';

/** How a message's payload is encoded: JSON, or a binary Sparkplug B protobuf. */
export type PayloadFormat = 'json' | 'sparkplug-b';

/**
 * What a channel's contract says about payloads that start with a UTF-8 byte-order mark
 * (`x-byte-order-mark`): `reject` (the default; strict JSON consumers refuse them) judges them
 * invalid with an `encoding` error, `accept` ignores the mark.
 */
export type ByteOrderMarkRule = 'reject' | 'accept';

/** What a channel's contract says about the bytes of its payloads, beyond their schema. */
export interface PayloadRules {
  /**
   * Largest payload of the channel, in bytes (`x-max-payload-bytes`); larger ones are judged
   * `payload-too-large` unread. Absent: the validator's configured limit applies.
   */
  readonly maxPayloadBytes?: number;
  readonly byteOrderMark: ByteOrderMarkRule;
}

/** Where a contract comes from and which version it is. */
export interface ContractInfo {
  /** `info.title`. */
  readonly title: string;
  /** `info.version`; travels with every verdict as `contractVersion`. */
  readonly version: string;
  /** The AsyncAPI version of the document, e.g. `3.0.0` or `2.6.0`. */
  readonly asyncapiVersion: string;
  /** Absolute path of the document. */
  readonly source: string;
  /** Position in load order (0 = first); on topics several contracts match, the first loaded wins. */
  readonly loadOrder: number;
}

/** A channel parameter and the compiled check of its values. */
export interface LoadedParameter {
  readonly name: string;
  /**
   * JSON Schema a value must satisfy. AsyncAPI 2.x: the parameter's `schema`; 3.0: a string
   * schema built from `enum` and the `x-pattern` extension.
   */
  readonly schema: AnySchema;
  /** Compiled `schema` (types are coerced, so a 2.x `type: integer` accepts the level `42`). */
  readonly validate: ValidateFunction;
}

/** A message a channel may carry. */
export interface LoadedMessage {
  /** The message id (3.0: its key in the channel's `messages`; 2.x: `messageId` or its name). */
  readonly id: string;
  readonly payloadFormat: PayloadFormat;
  /**
   * The dereferenced payload JSON Schema, cycles replaced by local `$ref`s and `$id`/`$schema`
   * dropped; `undefined` when the message has no payload schema or is Sparkplug B.
   */
  readonly payloadSchema: AnySchema | undefined;
  /** Compiled `payloadSchema`, reporting every error; `undefined` accepts any JSON payload. */
  readonly validate: ValidateFunction | undefined;
  /** Compiled `payloadSchema`, stopping at the first error; `undefined` accepts any JSON payload. */
  readonly test: ValidateFunction | undefined;
  /**
   * The top-level properties `payloadSchema` fixes (see `fixedProperties`): a payload with another
   * value in one of them is not this message, without running `test`.
   */
  readonly fixedProperties: readonly FixedProperty[];
}

/** A channel of a loaded contract. */
export interface LoadedChannel {
  /** The channel id (2.x: the channel name, which is also its address). */
  readonly id: string;
  /** Address template, e.g. `{enterprise}/{site}/_validation`. */
  readonly address: string;
  readonly contract: ContractInfo;
  /** One per `{parameter}` of the address, in address order. */
  readonly parameters: readonly LoadedParameter[];
  readonly messages: readonly LoadedMessage[];
  /** `sparkplug-b` when the channel's messages are Sparkplug B (a channel never mixes formats). */
  readonly payloadFormat: PayloadFormat;
  readonly payloadRules: PayloadRules;
  /**
   * Regular expressions of the channel's schemas that may backtrack catastrophically; when there
   * are any, its messages are judged only on worker threads (see `backtrackingPatterns`).
   */
  readonly backtrackingPatterns: readonly string[];
  /**
   * Accepts the channel's valid payloads of the common flat form without parsing them;
   * `undefined` when a message's schema uses what it does not cover (see `payloadChecks`).
   */
  readonly fastAcceptance: FastAcceptance | undefined;
}

/**
 * A problem of a contract that leaves what it accepts unchanged: a message or schema example that
 * contradicts its own schema. Examples document a contract; they are not payload rules.
 */
export interface ContractWarning {
  /** The `@asyncapi/parser` rule that found it, e.g. `asyncapi2-message-examples`. */
  readonly rule: string;
  /** Where in the document, as a dotted path, e.g. `components.messages.reading.examples.0.payload`. */
  readonly path: string;
  /** 1-based line in the document. */
  readonly line: number;
  readonly message: string;
}

/** One loaded AsyncAPI document. */
export interface LoadedContract extends ContractInfo {
  readonly channels: readonly LoadedChannel[];
  /** Its {@link ContractWarning}s; empty when it has none. */
  readonly warnings: readonly ContractWarning[];
}

/** Every loaded contract and the topic index over all their channels. */
export interface LoadedContracts {
  /** In load order. */
  readonly contracts: readonly LoadedContract[];
  /** Channels of all contracts; ranked by load order, so the first loaded contract wins. */
  readonly matcher: TopicMatcher<LoadedChannel>;
}

/** A parameter as described for compilation: its (compilable) JSON Schema. */
export interface ParameterDescription {
  readonly name: string;
  readonly schema: AnySchema;
}

/** A message as described for compilation. */
export interface MessageDescription {
  readonly id: string;
  readonly payloadFormat: PayloadFormat;
  /** Compilable payload schema; `undefined` for Sparkplug B or a message without payload schema. */
  readonly payloadSchema: AnySchema | undefined;
}

/** A channel as described for compilation. */
export interface ChannelDescription {
  readonly id: string;
  readonly address: string;
  readonly parameters: readonly ParameterDescription[];
  readonly messages: readonly MessageDescription[];
  readonly payloadFormat: PayloadFormat;
  readonly payloadRules: PayloadRules;
}

/**
 * A parsed AsyncAPI document reduced to what validation needs, as plain JSON: it can cross to a
 * worker thread (structured clone) and be compiled there without the AsyncAPI parser.
 */
export interface ContractDescription {
  readonly info: ContractInfo;
  readonly channels: readonly ChannelDescription[];
  readonly warnings: readonly ContractWarning[];
}
