import { contractExample } from '@uns-mlops/test-services';
import type { LoadedContracts } from '../../src/contract/model';
import type { ValidatorConfig } from '../../src/service/config';
import { enforce } from '../../src/service/enforcement';
import { nbirth, topicOf } from '../sparkplug/fixtures';
import {
  ALARM,
  ARC_CURRENT,
  judged,
  loadChains,
  runCounts,
  STATE,
  weldingContracts,
} from './helpers';

const ENFORCEMENT: ValidatorConfig['enforcement'] = {
  defaultMode: 'quarantine',
  channels: { telemetry: 'filter', state: 'quarantine', alarm: 'monitor' },
  quarantinePrefix: '_quarantine',
  validatedPrefix: '_validated',
};

describe('the enforce processor (the default chain)', () => {
  let contracts: LoadedContracts;

  beforeAll(async () => {
    contracts = await weldingContracts();
  });

  /** The contract's real messages, valid and invalid, on channels of each mode and none. */
  function messages() {
    const block = contractExample('arcCurrent', 'oneMillisecondBlock');
    return [
      judged(contracts, ARC_CURRENT, block),
      judged(contracts, ARC_CURRENT, { ...block, values: [212.5, 912.5] }),
      judged(contracts, STATE, contractExample('assetState', 'welding')),
      judged(contracts, STATE, { ...contractExample('assetState', 'welding'), state: 'dancing' }),
      judged(contracts, ALARM, { ...contractExample('alarm', 'gasFlowLow'), severity: 'dire' }),
      judged(contracts, 'acme/zwickau/nowhere', { any: 'thing' }),
      judged(contracts, topicOf('NBIRTH'), nbirth()),
    ];
  }

  it('publishes, without a chains file, exactly what enforce() republishes, labelled with the mode', async () => {
    const { chains, published } = await loadChains(undefined, { enforcement: ENFORCEMENT });
    const expected = messages().flatMap(({ verdict, payload, receivedAt }) => {
      const republication = enforce(ENFORCEMENT, verdict, payload, receivedAt);
      return republication === undefined
        ? []
        : [
            {
              topic: republication.topic,
              payload: republication.payload,
              kind: republication.mode,
            },
          ];
    });

    for (const message of messages()) chains.process(message);

    expect(published).toEqual(expected);
    expect(published.map(({ topic, kind }) => [kind, topic])).toEqual([
      ['filter', `_validated/${ARC_CURRENT}`],
      ['quarantine', `_quarantine/${STATE}`],
      ['quarantine', '_quarantine/acme/zwickau/nowhere'],
    ]);
    await chains.close();
  });

  it("counts a republication ok and a message its mode leaves alone skipped, per channel, and is not in a monitor channel's chain", async () => {
    const { chains, registry } = await loadChains(undefined, { enforcement: ENFORCEMENT });

    for (const message of messages()) chains.process(message);

    expect(await runCounts(registry)).toEqual({
      'telemetry/enforce/ok': 1,
      'telemetry/enforce/skipped': 1,
      'state/enforce/ok': 1,
      'state/enforce/skipped': 1,
      'unknown/enforce/ok': 1,
      'sparkplugNode/enforce/skipped': 1,
    });
    expect(chains.hasWork('alarm')).toBe(false);
    expect(chains.hasWork('state')).toBe(true);
    await chains.close();
  });

  it('names its quarantine and validated namespaces as output, never judged again', async () => {
    const { chains } = await loadChains(undefined, { enforcement: ENFORCEMENT });

    expect(chains.isOutput(`_quarantine/${STATE}`)).toBe(true);
    expect(chains.isOutput(`_validated/${ARC_CURRENT}`)).toBe(true);
    expect(chains.isOutput(STATE)).toBe(false);
    expect(chains.isOutput('_quarantined/x')).toBe(false);
    await chains.close();
  });

  it('refuses options: the modes are the validator’s enforcement settings', async () => {
    await expect(
      loadChains('chains:\n  state:\n    - use: enforce\n      options: { mode: filter }\n'),
    ).rejects.toThrow(
      /chains\.state\.0 \(enforce\): options must NOT have additional properties \(mode\)/,
    );
  });
});
