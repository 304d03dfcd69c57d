import { contractAccepts } from '@uns-mlops/test-services';
import { loadContracts } from '../../src/contract/load-contracts';
import type { LoadedContracts } from '../../src/contract/model';
import { DEFAULT_CONFIG } from '../../src/service/config';
import {
  type ContractsMessage,
  ContractsPublication,
  contractsInForce,
} from '../../src/service/contracts-in-force';
import { CONTRACT_DIR, WELDING_CONTRACT } from '../fixtures/paths';

const ENFORCEMENT = {
  ...DEFAULT_CONFIG.enforcement,
  channels: { telemetry: 'quarantine' as const },
};
const LOADED_AT = new Date('2025-11-25T08:00:00.000Z');
const RELOADED_AT = new Date('2025-11-25T09:30:00.000Z');

const topics = (messages: readonly ContractsMessage[]) => messages.map(({ topic }) => topic);

describe('the contracts in force', () => {
  let welding: LoadedContracts;

  beforeAll(async () => {
    welding = await loadContracts([CONTRACT_DIR]);
  });

  it('lists each contract with its channels and their enforcement modes', () => {
    const report = contractsInForce(welding, ENFORCEMENT);

    expect(report.enforcement).toEqual({
      defaultMode: 'monitor',
      quarantinePrefix: '_quarantine',
      validatedPrefix: '_validated',
    });
    expect(report.inForce).toEqual([
      expect.objectContaining({
        title: 'UNS welding plant',
        version: '1.4.0',
        asyncapiVersion: '3.0.0',
        source: WELDING_CONTRACT,
        warnings: [],
      }),
    ]);
    expect(report.inForce[0]?.channels).toContainEqual({
      id: 'telemetry',
      address: '{enterprise}/{site}/{area}/{line}/{cell}/{asset}/telemetry/{signal}',
      enforcement: 'quarantine',
    });
    expect(report.inForce[0]?.channels).toContainEqual({
      id: 'validationContracts',
      address: '{enterprise}/{site}/_validation/contracts',
      enforcement: 'monitor',
    });
  });

  it('are published for the configured site once loaded, as the contract defines them', () => {
    const publication = new ContractsPublication('acme', 'zwickau');

    const messages = publication.loaded(contractsInForce(welding, ENFORCEMENT), LOADED_AT);

    expect(topics(messages)).toEqual(['acme/zwickau/_validation/contracts']);
    const payload = JSON.parse(messages[0]!.payload) as Record<string, unknown>;
    expect(payload).toEqual({
      publishedAt: '2025-11-25T08:00:00.000Z',
      ...contractsInForce(welding, ENFORCEMENT),
    });
    expect(contractAccepts('ContractsInForce', payload)).toBe(true);
  });

  it('are published for every other site summarized, once per loading, and again for all of them after a reload', () => {
    const publication = new ContractsPublication('acme', 'zwickau');
    const report = contractsInForce(welding, ENFORCEMENT);

    expect(publication.forSites(['dresden'])).toEqual([]);
    publication.loaded(report, LOADED_AT);
    expect(
      topics(publication.forSites(['zwickau', 'dresden', 'Dresden Plant', 'dresden'])),
    ).toEqual(['acme/dresden/_validation/contracts']);
    expect(publication.forSites(['dresden', 'zwickau'])).toEqual([]);

    const reloaded = publication.loaded(report, RELOADED_AT);
    expect(topics(reloaded)).toEqual([
      'acme/zwickau/_validation/contracts',
      'acme/dresden/_validation/contracts',
    ]);
    expect(reloaded.map(({ payload }) => JSON.parse(payload).publishedAt)).toEqual([
      RELOADED_AT.toISOString(),
      RELOADED_AT.toISOString(),
    ]);
  });

  it('are published for no site before one is summarized when none is configured', () => {
    const publication = new ContractsPublication('acme', undefined);

    expect(publication.loaded(contractsInForce(welding, ENFORCEMENT), LOADED_AT)).toEqual([]);
    expect(topics(publication.forSites(['mlada-boleslav']))).toEqual([
      'acme/mlada-boleslav/_validation/contracts',
    ]);
  });
});
