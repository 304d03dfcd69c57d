import { join } from 'node:path';
import { contractExample } from '@uns-mlops/test-services';
import type { LoadedContracts } from '../../src/contract/model';
import { nbirth, topicOf } from '../sparkplug/fixtures';
import {
  ARC_CURRENT,
  bodyOf,
  judged,
  LEVELS,
  loadChains,
  runCounts,
  STATE,
  weldingContracts,
  writeChainsFile,
} from './helpers';

const CHAINS = join(__dirname, 'fixtures', 'contextualise.yaml');

describe('the contextualise processor', () => {
  let contracts: LoadedContracts;

  beforeAll(async () => {
    contracts = await weldingContracts();
  });

  it('mirrors a valid message with its ISA-95 levels, channel, contract version and asset attributes', async () => {
    const { chains, published } = await loadChains(undefined, { file: CHAINS });
    const state = contractExample('assetState', 'welding');

    chains.process(judged(contracts, STATE, state));

    expect(published).toHaveLength(1);
    expect(published[0]?.topic).toBe(`_contextualised/${STATE}`);
    expect(bodyOf(published[0])).toEqual({
      ...state,
      context: {
        ...LEVELS,
        channel: 'state',
        contractVersion: contracts.contracts[0]?.version,
        attributes: {
          // The asset id's entry, then the prefixes from the shortest: the longest wins.
          manufacturer: 'Fronius',
          plant: 'Zwickau body plant',
          type: 'welding-power-source-tps500i',
          serial: 'FR-2291-0042',
          commissioned: '2023-04-17',
        },
      },
    });
    await chains.close();
  });

  it('publishes under its own prefix, takes the asset id’s attributes for another site, and passes the message on', async () => {
    const { chains, published } = await loadChains(undefined, { file: CHAINS });
    const block = contractExample('arcCurrent', 'oneMillisecondBlock');
    const elsewhere = ARC_CURRENT.replace('zwickau', 'mlada-boleslav');

    chains.process(judged(contracts, elsewhere, block));

    expect(published.map(({ topic }) => topic)).toEqual([`_context/${elsewhere}`]);
    expect(bodyOf(published[0]).context).toMatchObject({
      site: 'mlada-boleslav',
      channel: 'telemetry',
      attributes: { type: 'welding-power-source', manufacturer: 'Fronius' },
    });
    expect(chains.isOutput(`_context/${elsewhere}`)).toBe(true);
    await chains.close();
  });

  it('skips invalid messages and Sparkplug B protobuf payloads', async () => {
    const { chains, published, registry } = await loadChains(undefined, { file: CHAINS });

    chains.process(
      judged(contracts, STATE, { ...contractExample('assetState', 'welding'), state: 'x' }),
    );
    chains.process(judged(contracts, topicOf('NBIRTH'), nbirth()));

    expect(published).toEqual([]);
    expect(await runCounts(registry)).toEqual({
      'state/contextualise/skipped': 1,
      'sparkplugNode/contextualise/skipped': 1,
    });
    await chains.close();
  });

  it('has no attributes without an asset model', async () => {
    const { chains, published } = await loadChains('chains:\n  state: [{ use: contextualise }]\n');

    chains.process(judged(contracts, STATE, contractExample('assetState', 'welding')));

    expect(bodyOf(published[0]).context).toEqual({
      ...LEVELS,
      channel: 'state',
      contractVersion: contracts.contracts[0]?.version,
    });
    await chains.close();
  });

  it('refuses an asset model that is missing or malformed, naming the file', async () => {
    const malformed = writeChainsFile('assets:\n  welder-1: Fronius\n', 'assets.yaml');
    const file = (model: string) =>
      `chains:\n  state:\n    - use: contextualise\n      options: { assetModel: ${model} }\n`;

    await expect(loadChains(file('missing.yaml'))).rejects.toThrow(
      /chains\.state\.0 \(contextualise\): asset model .*missing\.yaml: .*ENOENT/,
    );
    await expect(loadChains(file(malformed))).rejects.toThrow(
      /asset model .*assets\.yaml: model\.assets\.welder-1 must be object/,
    );
  });
});
