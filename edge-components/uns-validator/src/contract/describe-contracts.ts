/**
 * Parses AsyncAPI 2.x and 3.0 documents once with `@asyncapi/parser` into plain-JSON descriptions
 * (channels, addresses, parameter and payload schemas). Descriptions can be sent to worker threads,
 * which compile them without loading the parser (see `compile-contracts.ts`).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import {
  DiagnosticSeverity,
  Parser,
  type AsyncAPIDocumentInterface,
  type ChannelInterface,
  type Diagnostic,
  type MessageInterface,
} from '@asyncapi/parser';
import type { AnySchema } from 'ajv';
import type {
  ChannelDescription,
  ContractDescription,
  ContractInfo,
  ContractWarning,
  MessageDescription,
  ParameterDescription,
  PayloadFormat,
  PayloadRules,
} from './model';
import { toCompilableSchema } from './schema-compiler';
import { parseAddress } from './topic-matcher';

const CONTRACT_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
/** As a number: the parser's spectral diagnostics use their own copy of the severity enum. */
const ERROR_SEVERITY: number = DiagnosticSeverity.Error;
/**
 * The parser's rules that check examples against their schemas (`asyncapi2-message-examples`,
 * `asyncapi2-schema-examples`, `asyncapi2-message-examples-custom-format`).
 */
const EXAMPLE_RULE = /-examples(?:-|$)/;

/** How {@link describeContracts} treats a document whose examples contradict its schemas. */
export interface DescribeOptions {
  /**
   * Refuse such a document, as any other with error diagnostics.
   * @default false - the document loads; each contradicting example is one of its warnings.
   */
  readonly strict?: boolean;
}

/**
 * Parses the AsyncAPI documents at `paths` (files, or directories whose `*.yaml`, `*.yml` and
 * `*.json` files are read, not recursing into subdirectories, in name order). Load order is the
 * order of `paths`. Error diagnostics about examples become the contract's warnings unless
 * `options.strict` is set.
 *
 * @throws Error when no document is found, or naming every file whose document has (other) error
 *   diagnostics or cannot be modelled (e.g. a parameter sharing a topic level with text).
 */
export async function describeContracts(
  paths: readonly string[],
  options: DescribeOptions = {},
): Promise<ContractDescription[]> {
  const files = await listContractFiles(paths);
  if (files.length === 0) {
    throw new Error(`no AsyncAPI documents (*.yaml, *.yml, *.json) found in: ${paths.join(', ')}`);
  }
  const parser = new Parser();
  const schemas = new Map<unknown, AnySchema>();
  const descriptions: ContractDescription[] = [];
  const failures: string[] = [];
  for (const file of files) {
    try {
      const { document, warnings } = await parseDocument(parser, file, options.strict ?? false);
      descriptions.push(toContract(document, file, descriptions.length, schemas, warnings));
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
  }
  if (failures.length > 0) throw new Error(failures.join('\n'));
  return descriptions;
}

/** A warning as one line: `line 12 at <path>: <message> [<rule>]`. */
export function describeWarning(warning: ContractWarning): string {
  const where = warning.path === '' ? '' : ` at ${warning.path}`;
  return `line ${String(warning.line)}${where}: ${warning.message} [${warning.rule}]`;
}

async function listContractFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const absolute = resolve(path);
    if ((await stat(absolute)).isDirectory()) {
      const entries = await readdir(absolute, { withFileTypes: true });
      files.push(
        ...entries
          .filter(
            (entry) => entry.isFile() && CONTRACT_EXTENSIONS.has(extname(entry.name).toLowerCase()),
          )
          .map((entry) => join(absolute, entry.name))
          .sort(),
      );
    } else {
      files.push(absolute);
    }
  }
  return [...new Set(files)];
}

/**
 * Parses one document. When its only error diagnostics are about examples (and not `strict`), it
 * is parsed again accepting them, and they are returned as warnings.
 */
async function parseDocument(
  parser: Parser,
  file: string,
  strict: boolean,
): Promise<{ document: AsyncAPIDocumentInterface; warnings: ContractWarning[] }> {
  const text = await readFile(file, 'utf8');
  const parsed = await parser.parse(text, { source: file });
  if (parsed.document !== undefined) return { document: parsed.document, warnings: [] };
  const errors = parsed.diagnostics.filter(isError);
  const aboutExamples = strict ? [] : errors.filter(isAboutExamples);
  const refusing = errors.filter((diagnostic) => !aboutExamples.includes(diagnostic));
  if (refusing.length > 0) throw invalidDocument(file, refusing);
  const accepted = await parser.parse(text, {
    source: file,
    validateOptions: { allowedSeverity: { error: true } },
  });
  if (accepted.document === undefined) {
    throw invalidDocument(file, accepted.diagnostics.filter(isError));
  }
  return { document: accepted.document, warnings: aboutExamples.map(toWarning) };
}

function invalidDocument(file: string, errors: readonly Diagnostic[]): Error {
  const listed = errors.map((error) => `\n  - ${describeWarning(toWarning(error))}`).join('');
  return new Error(`${file}: invalid AsyncAPI document (${String(errors.length)} errors)${listed}`);
}

function isError(diagnostic: Diagnostic): boolean {
  const severity: number = diagnostic.severity;
  return severity === ERROR_SEVERITY;
}

/** A diagnostic of an example rule that points into an `examples` list. */
function isAboutExamples(diagnostic: Diagnostic): boolean {
  return EXAMPLE_RULE.test(String(diagnostic.code)) && diagnostic.path.includes('examples');
}

