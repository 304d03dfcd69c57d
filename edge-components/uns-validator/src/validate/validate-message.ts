/**
 * Judges one UNS message against the loaded contracts: topic, channel parameters, payload size
 * and encoding and, for JSON channels, the payload's JSON Schema. Never throws on untrusted input,
 * and what a message may cost is bounded by {@link JudgingLimits}.
 */
import type { ErrorObject } from 'ajv';
import { ruledOut } from '../contract/fixed-properties';
import type { LoadedChannel, LoadedContracts, LoadedMessage } from '../contract/model';
import type { TopicMatch } from '../contract/topic-matcher';
import type { Verdict, VerdictError } from '../verdict';

/**
 * Checks a Sparkplug B message (decoding the protobuf payload, the Sparkplug rules); returns its
 * errors, empty when the message is valid. It must not throw: decoding failures are errors too.
 */
export type SparkplugHook = (topic: string, payload: Uint8Array) => readonly VerdictError[];

/** Options of {@link validateMessage}. */
export interface ValidateOptions {
  /**
   * Judges payloads of Sparkplug B channels (`application/x-protobuf` or
   * `x-payload-format: sparkplug-b`). Without it, such messages are valid once the topic and its
   * parameters are.
   */
  readonly sparkplug?: SparkplugHook;
  /** What judging one message may cost; default {@link DEFAULT_JUDGING_LIMITS}. */
  readonly limits?: JudgingLimits;
}

/** What judging one message may cost, in memory and time. */
export interface JudgingLimits {
  /**
   * Largest payload, in bytes, of a channel without its own `x-max-payload-bytes`; a larger one is
   * judged `payload-too-large` without being decoded.
   */
  readonly maxPayloadBytes: number;
  /**
   * Payloads up to this many bytes are checked for every schema error; larger ones up to their
   * first error only, since collecting every error costs memory in proportion to the payload
   * (about 230 bytes per byte of a payload whose every value fails).
   */
  readonly fullReportMaxBytes: number;
  /** Schema errors listed per verdict at most; one more error says how many were not listed. */
  readonly maxErrorsPerVerdict: number;
}

/** The limits when none are configured: 1 MiB payloads, every error up to 64 KiB, 50 listed. */
export const DEFAULT_JUDGING_LIMITS: JudgingLimits = {
  maxPayloadBytes: 1_048_576,
  fullReportMaxBytes: 65_536,
  maxErrorsPerVerdict: 50,
};

