import type { SimulatedBlock, SimulatorOptions } from '../src/simulator';
import { defaultCells, WeldingCellSimulator } from '../src/simulator';

/** Options of a small, fast simulation. */
export function smallOptions(overrides: Partial<SimulatorOptions> = {}): SimulatorOptions {
  return {
    seed: 42,
    cells: defaultCells(2),
    start: '2025-11-25T08:00:00Z',
    defectRate: 0.1,
    ...overrides,
  };
}

/** Runs `steps` simulator steps and returns every block. */
export function run(options: SimulatorOptions, steps: number): SimulatedBlock[] {
  const simulator = new WeldingCellSimulator(options);
  const blocks: SimulatedBlock[] = [];
  for (let i = 0; i < steps; i++) blocks.push(...simulator.next());
  return blocks;
}

/** Mean of an array (NaN when empty). */
export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
