import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';

/**
 * The UNS contract the fixtures come from: payloads are the document's own examples where it has
 * them, and every other payload is checked against the document's schema, so that the fixtures
 * cannot drift from what the validator and the inference runtime may publish.
 */
const CONTRACT_FILE = join(__dirname, '..', '..', '..', 'asyncapi', 'uns-welding.asyncapi.yaml');

interface ContractDocument {
  channels: Record<string, { address: string }>;
  components: {
    messages: Record<string, { examples?: { name: string; payload: Record<string, unknown> }[] }>;
  };
}

const contract = parse(readFileSync(CONTRACT_FILE, 'utf8')) as ContractDocument;
// Formats (date-time) are left unchecked: the fixtures' times come from toISOString().
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema({ $id: 'contract', components: contract.components });

/** The payload of example `name` of the contract's message `message`. */
export function contractExample(message: string, name: string): Record<string, unknown> {
  const example = contract.components.messages[message]?.examples?.find((e) => e.name === name);
  if (example === undefined) throw new Error(`the contract has no example ${message}/${name}`);
  return structuredClone(example.payload);
}

/**
 * `payload`, once it is valid against the contract's schema `schema` (e.g. `ValidationSummary`).
 *
 * @throws Error naming every violation.
 */
export function conforming<T>(schema: string, payload: T): T {
  const validate = ajv.getSchema(`contract#/components/schemas/${schema}`);
  if (validate === undefined) throw new Error(`the contract has no schema ${schema}`);
  if (!validate(payload)) {
    throw new Error(`fixture breaks ${schema}: ${ajv.errorsText(validate.errors)}`);
  }
  return payload;
}

/** The address of a contract channel, its parameters filled in from `values`. */
export function channelTopic(channel: string, values: Record<string, string>): string {
  const address = contract.channels[channel]?.address;
  if (address === undefined) throw new Error(`the contract has no channel ${channel}`);
  return address.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {${name}} of ${channel}`);
    return value;
  });
}