function toWarning(diagnostic: Diagnostic): ContractWarning {
  return {
    rule: String(diagnostic.code),
    path: diagnostic.path.join('.'),
    line: diagnostic.range.start.line + 1,
    message: diagnostic.message,
  };
}

function toContract(
  document: AsyncAPIDocumentInterface,
  source: string,
  loadOrder: number,
  schemas: Map<unknown, AnySchema>,
  warnings: readonly ContractWarning[],
): ContractDescription {
  const info: ContractInfo = {
    title: document.info().title(),
    version: document.info().version(),
    asyncapiVersion: document.version(),
    source,
    loadOrder,
  };
  const channels: ChannelDescription[] = [];
  for (const channel of document.channels().all()) {
    const address = channel.address();
    // A 3.0 channel with a null address is dynamic: no topic can be matched against it.
    if (address === null || address === undefined) continue;
    try {
      channels.push(toChannel(channel, address, info, schemas));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`${source}: channel '${channel.id()}': ${reason}`, { cause: error });
    }
  }
  return { info, channels, warnings };
}

function toChannel(
  channel: ChannelInterface,
  address: string,
  contract: ContractInfo,
  schemas: Map<unknown, AnySchema>,
): ChannelDescription {
  const messages = uniqueMessages(channel.messages().all()).map((message) =>
    toMessage(message, schemas),
  );
  const formats = new Set(messages.map((message) => message.payloadFormat));
  if (formats.size > 1) throw new Error('mixes Sparkplug B and JSON messages');
  return {
    id: channel.id(),
    address,
    parameters: toParameters(channel, address, contract.asyncapiVersion),
    messages,
    payloadFormat: formats.has('sparkplug-b') ? 'sparkplug-b' : 'json',
    payloadRules: payloadRulesOf(channel),
  };
}

/** The channel's `x-max-payload-bytes` and `x-byte-order-mark`, checked. */
function payloadRulesOf(channel: ChannelInterface): PayloadRules {
  const extensions = channel.extensions();
  const maxPayloadBytes: unknown = extensions.get('x-max-payload-bytes')?.value();
  if (
    maxPayloadBytes !== undefined &&
    !(Number.isSafeInteger(maxPayloadBytes) && (maxPayloadBytes as number) > 0)
  ) {
    throw new Error(
      `x-max-payload-bytes must be a positive integer, got ${JSON.stringify(maxPayloadBytes)}`,
    );
  }
  const byteOrderMark: unknown = extensions.get('x-byte-order-mark')?.value() ?? 'reject';
  if (byteOrderMark !== 'reject' && byteOrderMark !== 'accept') {
    throw new Error(
      `x-byte-order-mark must be 'reject' or 'accept', got ${JSON.stringify(byteOrderMark)}`,
    );
  }
  return { maxPayloadBytes: maxPayloadBytes as number | undefined, byteOrderMark };
}

/** 2.x channels list a message once per operation that carries it. */
function uniqueMessages(messages: readonly MessageInterface[]): MessageInterface[] {
  const byId = new Map<string, MessageInterface>();
  for (const message of messages) if (!byId.has(message.id())) byId.set(message.id(), message);
  return [...byId.values()];
}

/**
 * A message and its payload schema, made compilable (cycles as local `$ref`s). A schema the parser
 * shares between messages stays one object, so it is compiled once, also after a structured clone.
 */
function toMessage(
  message: MessageInterface,
  schemas: Map<unknown, AnySchema>,
): MessageDescription {
  const payloadFormat = payloadFormatOf(message);
  const payload: unknown = message.payload()?.json();
  if (payloadFormat === 'sparkplug-b' || payload === undefined) {
    return { id: message.id(), payloadFormat, payloadSchema: undefined };
  }
  let schema = schemas.get(payload);
  if (schema === undefined) {
    schema = toCompilableSchema(payload);
    schemas.set(payload, schema);
  }
  return { id: message.id(), payloadFormat, payloadSchema: schema };
}

function payloadFormatOf(message: MessageInterface): PayloadFormat {
  const marker: unknown = message.extensions().get('x-payload-format')?.value();
  const mediaType = message.contentType()?.split(';')[0]?.trim().toLowerCase();
  return marker === 'sparkplug-b' || mediaType === 'application/x-protobuf'
    ? 'sparkplug-b'
    : 'json';
}

function toParameters(
  channel: ChannelInterface,
  address: string,
  asyncapiVersion: string,
): ParameterDescription[] {
  const declared = channel.parameters();
  const parameters: ParameterDescription[] = [];
  for (const level of parseAddress(address)) {
    if (level.kind !== 'parameter') continue;
    const parameter = declared.get(level.name);
    const schema: AnySchema = asyncapiVersion.startsWith('2.')
      ? (parameter?.schema()?.json() ?? { type: 'string' })
      : v3ParameterSchema(parameter?.json());
    parameters.push({ name: level.name, schema: toCompilableSchema(schema) });
  }
  return parameters;
}

/**
 * AsyncAPI 3.0 parameters restrict values only by `enum`; the `x-pattern` extension adds a regular
 * expression (e.g. the UNS id rule `^[a-z][a-z0-9-]{0,31}$`).
 */
function v3ParameterSchema(parameter: Record<string, unknown> | undefined): AnySchema {
  const schema: Record<string, unknown> = { type: 'string' };
  if (Array.isArray(parameter?.enum)) schema.enum = parameter.enum;
  if (typeof parameter?.['x-pattern'] === 'string') schema.pattern = parameter['x-pattern'];
  return schema;
}
