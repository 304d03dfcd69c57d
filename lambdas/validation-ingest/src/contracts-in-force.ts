import {
  integer,
  isObject,
  list,
  objectWith,
  oneOf,
  text,
  timestamp,
  withoutNul,
} from './json-checks';
import { PoisonRecordError } from './poison';

const ENFORCEMENT_MODES = ['monitor', 'quarantine', 'filter'] as const;
type EnforcementMode = (typeof ENFORCEMENT_MODES)[number];

/**
 * What a site's validator judges by: the `{enforcement, inForce}` of the OpenAPI `ContractsReport`
 * (`dashboard/openapi.yaml`), kept as the `report` of `contracts_in_force`.
 */
export interface ContractsReportBody {
  readonly enforcement: {
    readonly defaultMode: EnforcementMode;
    readonly quarantinePrefix: string;
    readonly validatedPrefix: string;
  };
  readonly inForce: readonly {
    readonly title: string;
    readonly version: string;
    readonly asyncapiVersion: string;
    readonly source: string;
    readonly channels: readonly {
      readonly id: string;
      readonly address: string;
      readonly enforcement: EnforcementMode;
    }[];
    readonly warnings: readonly {
      readonly rule: string;
      readonly path: string;
      readonly line: number;
      readonly message: string;
    }[];
  }[];
}

/** A message of the contract's `ContractsInForce` schema. */
export interface ContractsInForce {
  /** When the validator loaded the contracts, epoch milliseconds. */
  readonly publishedAt: number;
  readonly report: ContractsReportBody;
}

const MESSAGE_KEYS = new Set(['publishedAt', 'enforcement', 'inForce']);
const ENFORCEMENT_KEYS = new Set(['defaultMode', 'quarantinePrefix', 'validatedPrefix']);
const CONTRACT_KEYS = new Set([
  'title',
  'version',
  'asyncapiVersion',
  'source',
  'channels',
  'warnings',
]);
const CHANNEL_KEYS = new Set(['id', 'address', 'enforcement']);
const WARNING_KEYS = new Set(['rule', 'path', 'line', 'message']);
const string = (value: unknown, where: string) => text(value, where, notContracts);
const mode = (value: unknown, where: string) =>
  oneOf(value, ENFORCEMENT_MODES, where, notContracts);

/**
 * Checks a parsed JSON value against the contract's `ContractsInForce` schema (every keyword it
 * has), then that the store can hold it (no NUL in any string). The report keeps exactly the
 * properties of the schema.
 *
 * @throws PoisonRecordError `not-contracts-in-force` when the schema fails, `absurd-values` when a
 *   string holds a NUL character.
 */
export function readContractsInForce(value: unknown): ContractsInForce {
  const message = objectWith(value, MESSAGE_KEYS, 'the contracts in force', notContracts);
  const enforcement = objectWith(
    message.enforcement,
    ENFORCEMENT_KEYS,
    'enforcement',
    notContracts,
  );
  const report: ContractsReportBody = {
    enforcement: {
      defaultMode: mode(enforcement.defaultMode, 'enforcement.defaultMode'),
      quarantinePrefix: string(enforcement.quarantinePrefix, 'enforcement.quarantinePrefix'),
      validatedPrefix: string(enforcement.validatedPrefix, 'enforcement.validatedPrefix'),
    },
    inForce: list(message.inForce, 'inForce', notContracts).map(readContract),
  };
  const publishedAt = timestamp(message.publishedAt, 'publishedAt', notContracts);
  noNul(report, 'the report');
  return { publishedAt, report };
}

function readContract(entry: unknown, index: number): ContractsReportBody['inForce'][number] {
  const where = `inForce[${String(index)}]`;
  const contract = objectWith(entry, CONTRACT_KEYS, where, notContracts);
  return {
    title: string(contract.title, `${where}.title`),
    version: string(contract.version, `${where}.version`),
    asyncapiVersion: string(contract.asyncapiVersion, `${where}.asyncapiVersion`),
    source: string(contract.source, `${where}.source`),
    channels: list(contract.channels, `${where}.channels`, notContracts).map((item, i) => {
      const at = `${where}.channels[${String(i)}]`;
      const channel = objectWith(item, CHANNEL_KEYS, at, notContracts);
      return {
        id: string(channel.id, `${at}.id`),
        address: string(channel.address, `${at}.address`),
        enforcement: mode(channel.enforcement, `${at}.enforcement`),
      };
    }),
    warnings: list(contract.warnings, `${where}.warnings`, notContracts).map((item, i) => {
      const at = `${where}.warnings[${String(i)}]`;
      const warning = objectWith(item, WARNING_KEYS, at, notContracts);
      return {
        rule: string(warning.rule, `${at}.rule`),
        path: string(warning.path, `${at}.path`),
        line: integer(warning.line, 1, `${at}.line`, notContracts),
        message: string(warning.message, `${at}.message`),
      };
    }),
  };
}

/** Every string of a value read: PostgreSQL's `text` and `jsonb` refuse NUL. */
function noNul(value: unknown, where: string): void {
  if (typeof value === 'string') {
    withoutNul(value, where);
  } else if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) noNul(item, `${where}[${String(index)}]`);
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) noNul(item, `${where}.${key}`);
  }
}

function notContracts(detail: string): PoisonRecordError {
  return new PoisonRecordError('not-contracts-in-force', detail);
}
