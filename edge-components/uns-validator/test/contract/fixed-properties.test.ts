/**
 * A payload is only tested against the messages of its channel that it could be: a message whose
 * schema fixes a property (`unit: A`) to another value than the payload's is passed over. Passing
 * over must never change a verdict: a message passed over is one the payload cannot match.
 */
import { seededRandom } from '@uns-mlops/test-services';
import { fixedProperties, ruledOut } from '../../src/contract/fixed-properties';
import { loadContracts } from '../../src/contract/load-contracts';
import type { LoadedChannel } from '../../src/contract/model';
import { WELDING_CONTRACT } from '../fixtures/paths';

describe('fixedProperties', () => {
  it('finds a const or an enum of primitives in the properties, also in nested allOf branches', () => {
    expect(
      fixedProperties({
        properties: { kind: { const: 'reading' }, quality: { enum: ['good', 'bad'] } },
        allOf: [{ allOf: [{ properties: { unit: { const: 'A' } } }] }],
      }),
    ).toEqual([
      { name: 'kind', values: ['reading'] },
      { name: 'quality', values: ['good', 'bad'] },
      { name: 'unit', values: ['A'] },
    ]);
  });

  it('leaves out what does not always hold: anyOf, oneOf, not, if branches and non-primitive values', () => {
    expect(
      fixedProperties({
        anyOf: [{ properties: { unit: { const: 'A' } } }],
        oneOf: [{ properties: { unit: { const: 'V' } } }],
        not: { properties: { unit: { const: 'W' } } },
        if: { properties: { kind: { const: 'x' } } },
        then: { properties: { unit: { const: 'A' } } },
        properties: {
          range: { const: { low: 0 } },
          tags: { enum: [['a'], 'b'] },
          level: { anyOf: [{ const: 1 }] },
        },
      }),
    ).toEqual([]);
  });
});

describe('ruledOut', () => {
  const fixed = [{ name: 'unit', values: ['A'] }];

  it('rules out an object whose fixed property has another value', () => {
    expect(ruledOut(fixed, { unit: 'V', values: [1] })).toBe(true);
    expect(ruledOut(fixed, { unit: null })).toBe(true);
  });

  it('keeps an object with the allowed value, without the property, or anything else', () => {
    expect(ruledOut(fixed, { unit: 'A' })).toBe(false);
    expect(ruledOut(fixed, { values: [1] })).toBe(false);
    expect(ruledOut(fixed, Object.create({ unit: 'V' }) as object)).toBe(false);
    expect(ruledOut(fixed, ['V'])).toBe(false);
    expect(ruledOut(fixed, 'V')).toBe(false);
    expect(ruledOut(fixed, null)).toBe(false);
  });
});

describe('on the welding contract', () => {
  let telemetry: LoadedChannel;

  beforeAll(async () => {
    const contracts = await loadContracts([WELDING_CONTRACT]);
    telemetry = contracts.contracts[0]!.channels.find(({ id }) => id === 'telemetry')!;
  });

  it('each telemetry message fixes its unit', () => {
    expect(
      telemetry.messages.map(({ id, fixedProperties: fixed }) => [
        id,
        fixed.find(({ name }) => name === 'unit')?.values,
      ]),
    ).toEqual([
      ['arcCurrent', ['A']],
      ['arcVoltage', ['V']],
      ['wireFeedSpeed', ['m/min']],
      ['gasFlow', ['l/min']],
      ['travelSpeed', ['cm/min']],
      ['contactTipTemperature', ['degC']],
    ]);
  });

  it('never rules out a message that a payload matches (20,000 mutated blocks)', () => {
    const random = seededRandom(19);
    const units = ['A', 'V', 'm/min', 'l/min', 'cm/min', 'degC', 'kA', '', 7, null];
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    let matches = 0;
    for (let i = 0; i < 20_000; i++) {
      const block: Record<string, unknown> = {
        t0: '2026-12-05T10:00:00.000Z',
        dtMs: pick([1, 0, 10]),
        unit: pick(units),
        values: [pick([0, 5, 59, 212.5, 599, 601, -1])],
        seq: pick([0, 1, -1]),
      };
      if (random() < 0.1) delete block.unit;
      if (random() < 0.1) block.quality = pick(['good', 'bad', 'unknown']);
      for (const message of telemetry.messages) {
        if (message.test!(block)) {
          matches++;
          expect(ruledOut(message.fixedProperties, block)).toBe(false);
        }
      }
    }
    // The mutations reach every outcome: many blocks match some message.
    expect(matches).toBeGreaterThan(1000);
  });
});
