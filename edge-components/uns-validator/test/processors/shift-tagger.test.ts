import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { contractExample } from '@uns-mlops/test-services';
import type { LoadedContracts } from '../../src/contract/model';
import { nbirth, topicOf } from '../sparkplug/fixtures';
import {
  bodyOf,
  judged,
  loadChains,
  runCounts,
  STATE,
  weldingContracts,
  writeChainsFile,
} from './helpers';

const EXAMPLE = join(__dirname, '..', '..', 'examples', 'processors', 'shift-tagger.js');

/** A plant's chains file beside its plug-ins folder, holding a copy of the example. */
function plantChainsFile(options: string): string {
  const file = writeChainsFile(
    `chains:\n  state:\n    - use: enforce\n    - use: ./plugins/shift-tagger.js\n      options: ${options}\n`,
  );
  mkdirSync(join(dirname(file), 'plugins'));
  copyFileSync(EXAMPLE, join(dirname(file), 'plugins', 'shift-tagger.js'));
  return file;
}

describe('the example plug-in processor (shift tagger), loaded by path from the chains file', () => {
  let contracts: LoadedContracts;

  beforeAll(async () => {
    contracts = await weldingContracts();
  });

  it('tags each valid message with its shift in plant time and publishes it to _shifts/<topic>', async () => {
    const { chains, published, logs } = await loadChains(undefined, {
      file: plantChainsFile('{ utcOffsetMinutes: 60 }'),
    });
    const welding = contractExample('assetState', 'welding');
    // 04:59, 05:00, 12:59, 13:00 and 21:00 UTC: 05:59, 06:00, 13:59, 14:00 and 22:00 in the plant.
    const times = ['04:59', '05:00', '12:59', '13:00', '21:00'];

    for (const time of times) {
      chains.process(judged(contracts, STATE, welding, Date.parse(`2025-11-25T${time}:00Z`)));
    }

    expect(published.map(({ topic }) => topic)).toEqual(times.map(() => `_shifts/${STATE}`));
    expect(published.map((publication) => bodyOf(publication))).toEqual(
      ['night', 'early', 'early', 'late', 'night'].map((shift) => ({ ...welding, shift })),
    );
    expect(chains.isOutput(`_shifts/${STATE}`)).toBe(true);
    expect(logs).toContainEqual(
      expect.objectContaining({ processor: 'shift-tagger', msg: 'shift tagger ready' }),
    );
    await chains.close();
  });

  it('skips invalid messages and Sparkplug B payloads', async () => {
    const file = plantChainsFile('{}');
    writeFileSync(file, 'chains:\n  default:\n    - use: ./plugins/shift-tagger.js\n');
    const { chains, published, registry } = await loadChains(undefined, { file });

    chains.process(
      judged(contracts, STATE, { ...contractExample('assetState', 'welding'), state: 'x' }),
    );
    chains.process(judged(contracts, topicOf('NBIRTH'), nbirth()));

    expect(published).toEqual([]);
    expect(await runCounts(registry)).toEqual({
      'state/shift-tagger/skipped': 1,
      'sparkplugNode/shift-tagger/skipped': 1,
    });
    await chains.close();
  });

  it('refuses wrong options, the chains file naming the step', async () => {
    await expect(
      loadChains(undefined, {
        file: plantChainsFile('{ utcOffsetMinutes: 1000, earlyShiftStartsAt: 6.5, shifts: 4 }'),
      }),
    ).rejects.toThrow(
      'chains.state.1 (./plugins/shift-tagger.js): options.utcOffsetMinutes must be an integer from -840 to 840; options.earlyShiftStartsAt must be an hour from 0 to 23; options.shifts is not an option',
    );
  });
});
