/** The defect episodes a simulator run contains, replayed from the same (deterministic) options. */
import { type SimulatorOptions, WeldingCellSimulator } from '@uns-mlops/welding-simulator';

/** One defect episode of one asset, in time. */
export interface Episode {
  readonly asset: string;
  readonly defect: string;
  readonly startMs: number;
  readonly endMs: number;
}

/** The episodes of the first `steps` blocks of a simulator with `options`. */
export function defectEpisodes(options: SimulatorOptions, steps: number): Episode[] {
  const simulator = new WeldingCellSimulator(options);
  const start = new Date(options.start ?? 0).getTime();
  const byId = new Map<string, Episode>();
  for (let step = 0; step < steps; step++) {
    for (const block of simulator.next()) {
      if (block.signal !== 'arc_current') continue;
      const { enterprise, site, area, line, cell, asset } = block.address;
      for (const episode of block.episodes) {
        byId.set(`${cell}/${episode.id}`, {
          asset: [enterprise, site, area, line, cell, asset].join('/'),
          defect: episode.defect,
          startMs: start + episode.startSample * simulator.dtMs,
          endMs: start + episode.endSample * simulator.dtMs,
        });
      }
    }
  }
  const end = start + steps * simulator.samplesPerBlock * simulator.dtMs;
  return [...byId.values()].filter((e) => e.startMs < end);
}