const NO_ERRORS: readonly VerdictError[] = Object.freeze([]);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Judges a message published on `topic`; never throws on untrusted input.
 *
 * - No channel address matches: `unknown-topic`.
 * - Candidates are tried in order (first loaded contract first, then literal levels before
 *   parameters); the first whose parameters all pass wins. When none passes: the `bad-parameter`
 *   errors of the first candidate (a parameter breaking its 3.0 `enum`/`x-pattern` or 2.x schema,
 *   or an empty level).
 * - Sparkplug B channels: `options.sparkplug` judges the payload; without it the verdict is valid
 *   with `channel` and `messageId` set.
 * - JSON channels: a payload that is not UTF-8 or not JSON is `unparseable-payload`. The payload
 *   must then match exactly one of the channel's messages: none gives the `schema-violation`s of
 *   the closest message (fewest errors; `messageId` names it), several give `ambiguous-message`.
 *   A channel without messages accepts any payload. A valid payload of the common flat form is
 *   recognised from its bytes (the channel's `fastAcceptance`), with the same verdict as parsing it.
 */
export function validateMessage(
  contracts: LoadedContracts,
  topic: string,
  payload: Uint8Array,
  options: ValidateOptions = {},
): Verdict {
  const limits = options.limits ?? DEFAULT_JUDGING_LIMITS;
  const resolved = resolveTopic(contracts, topic);
  if (resolved.verdict !== undefined) return resolved.verdict;
  const { match } = resolved;
  const { channel } = match;
  const tooLarge = sizeError(channel, payload.byteLength, limits);
  if (tooLarge !== undefined) return verdict(topic, match, undefined, [tooLarge]);
  if (channel.payloadFormat === 'sparkplug-b') {
    const errors = options.sparkplug?.(topic, payload) ?? NO_ERRORS;
    return judged(resolved, channel.messages[0]?.id, errors);
  }
  if (channel.messages.length === 0) return judged(resolved, undefined, NO_ERRORS);

  const markError = byteOrderMarkError(channel, payload);
  if (markError !== undefined) return verdict(topic, match, undefined, [markError]);
  const accepted = channel.fastAcceptance?.accept(payload);
  if (accepted !== undefined) return judged(resolved, accepted, NO_ERRORS);
  const decoded = decodeJson(payload);
  if (decoded.error !== undefined) {
    return verdict(topic, match, undefined, [
      { kind: 'unparseable-payload', path: '', message: decoded.error },
    ]);
  }
  const full = payload.byteLength <= limits.fullReportMaxBytes;
  return judgePayload(resolved, decoded.value, full ? limits.maxErrorsPerVerdict : 0);
}

/**
 * Whether `verdict` is one {@link validateMessage} shares: the valid verdicts on a topic are one
 * frozen object per message id (and set of contracts), so a consumer may count them by identity.
 * Verdicts that crossed a thread boundary are copies, and not shared.
 */
export function isSharedVerdict(verdict: Verdict): boolean {
  return (verdict as SharedVerdict)[SHARED] === true;
}

/** Marks the shared verdicts: a property read costs less than `Object.isFrozen`. */
const SHARED = Symbol('shared verdict');
type SharedVerdict = Verdict & { readonly [SHARED]?: true };

/**
 * The verdict on a message whose payload was not handed over because it is larger than any
 * channel allows (`byteLength` bytes): judged by its topic, then `payload-too-large`.
 */
export function judgeWithheldPayload(
  contracts: LoadedContracts,
  topic: string,
  byteLength: number,
  limits: JudgingLimits = DEFAULT_JUDGING_LIMITS,
): Verdict {
  const resolved = resolveTopic(contracts, topic);
  if (resolved.verdict !== undefined) return resolved.verdict;
  const { match } = resolved;
  const tooLarge = sizeError(match.channel, byteLength, limits) ?? {
    kind: 'payload-too-large',
    path: '',
    message: `payload of ${String(byteLength)} bytes was not handed to the validation worker`,
  };
  return verdict(topic, match, undefined, [tooLarge]);
}

/**
 * The verdict on a message that could not be judged (`reason`: its worker died or stalled on
 * it): `processing-failed`, with the channel its topic resolves to when it resolves.
 */
export function processingFailedVerdict(
  contracts: LoadedContracts,
  topic: string,
  reason: string,
): Verdict {
  const [candidate] = contracts.matcher.match(topic);
  return verdict(topic, candidate, undefined, [
    { kind: 'processing-failed', path: '', message: `the message could not be judged: ${reason}` },
  ]);
}

/**
 * The largest payload any channel of `contracts` accepts: a payload larger than this can be
 * judged without being handed to a worker.
 */
export function largestAcceptedPayload(
  contracts: LoadedContracts,
  limits: JudgingLimits = DEFAULT_JUDGING_LIMITS,
): number {
  let largest = limits.maxPayloadBytes;
  for (const contract of contracts.contracts) {
    for (const { payloadRules } of contract.channels) {
      largest = Math.max(largest, payloadRules.maxPayloadBytes ?? 0);
    }
  }
  return largest;
}

/** A topic that resolves to a channel, with the valid verdicts given on it so far. */
interface MatchedTopic {
  readonly topic: string;
  readonly match: TopicMatch<LoadedChannel>;
  readonly verdict?: undefined;
  /** The valid verdict per message id (`''`: none), frozen and shared by every message. */
  readonly validVerdicts: Map<string, Verdict>;
}

type ResolvedTopic = MatchedTopic | { readonly match?: undefined; readonly verdict: Verdict };

/**
 * Topics resolved to their channel, per set of compiled contracts: a plant's topics are few and
 * recur, and matching plus checking the parameters costs more than the payload's schema. Only
 * matches are remembered (an invalid verdict is never shared), at most
 * {@link RESOLVED_TOPICS_LIMIT} per set, starting over beyond.
 */
const resolvedTopics = new WeakMap<LoadedContracts, Map<string, ResolvedTopic>>();
const RESOLVED_TOPICS_LIMIT = 10_000;
/** The set of the previous call and its topics: the next message is almost always judged by it. */
let lastResolved: { contracts: LoadedContracts; topics: Map<string, ResolvedTopic> } | undefined;

/** The channel a topic resolves to, or the verdict when it resolves to none. */
function resolveTopic(contracts: LoadedContracts, topic: string): ResolvedTopic {
  if (lastResolved?.contracts !== contracts) {
    let topics = resolvedTopics.get(contracts);
    if (topics === undefined) {
      topics = new Map();
      resolvedTopics.set(contracts, topics);
    }
    lastResolved = { contracts, topics };
  }
  const resolved = lastResolved.topics;
  const known = resolved.get(topic);
  if (known !== undefined) return known;
  const fresh = matchTopic(contracts, topic);
  if (fresh.match !== undefined) {
    if (resolved.size >= RESOLVED_TOPICS_LIMIT) resolved.clear();
    resolved.set(topic, fresh);
  }
  return fresh;
}

function matchTopic(contracts: LoadedContracts, topic: string): ResolvedTopic {
  const candidates = contracts.matcher.match(topic);
  const first = candidates[0];
  if (first === undefined) {
    return {
      verdict: verdict(topic, undefined, undefined, [
        {
          kind: 'unknown-topic',
          path: '',
          message: `no channel of the loaded contracts matches topic '${topic}'`,
        },
      ]),
    };
  }
  const match = candidates.find((candidate) => parameterErrors(candidate).length === 0);
  if (match === undefined) {
    return { verdict: verdict(topic, first, undefined, parameterErrors(first)) };
  }
  return { topic, match, validVerdicts: new Map() };
}

/** The verdict on a message of a matched topic: when valid, the one shared for its message. */
function judged(
  resolved: MatchedTopic,
  messageId: string | undefined,
  errors: readonly VerdictError[],
): Verdict {
  const { topic, match, validVerdicts } = resolved;
  if (errors.length > 0) return verdict(topic, match, messageId, errors);
  const key = messageId ?? '';
  let valid = validVerdicts.get(key);
  if (valid === undefined) {
    valid = Object.freeze(
      Object.defineProperty(verdict(topic, match, messageId, NO_ERRORS), SHARED, { value: true }),
    );
    validVerdicts.set(key, valid);
  }
  return valid;
}

function sizeError(
  channel: LoadedChannel,
  byteLength: number,
  limits: JudgingLimits,
): VerdictError | undefined {
  const limit = channel.payloadRules.maxPayloadBytes ?? limits.maxPayloadBytes;
  if (byteLength <= limit) return undefined;
  return {
    kind: 'payload-too-large',
    path: '',
    message: `payload of ${String(byteLength)} bytes is larger than the ${String(limit)} bytes channel '${channel.id}' accepts; not read`,
  };
}

/**
 * A UTF-8 byte-order mark the channel rejects (its `x-byte-order-mark`), or a UTF-16 one (JSON on
 * the UNS is UTF-8): an `encoding` error.
 */
function byteOrderMarkError(channel: LoadedChannel, payload: Uint8Array): VerdictError | undefined {
  const first = payload[0];
  const second = payload[1];
  if (first === 0xef && second === 0xbb && payload[2] === 0xbf) {
    if (channel.payloadRules.byteOrderMark !== 'reject') return undefined;
    return {
      kind: 'encoding',
      path: '',
      message: `payload starts with a UTF-8 byte-order mark (EF BB BF), which channel '${channel.id}' does not accept (x-byte-order-mark: reject)`,
    };
  }
  if ((first === 0xfe && second === 0xff) || (first === 0xff && second === 0xfe)) {
    return {
      kind: 'encoding',
      path: '',
      message: 'payload starts with a UTF-16 byte-order mark; JSON payloads must be UTF-8',
    };
  }
  return undefined;
}

function verdict(
  topic: string,
  match: TopicMatch<LoadedChannel> | undefined,
  messageId: string | undefined,
  errors: readonly VerdictError[],
): Verdict {
  return {
    topic,
    valid: errors.length === 0,
    channel: match?.channel.id,
    messageId,
    contractVersion: match?.channel.contract.version,
    parameters: match?.parameters,
    errors,
  };
}

function parameterErrors({
  channel,
  parameters,
}: TopicMatch<LoadedChannel>): readonly VerdictError[] {
  let errors: VerdictError[] | undefined;
  for (const parameter of channel.parameters) {
    const value = parameters[parameter.name] ?? '';
    let problem: string | undefined;
    if (value === '') problem = 'is empty';
    else if (!parameter.validate(value)) {
      problem = (parameter.validate.errors ?? []).map(describeSchemaError).join('; ');
    }
    if (problem !== undefined) {
      errors ??= [];
      errors.push({
        kind: 'bad-parameter',
        path: '',
        message: `parameter '${parameter.name}' = '${value}' of channel '${channel.id}' ${problem}`,
      });
    }
  }
  return errors ?? NO_ERRORS;
}

type Decoded = { value: unknown; error?: undefined } | { value?: undefined; error: string };

function decodeJson(payload: Uint8Array): Decoded {
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return { error: 'payload is not valid UTF-8' };
  }
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return {
      error: `payload is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/**
 * `maxErrors` is how many schema errors to list: 0 stops at the first error (a large payload),
 * reported with a note that the rest were not looked for.
 */
function judgePayload(resolved: MatchedTopic, data: unknown, maxErrors: number): Verdict {
  const { topic, match } = resolved;
  const { messages } = match.channel;
  const only = messages.length === 1 ? messages[0] : undefined;
  if (only !== undefined) {
    return judged(resolved, only.id, schemaErrors(only, data, maxErrors));
  }

  // A message whose fixed property the payload contradicts (another `unit`) is not tested.
  const matched = messages.filter(
    (message) => !ruledOut(message.fixedProperties, data) && conforms(message, data),
  );
  const [single] = matched;
  if (matched.length === 1 && single !== undefined) {
    return judged(resolved, single.id, NO_ERRORS);
  }
  if (matched.length > 1) {
    const ids = matched.map((message) => `'${message.id}'`).join(', ');
    return verdict(topic, match, undefined, [
      {
        kind: 'ambiguous-message',
        path: '',
        message: `payload matches ${String(matched.length)} messages of channel '${match.channel.id}' (${ids}); it must match exactly one`,
      },
    ]);
  }
  return closestMiss(topic, match, messages, data, maxErrors);
}

/**
 * The verdict of a payload that matches none of the channel's messages: the errors of the message
 * with the fewest errors (the first with a single error ends the search; with `allErrors`, each
 * message costs time proportional to the payload).
 */
function closestMiss(
  topic: string,
  match: TopicMatch<LoadedChannel>,
  messages: readonly LoadedMessage[],
  data: unknown,
  maxErrors: number,
): Verdict {
  let closest: { id: string; errors: readonly VerdictError[] } | undefined;
  for (const message of messages) {
    const errors = schemaErrors(message, data, maxErrors);
    if (closest === undefined || errors.length < closest.errors.length) {
      closest = { id: message.id, errors };
      if (errors.length <= 1) break;
    }
  }
  return verdict(topic, match, closest?.id, closest?.errors ?? NO_ERRORS);
}

/** Whether `data` matches the message's schema; stops at the first error. */
function conforms(message: LoadedMessage, data: unknown): boolean {
  try {
    return message.test === undefined || message.test(data);
  } catch {
    return false;
  }
}

/**
 * The errors of `data` against the message's schema: at most `maxErrors` listed plus one saying
 * how many more there were; with `maxErrors` 0, the first error and a note that no more were
 * looked for.
 */
function schemaErrors(
  message: LoadedMessage,
  data: unknown,
  maxErrors: number,
): readonly VerdictError[] {
  const validate = maxErrors === 0 ? message.test : message.validate;
  if (validate === undefined) return NO_ERRORS;
  try {
    if (validate(data)) return NO_ERRORS;
  } catch (error) {
    const reason =
      error instanceof RangeError
        ? 'payload is nested too deeply to be validated'
        : `schema validation failed: ${error instanceof Error ? error.message : String(error)}`;
    return [{ kind: 'schema-violation', path: '', message: `${reason} (message '${message.id}')` }];
  }
  const found = validate.errors ?? [];
  const listed = Math.max(maxErrors, 1);
  const errors: VerdictError[] = found.slice(0, listed).map((error) => ({
    kind: 'schema-violation',
    path: error.instancePath,
    schemaPath: error.schemaPath,
    message: describeSchemaError(error),
  }));
  if (maxErrors === 0) {
    errors.push({
      kind: 'schema-violation',
      path: '',
      message:
        'the payload is larger than the size up to which every error is looked for; checked up to its first error',
    });
  } else if (found.length > listed) {
    errors.push({
      kind: 'schema-violation',
      path: '',
      message: `${String(found.length - listed)} more schema errors not listed`,
    });
  }
  return errors;
}

/** ajv's message, completed with the offending name or the allowed values where ajv omits them. */
function describeSchemaError(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const message = error.message ?? `must pass '${error.keyword}'`;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${message}: '${String(params.additionalProperty)}'`;
    case 'enum':
      return `${message}: ${JSON.stringify(params.allowedValues)}`;
    case 'const':
      return `${message} ${JSON.stringify(params.allowedValue)}`;
    default:
      return message;
  }
}
