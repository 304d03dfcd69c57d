import { resolve } from 'node:path';
import { loadContracts } from '../../edge-components/uns-validator/src/contract/load-contracts';
import { validateMessage } from '../../edge-components/uns-validator/src/validate/validate-message';
import { Random } from '../src/random';
import { SIGNAL_SPECS, SIGNALS } from '../src/signals';
import { defaultCells, WeldingCellSimulator } from '../src/simulator';
import { encodeBlock } from '../src/mqtt-publisher';
import { mean, run, smallOptions } from './helpers';

const CONTRACTS = resolve(__dirname, '../../asyncapi');

describe('Random', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const a = new Random(7);
    const b = new Random(7);
    const c = new Random(8);
    const seqA = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(seqA);
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('draws gaussians with the requested mean and spread', () => {
    const r = new Random(1);
    const xs = Array.from({ length: 20_000 }, () => r.gaussian(5, 2));
    const m = mean(xs);
    const sd = Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
    expect(m).toBeCloseTo(5, 1);
    expect(sd).toBeGreaterThan(1.9);
    expect(sd).toBeLessThan(2.1);
  });
});

describe('WeldingCellSimulator', () => {
  it('is deterministic: the same seed gives identical blocks, another seed different ones', () => {
    const a = run(smallOptions(), 30);
    const b = run(smallOptions(), 30);
    const c = run(smallOptions({ seed: 43 }), 30);
    expect(b.map((x) => x.payload)).toEqual(a.map((x) => x.payload));
    expect(b.map((x) => x.labels)).toEqual(a.map((x) => x.labels));
    expect(c.map((x) => x.payload.values)).not.toEqual(a.map((x) => x.payload.values));
  });

  it('gives one block per cell per signal, with consecutive t0 and seq', () => {
    const simulator = new WeldingCellSimulator(smallOptions({ blockMs: 50 }));
    const first = simulator.next();
    const second = simulator.next();
    expect(first).toHaveLength(2 * SIGNALS.length);
    expect(first.map((b) => b.topic)).toContain(
      'acme/zwickau/body-shop/body-weld-1/cell-010/welder-1/telemetry/arc_current',
    );
    for (const block of first) {
      expect(block.payload.values).toHaveLength(50);
      expect(block.labels).toHaveLength(50);
      expect(block.payload).toMatchObject({ t0: '2025-11-25T08:00:00.000Z', dtMs: 1, seq: 0 });
    }
    expect(second[0]?.payload).toMatchObject({ t0: '2025-11-25T08:00:00.050Z', seq: 1 });
  });

  it('produces payloads that are valid against the real UNS contract', async () => {
    const contracts = await loadContracts([CONTRACTS]);
    const blocks = run(smallOptions({ cells: defaultCells(1), defectRate: 0.5 }), 60);
    expect(blocks.length).toBe(360);
    for (const block of blocks) {
      const verdict = validateMessage(contracts, block.topic, encodeBlock(block));
      if (!verdict.valid) throw new Error(`${block.topic}: ${JSON.stringify(verdict.errors)}`);
      expect(verdict.valid).toBe(true);
    }
  });

  it('keeps every value within its contract range and shows short circuits in the voltage', () => {
    const blocks = run(smallOptions({ defectRate: 0.5 }), 200);
    for (const block of blocks) {
      const { min, max } = SIGNAL_SPECS[block.signal];
      expect(block.payload.unit).toBe(SIGNAL_SPECS[block.signal].unit);
      const outside = block.payload.values.filter((v) => !(v >= min && v <= max));
      expect(outside).toEqual([]);
    }
    const welding = blocks
      .filter((b) => b.signal === 'arc_voltage')
      .flatMap((b) =>
        b.payload.values.filter((_, i) => b.phases[i] === 'welding' && b.labels[i] === 'normal'),
      );
    expect(welding.length).toBeGreaterThan(5000);
    const shorts = welding.filter((v) => v < 10).length / welding.length;
    expect(shorts).toBeGreaterThan(0.05);
    expect(shorts).toBeLessThan(0.6);
    const arcing = welding.filter((v) => v >= 10);
    expect(mean(arcing)).toBeGreaterThan(17);
    expect(mean(arcing)).toBeLessThan(23);
  });

  it('alternates seams and idle time with plausible process values', () => {
    const blocks = run(smallOptions({ cells: defaultCells(1), defectRate: 0 }), 200);
    const pick = (signal: string, phase: string) =>
      blocks
        .filter((b) => b.signal === signal)
        .flatMap((b) => b.payload.values.filter((_, i) => b.phases[i] === phase));
    expect(mean(pick('arc_current', 'welding'))).toBeGreaterThan(150);
    expect(mean(pick('arc_current', 'welding'))).toBeLessThan(240);
    expect(mean(pick('arc_current', 'idle'))).toBeLessThan(1);
    expect(mean(pick('wire_feed_speed', 'welding'))).toBeGreaterThan(6);
    expect(mean(pick('wire_feed_speed', 'welding'))).toBeLessThan(10);
    expect(mean(pick('gas_flow', 'welding'))).toBeGreaterThan(12);
    expect(mean(pick('gas_flow', 'welding'))).toBeLessThan(18);
    expect(mean(pick('travel_speed', 'welding'))).toBeGreaterThan(40);
    expect(mean(pick('travel_speed', 'welding'))).toBeLessThan(60);
    expect(Math.max(...pick('contact_tip_temperature', 'welding'))).toBeGreaterThan(60);
    expect(pick('arc_current', 'idle').length).toBeGreaterThan(1000);
  });
});
