import { DEFECT_CLASSES, type SampleLabel } from '../src/defects';
import { GmawCellModel, type CellSample } from '../src/gmaw-model';
import type { SignalName } from '../src/signals';
import { mean } from './helpers';

function simulate(seed: number, defectRate: number, samples: number) {
  const model = new GmawCellModel(seed, {
    defectRate,
    seamSeconds: [0.8, 1.5],
    idleSeconds: [0.2, 0.4],
  });
  const out: CellSample[] = [];
  for (let i = 0; i < samples; i++) out.push(model.step());
  return { model, samples: out };
}

function sd(values: readonly number[]): number {
  const m = mean(values);
  return Math.sqrt(mean(values.map((v) => (v - m) ** 2)));
}

describe('defect episodes', () => {
  it('occur at roughly the configured rate per seam and label their samples', () => {
    for (const rate of [0.1, 0.4]) {
      const { model, samples } = simulate(5, rate, 400_000);
      const seams = model.seams;
      expect(seams).toBeGreaterThan(200);
      const share = model.plannedEpisodes.length / seams;
      expect(Math.abs(share - rate)).toBeLessThan(0.07);
      const labelled = samples.filter((s) => s.label !== 'normal');
      expect(labelled.length).toBeGreaterThan(0);
      expect(labelled.every((s) => s.phase === 'welding')).toBe(true);
    }
  });

  it('never occur with a zero rate', () => {
    const { model, samples } = simulate(5, 0, 100_000);
    expect(model.plannedEpisodes).toHaveLength(0);
    expect(samples.every((s) => s.label === 'normal')).toBe(true);
  });

  describe('change the signals in the expected direction', () => {
    const { samples } = simulate(11, 0.6, 800_000);
    const welding = samples.filter((s) => s.phase === 'welding');
    const of = (label: SampleLabel, signal: SignalName) =>
      welding.filter((s) => s.label === label).map((s) => s.values[signal]);
    const arcing = (label: SampleLabel) => of(label, 'arc_voltage').filter((v) => v >= 10);
    const shortShare = (label: SampleLabel) => {
      const v = of(label, 'arc_voltage');
      return v.filter((x) => x < 10).length / v.length;
    };

    it('covers every defect class', () => {
      for (const defect of DEFECT_CLASSES)
        expect(of(defect, 'arc_current').length).toBeGreaterThan(1000);
    });

    it('gas_loss: gas flow collapses and the arc gets less stable', () => {
      expect(mean(of('gas_loss', 'gas_flow'))).toBeLessThan(0.5 * mean(of('normal', 'gas_flow')));
      expect(sd(arcing('gas_loss'))).toBeGreaterThan(sd(arcing('normal')));
    });

    it('burn_through: current surges, arc voltage drops', () => {
      expect(mean(of('burn_through', 'arc_current'))).toBeGreaterThan(
        mean(of('normal', 'arc_current')) + 40,
      );
      expect(mean(arcing('burn_through'))).toBeLessThan(mean(arcing('normal')) - 1.5);
    });

    it('lack_of_fusion: low current and wire feed (low heat input)', () => {
      expect(mean(of('lack_of_fusion', 'arc_current'))).toBeLessThan(
        mean(of('normal', 'arc_current')) - 30,
      );
      expect(mean(of('lack_of_fusion', 'wire_feed_speed'))).toBeLessThan(
        mean(of('normal', 'wire_feed_speed')) - 1,
      );
    });

    it('wire_stubbing: more time in short circuit, oscillating wire feed', () => {
      expect(shortShare('wire_stubbing')).toBeGreaterThan(2 * shortShare('normal'));
      expect(sd(of('wire_stubbing', 'wire_feed_speed'))).toBeGreaterThan(
        5 * sd(of('normal', 'wire_feed_speed')),
      );
    });

    it('arc_instability: high variance of voltage and current', () => {
      expect(sd(arcing('arc_instability'))).toBeGreaterThan(2 * sd(arcing('normal')));
    });
  });
});
