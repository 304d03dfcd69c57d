/**
 * Judges one UNS message against the loaded contracts: topic, channel parameters and, for JSON
 * channels, the payload's JSON Schema. Never throws on untrusted input.
 */
import type { ErrorObject } from 'ajv';
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
}

/** Schema errors reported per message at most; the rest are summarised in one more error. */
export const MAX_SCHEMA_ERRORS = 50;

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
 *   A channel without messages accepts any payload.
 */
export function validateMessage(
  contracts: LoadedContracts,
  topic: string,
  payload: Uint8Array,
  options: ValidateOptions = {},
): Verdict {
  const candidates = contracts.matcher.match(topic);
  const first = candidates[0];
  if (first === undefined) {
    return verdict(topic, undefined, undefined, [
      {
        kind: 'unknown-topic',
        path: '',
        message: `no channel of the loaded contracts matches topic '${topic}'`,
      },
    ]);
  }
  const match = candidates.find((candidate) => parameterErrors(candidate).length === 0);
  if (match === undefined) return verdict(topic, first, undefined, parameterErrors(first));

  const { channel } = match;
  if (channel.payloadFormat === 'sparkplug-b') {
    const errors = options.sparkplug?.(topic, payload) ?? NO_ERRORS;
    return verdict(topic, match, channel.messages[0]?.id, errors);
  }
  if (channel.messages.length === 0) return verdict(topic, match, undefined, NO_ERRORS);

  const decoded = decodeJson(payload);
  if (decoded.error !== undefined) {
    return verdict(topic, match, undefined, [
      { kind: 'unparseable-payload', path: '', message: decoded.error },
    ]);
  }
  return judgePayload(topic, match, decoded.value);
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

function judgePayload(topic: string, match: TopicMatch<LoadedChannel>, data: unknown): Verdict {
  const { messages } = match.channel;
  const only = messages.length === 1 ? messages[0] : undefined;
  if (only !== undefined) return verdict(topic, match, only.id, schemaErrors(only, data));

  const matched = messages.filter((message) => conforms(message, data));
  const [single] = matched;
  if (matched.length === 1 && single !== undefined) {
    return verdict(topic, match, single.id, NO_ERRORS);
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
  return closestMiss(topic, match, messages, data);
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
): Verdict {
  let closest: { id: string; errors: readonly VerdictError[] } | undefined;
  for (const message of messages) {
    const errors = schemaErrors(message, data);
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

/** Every error of `data` against the message's schema (at most {@link MAX_SCHEMA_ERRORS} + 1). */
function schemaErrors(message: LoadedMessage, data: unknown): readonly VerdictError[] {
  const { validate } = message;
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
  const errors: VerdictError[] = found.slice(0, MAX_SCHEMA_ERRORS).map((error) => ({
    kind: 'schema-violation',
    path: error.instancePath,
    schemaPath: error.schemaPath,
    message: describeSchemaError(error),
  }));
  if (found.length > MAX_SCHEMA_ERRORS) {
    errors.push({
      kind: 'schema-violation',
      path: '',
      message: `${String(found.length - MAX_SCHEMA_ERRORS)} more schema errors not listed`,
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
