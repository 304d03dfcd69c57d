import type { ContractWarning, LoadedContracts } from '../contract/model';
import type { EnforcementMode, ValidatorConfig } from './config';
import { modeOf } from './enforcement';
import { SITE_ID_PATTERN, validationTopic } from './validation-topics';

/** A contract in force, as the contract's `ContractInForce` (and the compliance API) describe it. */
export interface ContractInForce {
  readonly title: string;
  readonly version: string;
  readonly asyncapiVersion: string;
  readonly source: string;
  readonly channels: readonly {
    readonly id: string;
    readonly address: string;
    readonly enforcement: EnforcementMode;
  }[];
  readonly warnings: readonly ContractWarning[];
}

/** The contracts a validator judges by, in load order, and its enforcement settings. */
export interface ContractsInForceReport {
  readonly enforcement: {
    readonly defaultMode: EnforcementMode;
    readonly quarantinePrefix: string;
    readonly validatedPrefix: string;
  };
  readonly inForce: readonly ContractInForce[];
}

/** A retained message ready to publish. */
export interface ContractsMessage {
  readonly topic: string;
  readonly payload: string;
}

/** The contracts in force and what each channel's enforcement mode is. */
export function contractsInForce(
  contracts: LoadedContracts,
  enforcement: ValidatorConfig['enforcement'],
): ContractsInForceReport {
  const { defaultMode, quarantinePrefix, validatedPrefix } = enforcement;
  return {
    enforcement: { defaultMode, quarantinePrefix, validatedPrefix },
    inForce: contracts.contracts.map((contract) => ({
      title: contract.title,
      version: contract.version,
      asyncapiVersion: contract.asyncapiVersion,
      source: contract.source,
      channels: contract.channels.map((channel) => ({
        id: channel.id,
        address: channel.address,
        enforcement: modeOf(enforcement, channel.id),
      })),
      warnings: contract.warnings,
    })),
  };
}

/** Sites the contracts are published for; further sites get none. */
const MAX_SITES = 1000;

/**
 * Publishes the contracts in force of a validator, retained, to
 * `{enterprise}/{site}/_validation/contracts` (the contract's `ContractsInForce`, with
 * `publishedAt` = when they were loaded): for the configured site as soon as they are loaded,
 * and for every other site the validator summarizes from its first summary on; after a reload,
 * for every one of those sites again.
 */
export class ContractsPublication {
  /** The current message's payload, once contracts are loaded. */
  private payload: string | undefined;
  /** Sites that have the current payload. */
  private readonly sites = new Set<string>();

  /** @param site the configured site, published for from the start; none when undefined. */
  constructor(
    private readonly enterprise: string,
    site: string | undefined,
  ) {
    if (site !== undefined) this.sites.add(site);
  }

  /** New contracts in force, loaded at `loadedAt`: the messages of every site known so far. */
  loaded(report: ContractsInForceReport, loadedAt: Date): ContractsMessage[] {
    const payload = JSON.stringify({ publishedAt: loadedAt.toISOString(), ...report });
    this.payload = payload;
    return [...this.sites].map((site) => this.message(site, payload));
  }

  /** The messages of the sites among `sites` that do not have the current contracts yet. */
  forSites(sites: Iterable<string>): ContractsMessage[] {
    const payload = this.payload;
    if (payload === undefined) return [];
    const messages: ContractsMessage[] = [];
    for (const site of sites) {
      if (this.sites.has(site) || this.sites.size >= MAX_SITES || !SITE_ID_PATTERN.test(site)) {
        continue;
      }
      this.sites.add(site);
      messages.push(this.message(site, payload));
    }
    return messages;
  }

  private message(site: string, payload: string): ContractsMessage {
    return { topic: validationTopic(this.enterprise, site, 'contracts'), payload };
  }
}
