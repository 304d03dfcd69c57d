import { driftAt, type SimulatedDrift } from '../src/drift';
import { defaultCells, WeldingCellSimulator } from '../src/simulator';
import { mean, smallOptions } from './helpers';

/** Arcing voltage (no short circuit) and the labels of cell 1 over `seconds` of simulated time. */
function arcing(drift: SimulatedDrift | undefined, seconds: number) {
  const simulator = new WeldingCellSimulator(
    smallOptions({ cells: defaultCells(1), defectRate: 0, drift }),
  );
  const voltage: { seconds: number; value: number }[] = [];
  const labels = new Set<string>();
  for (let i = 0; i < seconds * 10; i++) {
    for (const block of simulator.next()) {
      block.labels.forEach((label) => labels.add(label));
      if (block.signal !== 'arc_voltage') continue;
      block.payload.values.forEach((value, k) => {
        if (block.phases[k] === 'welding' && value >= 10) {
          voltage.push({ seconds: i / 10 + k / 1000, value });
        }
      });
    }
  }
  return { voltage, labels };
}

describe('process drift', () => {
  it('changes nothing before it begins: the same blocks as without drift', () => {
    const plain = new WeldingCellSimulator(smallOptions());
    const drifting = new WeldingCellSimulator(
      smallOptions({ drift: { kind: 'wire-batch', startSeconds: 30, rampSeconds: 0 } }),
    );
    for (let i = 0; i < 100; i++) {
      expect(drifting.next().map((b) => b.payload)).toEqual(plain.next().map((b) => b.payload));
    }
  });

  it('ramps linearly from its start to full strength and stays there', () => {
    const drift: SimulatedDrift = { kind: 'wire-batch', startSeconds: 10, rampSeconds: 20 };
    expect(driftAt(drift, 9.9).effect.wireFactor).toBe(1);
    expect(driftAt(drift, 20).effect.wireFactor).toBeCloseTo(1.06);
    expect(driftAt(drift, 30).effect.wireFactor).toBeCloseTo(1.12);
    expect(driftAt(drift, 300).effect.wireFactor).toBeCloseTo(1.12);
    expect(driftAt({ ...drift, kind: 'contact-tip-wear' }, 300).extraWear).toBeCloseTo(0.6);
  });

  it('raises the arcing voltage of a worn contact tip while the welds stay normal', () => {
    const drift: SimulatedDrift = { kind: 'contact-tip-wear', startSeconds: 20, rampSeconds: 0 };
    const { voltage, labels } = arcing(drift, 40);
    const before = mean(voltage.filter((v) => v.seconds < 20).map((v) => v.value));
    const after = mean(voltage.filter((v) => v.seconds >= 20).map((v) => v.value));
    expect(after - before).toBeGreaterThan(0.9);
    expect([...labels]).toEqual(['normal']);
  });

  it('refuses an unknown kind or a negative time', () => {
    const options = (drift: SimulatedDrift) => smallOptions({ drift });
    expect(
      () =>
        new WeldingCellSimulator(
          options({ kind: 'rust' as 'wire-batch', startSeconds: 0, rampSeconds: 0 }),
        ),
    ).toThrow("drift kind must be one of contact-tip-wear, wire-batch, got 'rust'");
    expect(
      () =>
        new WeldingCellSimulator(options({ kind: 'wire-batch', startSeconds: -1, rampSeconds: 0 })),
    ).toThrow('drift startSeconds must be a number >= 0, got -1');
  });
});
