/**
 * The UNS contract (`asyncapi/uns-welding.asyncapi.yaml`) for the fixtures of tests: payloads are
 * the document's own examples where it has them, and every other payload a test publishes is
 * checked against the document's schemas, so that fixtures cannot drift from what the edge
 * components may publish.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

const CONTRACT_FILE = join(__dirname, '..', '..', '..', 'asyncapi', 'uns-welding.asyncapi.yaml');

/** The parts of the contract the helpers read. */
export interface UnsContractDocument {
  readonly channels: Readonly<Record<string, { readonly address: string }>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, { readonly properties?: Record<string, unknown> }>>;
    readonly messages: Readonly<
      Record<string, { readonly examples?: { name: string; payload: Record<string, unknown> }[] }>
    >;
  };
}

/** The contract document, parsed. */
export const unsContract = parse(readFileSync(CONTRACT_FILE, 'utf8')) as UnsContractDocument;

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'contract', components: unsContract.components });

function contractSchema(schema: string) {
  const validate = ajv.getSchema(`contract#/components/schemas/${schema}`);
  if (validate === undefined) throw new Error(`the contract has no schema ${schema}`);
  return validate;
}

/** Whether `payload` is valid against the contract's schema `schema` (e.g. `ValidationSummary`). */
export function contractAccepts(schema: string, payload: unknown): boolean {
  return contractSchema(schema)(payload) === true;
}

/**
 * `payload`, once it is valid against the contract's schema `schema`.
 *
 * @throws Error naming every violation.
 */
export function conforming<T>(schema: string, payload: T): T {
  const validate = contractSchema(schema);
  if (!validate(payload)) {
    throw new Error(`fixture breaks ${schema}: ${ajv.errorsText(validate.errors)}`);
  }
  return payload;
}

/** The payload of example `name` of the contract's message `message`, a copy of its own. */
export function contractExample(message: string, name: string): Record<string, unknown> {
  const example = unsContract.components.messages[message]?.examples?.find((e) => e.name === name);
  if (example === undefined) throw new Error(`the contract has no example ${message}/${name}`);
  return structuredClone(example.payload);
}

/** The address of a contract channel, its parameters filled in from `values`. */
export function channelTopic(channel: string, values: Record<string, string>): string {
  const address = unsContract.channels[channel]?.address;
  if (address === undefined) throw new Error(`the contract has no channel ${channel}`);
  return address.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {${name}} of ${channel}`);
    return value;
  });
}
