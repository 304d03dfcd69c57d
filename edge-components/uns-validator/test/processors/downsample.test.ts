import { contractExample } from '@uns-mlops/test-services';
import type { LoadedContracts } from '../../src/contract/model';
import { nbirth, topicOf } from '../sparkplug/fixtures';
import {
  ARC_CURRENT,
  judged,
  loadChains,
  RECEIVED_AT,
  runCounts,
  STATE,
  weldingContracts,
} from './helpers';

describe('the downsample processor', () => {
  let contracts: LoadedContracts;

  beforeAll(async () => {
    contracts = await weldingContracts();
  });

  const block = (seq: number) => ({ ...contractExample('arcCurrent', 'oneMillisecondBlock'), seq });

  it('keeps at most one message per topic per interval, by receive time', async () => {
    const { chains, published } = await loadChains(
      'chains:\n  telemetry: [{ use: downsample, options: { intervalMs: 1000 } }]\n',
    );
    const other = ARC_CURRENT.replace('welder-1', 'welder-2');
    const arrivals: [string, number][] = [
      [ARC_CURRENT, 0],
      [other, 10],
      [ARC_CURRENT, 500],
      [ARC_CURRENT, 999],
      [ARC_CURRENT, 1000],
      [other, 1500],
      [ARC_CURRENT, 1999],
    ];

    for (const [index, [topic, at]] of arrivals.entries()) {
      chains.process(judged(contracts, topic, block(index), RECEIVED_AT + at));
    }

    expect(
      published.map(({ topic, payload }) => [topic, JSON.parse(payload.toString()).seq]),
    ).toEqual([
      [`_downsampled/${ARC_CURRENT}`, 0],
      [`_downsampled/${other}`, 1],
      [`_downsampled/${ARC_CURRENT}`, 4],
      [`_downsampled/${other}`, 5],
    ]);
    await chains.close();
  });

  it('keeps every Nth message of each topic, Sparkplug B payloads unchanged', async () => {
    const { chains, published, registry } = await loadChains(
      'chains:\n  default: [{ use: downsample, options: { every: 3, prefix: _every3 } }]\n',
    );
    const birth = judged(contracts, topicOf('NBIRTH'), nbirth());

    for (let seq = 0; seq < 7; seq += 1) chains.process(judged(contracts, ARC_CURRENT, block(seq)));
    chains.process(birth);

    expect(published.map(({ topic, payload }) => [topic, payload])).toEqual([
      [`_every3/${ARC_CURRENT}`, Buffer.from(JSON.stringify(block(0)))],
      [`_every3/${ARC_CURRENT}`, Buffer.from(JSON.stringify(block(3)))],
      [`_every3/${ARC_CURRENT}`, Buffer.from(JSON.stringify(block(6)))],
      [`_every3/${topicOf('NBIRTH')}`, birth.payload],
    ]);
    expect(await runCounts(registry)).toEqual({
      'telemetry/downsample/ok': 3,
      'telemetry/downsample/skipped': 4,
      'sparkplugNode/downsample/ok': 1,
    });
    await chains.close();
  });

  it('skips invalid messages', async () => {
    const { chains, published } = await loadChains(
      'chains:\n  state: [{ use: downsample, options: { every: 2 } }]\n',
    );

    chains.process(
      judged(contracts, STATE, { ...contractExample('assetState', 'welding'), state: 'x' }),
    );

    expect(published).toEqual([]);
    await chains.close();
  });

  it.each([
    ['neither', '{}'],
    ['both', '{ every: 2, intervalMs: 100 }'],
  ])('refuses options that set %s of intervalMs and every', async (_, options) => {
    await expect(
      loadChains(`chains:\n  state: [{ use: downsample, options: ${options} }]\n`),
    ).rejects.toThrow(
      /chains\.state\.0 \(downsample\): options must set exactly one of intervalMs and every/,
    );
  });
});
