import { resolve } from 'node:path';
import { loadContracts } from '../../edge-components/uns-validator/src/contract/load-contracts';
import { validateMessage } from '../../edge-components/uns-validator/src/validate/validate-message';
import { defaultCells, WeldingCellSimulator, type SimulatedInspection } from '../src/simulator';
import { smallOptions } from './helpers';

const CONTRACTS = resolve(__dirname, '../../asyncapi');

/** Runs the simulator for `steps` blocks, collecting its inspections and per-sample ground truth. */
function simulate(steps: number, inspectionDelayMs?: number) {
  const simulator = new WeldingCellSimulator(
    smallOptions({ cells: defaultCells(1), defectRate: 0.5, inspectionDelayMs }),
  );
  const inspections: { inspection: SimulatedInspection; blockTimeMs: number }[] = [];
  const samples: { timeMs: number; welding: boolean; label: string }[] = [];
  for (let i = 0; i < steps; i++) {
    const block = simulator.next().find((b) => b.signal === 'arc_current')!;
    block.phases.forEach((phase, k) =>
      samples.push({
        timeMs: block.t0Ms + k * simulator.dtMs,
        welding: phase === 'welding',
        label: block.labels[k]!,
      }),
    );
    for (const inspection of simulator.takeInspectionMessages()) {
      inspections.push({ inspection, blockTimeMs: simulator.nextBlockTimeMs });
    }
  }
  return { inspections, samples };
}

describe('seam inspections', () => {
  const { inspections, samples } = simulate(400);

  it('publishes one verdict per welded seam, valid against the UNS contract', async () => {
    const contracts = await loadContracts([CONTRACTS]);
    expect(inspections.length).toBeGreaterThanOrEqual(6);
    const seamIds = inspections.map(({ inspection }) => inspection.payload.seamId);
    expect(new Set(seamIds).size).toBe(seamIds.length);
    for (const { inspection } of inspections) {
      expect(inspection.topic).toBe(
        'acme/zwickau/body-shop/body-weld-1/cell-010/welder-1/inspection',
      );
      const verdict = validateMessage(
        contracts,
        inspection.topic,
        Buffer.from(JSON.stringify(inspection.payload)),
      );
      expect(verdict.errors).toEqual([]);
      expect(verdict.valid).toBe(true);
    }
  });

  it('spans each seam from its first to its last arc-on sample', () => {
    for (const { inspection } of inspections) {
      const start = Date.parse(inspection.payload.seamStart);
      const end = Date.parse(inspection.payload.seamEnd);
      const inSeam = samples.filter((s) => s.timeMs >= start && s.timeMs < end);
      expect(inSeam.length).toBeGreaterThan(1000);
      expect(inSeam.every((s) => s.welding)).toBe(true);
      expect(samples.find((s) => s.timeMs === start - 1)?.welding).toBe(false);
      expect(samples.find((s) => s.timeMs === end)?.welding).toBe(false);
    }
  });

  it('fails a seam with the defect class of its defect episode and passes a clean one', () => {
    const verdicts = inspections.map(({ inspection }) => {
      const start = Date.parse(inspection.payload.seamStart);
      const end = Date.parse(inspection.payload.seamEnd);
      const defects = new Set(
        samples
          .filter((s) => s.timeMs >= start && s.timeMs < end && s.label !== 'normal')
          .map((s) => s.label),
      );
      return { payload: inspection.payload, defects: [...defects] };
    });
    expect(verdicts.some((v) => v.payload.verdict === 'fail')).toBe(true);
    expect(verdicts.some((v) => v.payload.verdict === 'pass')).toBe(true);
    for (const { payload, defects } of verdicts) {
      if (payload.verdict === 'fail') expect(defects).toEqual([payload.defectClass]);
      else expect(defects).toEqual([]);
    }
  });

  it('comes out once the inspection delay after the seam has passed in simulated time', () => {
    const delayed = simulate(400, 5000).inspections;
    for (const { inspection, blockTimeMs } of delayed) {
      const due = Date.parse(inspection.payload.seamEnd) + 5000;
      expect(Date.parse(inspection.payload.inspectedAt)).toBe(due);
      expect(blockTimeMs).toBeGreaterThanOrEqual(due);
      expect(blockTimeMs - due).toBeLessThan(100);
    }
    expect(delayed.length).toBeLessThan(inspections.length);
  });
});
