/**
 * Turns contract descriptions into the validator's model: each JSON Schema compiled once with ajv,
 * every channel indexed by address. Runs where messages are judged (the worker threads) without
 * the AsyncAPI parser.
 */
import type {
  ChannelDescription,
  ContractDescription,
  LoadedChannel,
  LoadedContract,
  LoadedContracts,
  LoadedMessage,
  LoadedParameter,
} from './model';
import { FastAcceptance } from '../validate/fast-acceptance';
import { fixedProperties } from './fixed-properties';
import { payloadChecks } from './payload-checks';
import { backtrackingPatterns } from './backtracking-patterns';
import { SchemaCompiler } from './schema-compiler';
import { TopicMatcher } from './topic-matcher';

/**
 * Compiles the described contracts, in order: when channels of several contracts match a topic,
 * the first one wins.
 *
 * @throws Error naming the document, channel and parameter of a schema ajv cannot compile.
 */
export function compileContracts(descriptions: readonly ContractDescription[]): LoadedContracts {
  const compiler = new SchemaCompiler();
  const matcher = new TopicMatcher<LoadedChannel>();
  const contracts: LoadedContract[] = descriptions.map(({ info, channels, warnings }) => {
    const loaded = channels.map((channel) => {
      try {
        return compileChannel(channel, info, compiler);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`${info.source}: channel '${channel.id}': ${reason}`, { cause: error });
      }
    });
    for (const channel of loaded) matcher.add(channel.address, channel, info.loadOrder);
    return { ...info, channels: loaded, warnings };
  });
  return { contracts, matcher };
}

function compileChannel(
  channel: ChannelDescription,
  contract: LoadedChannel['contract'],
  compiler: SchemaCompiler,
): LoadedChannel {
  const parameters: LoadedParameter[] = channel.parameters.map(({ name, schema }) => {
    try {
      return { name, ...compiler.compileParameter(schema) };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`parameter '${name}': ${reason}`, { cause: error });
    }
  });
  const messages: LoadedMessage[] = channel.messages.map(({ id, payloadFormat, payloadSchema }) => {
    if (payloadSchema === undefined) {
      return {
        id,
        payloadFormat,
        payloadSchema,
        validate: undefined,
        test: undefined,
        fixedProperties: [],
      };
    }
    const { validate, test } = compiler.compilePayload(payloadSchema);
    return {
      id,
      payloadFormat,
      payloadSchema,
      validate,
      test,
      fixedProperties: fixedProperties(payloadSchema),
    };
  });
  return {
    id: channel.id,
    address: channel.address,
    contract,
    parameters,
    messages,
    payloadFormat: channel.payloadFormat,
    payloadRules: channel.payloadRules,
    backtrackingPatterns: backtrackingPatterns([
      ...parameters.map(({ schema }) => schema),
      ...messages.map(({ payloadSchema }) => payloadSchema),
    ]),
    fastAcceptance:
      channel.payloadFormat === 'json'
        ? FastAcceptance.of(
            messages.map(({ id, payloadSchema }) => ({ id, checks: payloadChecks(payloadSchema) })),
          )
        : undefined,
  };
}
