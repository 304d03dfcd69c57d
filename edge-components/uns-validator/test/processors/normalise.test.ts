import { channelTopic, contractExample } from '@uns-mlops/test-services';
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
} from './helpers';

const TIP_TEMPERATURE = channelTopic('telemetry', { ...LEVELS, signal: 'contact_tip_temperature' });

/** The contract's arc current example, in kA, with the plant's process window of 0-0.213 kA. */
const TO_KILOAMPERE = `
chains:
  telemetry:
    - use: normalise
      options:
        units:
          A: { to: kA, factor: 0.001 }
          degC: { to: K, factor: 1, offset: 273.15 }
        ranges:
          kA: { max: 0.213 }
          K: { min: 300, max: 1000 }
`;

describe('the normalise processor', () => {
  let contracts: LoadedContracts;

  beforeAll(async () => {
    contracts = await weldingContracts();
  });

  /** A contact tip temperature block (°C) the contract accepts. */
  function tipTemperature(values: number[]) {
    return { t0: '2025-11-25T08:15:30.000Z', dtMs: 100, unit: 'degC', values, seq: 7 };
  }

  it('converts a block’s values and unit, and lists the values outside the range as JSON Pointers', async () => {
    const { chains, published } = await loadChains(TO_KILOAMPERE);
    const block = contractExample('arcCurrent', 'oneMillisecondBlock'); // [212.5, 213.1, 211.9] A

    chains.process(judged(contracts, ARC_CURRENT, block));

    expect(published.map(({ topic }) => topic)).toEqual([`_normalised/${ARC_CURRENT}`]);
    const body = bodyOf(published[0]);
    expect(body).toEqual({
      ...block,
      unit: 'kA',
      values: expect.any(Array),
      outOfRange: ['/values/1'],
    });
    const values = body.values as number[];
    [0.2125, 0.2131, 0.2119].forEach((kiloampere, index) => {
      expect(values[index]).toBeCloseTo(kiloampere, 12);
    });
    await chains.close();
  });

  it('applies an offset (°C to K) and clamps values outside the range when asked', async () => {
    const { chains, published } = await loadChains(
      TO_KILOAMPERE.replace('ranges:', 'clamp: true\n        ranges:'),
    );

    chains.process(judged(contracts, TIP_TEMPERATURE, tipTemperature([20, 350, 780])));

    expect(bodyOf(published[0])).toEqual({
      ...tipTemperature([300, 623.15, 1000]),
      unit: 'K',
      outOfRange: ['/values/0', '/values/2'],
    });
    await chains.close();
  });

  it('mirrors unchanged a valid message whose unit has no conversion nor range', async () => {
    const { chains, published } = await loadChains(
      'chains:\n  telemetry: [{ use: normalise, options: { units: { V: { to: kV, factor: 0.001 } } } }]\n',
    );
    const message = judged(
      contracts,
      ARC_CURRENT,
      contractExample('arcCurrent', 'oneMillisecondBlock'),
    );

    chains.process(message);

    expect(published).toEqual([{ topic: `_normalised/${ARC_CURRENT}`, payload: message.payload }]);
    await chains.close();
  });

  it('hands the normalised message to the rest of the chain with output: next', async () => {
    const { chains, published } = await loadChains(`
chains:
  telemetry:
    - use: normalise
      options: { output: next, units: { A: { to: kA, factor: 0.001 } } }
    - use: downsample
      options: { every: 2 }
`);
    const block = contractExample('arcCurrent', 'oneMillisecondBlock');

    for (const seq of [1, 2, 3]) chains.process(judged(contracts, ARC_CURRENT, { ...block, seq }));

    expect(published.map(({ topic }) => topic)).toEqual([
      `_downsampled/${ARC_CURRENT}`,
      `_downsampled/${ARC_CURRENT}`,
    ]);
    expect(published.map((publication) => bodyOf(publication))).toEqual([
      expect.objectContaining({ unit: 'kA', seq: 1 }),
      expect.objectContaining({ unit: 'kA', seq: 3 }),
    ]);
    expect(chains.isOutput(`_normalised/${ARC_CURRENT}`)).toBe(false);
    await chains.close();
  });

  it('skips invalid messages and Sparkplug B protobuf payloads', async () => {
    const { chains, published, registry } = await loadChains(
      'chains:\n  default: [{ use: normalise }]\n',
    );

    chains.process(judged(contracts, TIP_TEMPERATURE, tipTemperature([20, 900])));
    chains.process(judged(contracts, topicOf('NBIRTH'), nbirth()));
    chains.process(judged(contracts, STATE, contractExample('assetState', 'welding')));

    expect(published.map(({ topic }) => topic)).toEqual([`_normalised/${STATE}`]);
    expect(await runCounts(registry)).toEqual({
      'telemetry/normalise/skipped': 1,
      'sparkplugNode/normalise/skipped': 1,
      'state/normalise/ok': 1,
    });
    await chains.close();
  });

  it('refuses options that are wrong, naming each', async () => {
    await expect(
      loadChains(`
chains:
  telemetry:
    - use: normalise
      options:
        units: { A: { to: kA, factor: milli } }
        ranges: { kA: {} }
        output: topic
`),
    ).rejects.toThrow(
      /chains\.telemetry\.0 \(normalise\): options\.output must be equal to one of the allowed values \(mirror, next\); options\.units\.A\.factor must be number; options\.ranges\.kA must NOT have fewer than 1 properties/,
    );
  });
});
