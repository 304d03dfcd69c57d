/**
 * `npm run bench:drift`: false alarm rate and detection delay of the drift monitor on the welding
 * simulator. The simulator's telemetry goes in-process through the runtime's own path (blocks →
 * window assembler → the fixture bundle's model → drift monitor), in simulated time, with the
 * runtime's default drift settings (a 300 s window judged every 60 s, threshold 0.25, at least
 * 1,000 samples). Deterministic: the same code gives the same figures.
 *
 * The cells are the four the fixture bundle was trained on (the training dataset's seed), with
 * the simulator's own contact-tip wear switched off (`wearPerArcSecond` 0): that wear is a drift
 * too (arc voltage +1.2 V after five minutes of arc time), so with it "no drift" would not exist;
 * run (d) measures it. The baseline is built from the first two minutes as the pipeline builds a
 * bundle's (raw normal samples; de-duplicated deciles; scores of the normal windows): pooled over
 * the four cells, with a per-asset entry for each cell (`baseline.assets`), judged by one monitor as
 * the runtime judges a bundle's.
 *
 * - (a) no drift for an hour: the share of evaluations flagged (false alarm rate) with the
 *   per-asset baselines; the same against the pooled baseline alone (as a bundle without per-asset
 *   entries carries) and against the fixture bundle's own baseline when it has one (with its own
 *   per-asset entries when the pipeline wrote them, from its training data);
 * - (b) `contact-tip-wear` and (c) `wire-batch` from 20 minutes in, full after 5 more: seconds
 *   from the drift's start to the end of the first window flagged, per cell (evaluations before
 *   the start count into the false alarm rate);
 * - (d) the simulator's default tip wear, no drift option: seconds until the first flag;
 * - (e) the cost: time to count one window (the runtime does it for every window it assembles), to
 *   judge 64 assets, and to start counting a new asset (selecting its per-asset entry).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  defaultCells,
  type DriftKind,
  type SimulatorOptions,
  WeldingCellSimulator,
} from '@uns-mlops/welding-simulator';
import { ScoringModel } from '../src/bundle/scoring-model';
import {
  type BaselineHistogram,
  type DriftBaseline,
  MAX_ASSET_BASELINES,
} from '../src/drift/baseline';
import { DriftMonitor, type DriftResult } from '../src/drift/drift-monitor';
import { DEFAULT_CONFIG } from '../src/service/config';
import { type AssembledWindow, WindowAssembler } from '../src/windowing/window-assembler';
import { ensureFixtureBundle } from '../test/fixtures/model-fixture';
import { driftBaseline, type SeriesSample } from '../test/support/baseline-histogram';

/** The fixture bundle's training dataset (test/services/src/model-bundle.ts): the same cells. */
const SEED = 11;
const CELLS = defaultCells(4);
const DEFECT_RATE = 0.15;
const START_MS = Date.UTC(2025, 5, 2, 6);
const BASELINE_SECONDS = 120;
const MONITOR_SECONDS = 3600;
const DRIFT_START_SECONDS = BASELINE_SECONDS + 1200;
const DRIFT_RAMP_SECONDS = 300;
const SETTINGS = {
  windowMs: DEFAULT_CONFIG.drift.windowSeconds * 1000,
  intervalMs: DEFAULT_CONFIG.drift.intervalSeconds * 1000,
  threshold: DEFAULT_CONFIG.drift.threshold,
  minSamples: DEFAULT_CONFIG.drift.minSamples,
};
const SCORE_BATCH = 1024;

/**
 * The monitors of one run, by baseline: the first two minutes' with per-asset entries (`own`), the
 * same pooled only (`pooled`), the fixture bundle's own (`bundle`, when it has one).
 */
type Monitors = Record<'own' | 'pooled' | 'bundle', DriftMonitor | undefined>;

/** What one run found: each evaluation's results in time order, by monitor. */
type Judged = Record<keyof Monitors, DriftResult[]>;

interface Run {
  readonly drift?: DriftKind;
  readonly wear: boolean;
}

const round = (value: number, digits = 3) => Number(value.toFixed(digits));
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/**
 * Runs the simulator for `BASELINE_SECONDS + MONITOR_SECONDS`: the first part builds the
 * baselines, the rest is judged at every interval boundary.
 */
async function simulate(model: ScoringModel, run: Run): Promise<Judged> {
  const { geometry } = model;
  const names = geometry.channels;
  const options: SimulatorOptions = {
    seed: SEED,
    cells: CELLS,
    defectRate: DEFECT_RATE,
    start: START_MS,
    ...(run.wear ? {} : { wearPerArcSecond: 0 }),
    ...(run.drift === undefined
      ? {}
      : {
          drift: {
            kind: run.drift,
            startSeconds: DRIFT_START_SECONDS,
            rampSeconds: DRIFT_RAMP_SECONDS,
          },
        }),
  };
  const simulator = new WeldingCellSimulator(options);
  const assetOf = (cell: (typeof CELLS)[number]) =>
    [cell.enterprise, cell.site, cell.area, cell.line, cell.cell, cell.asset].join('/');
  const assets = CELLS.map(assetOf);
  const baselineEndMs = START_MS + BASELINE_SECONDS * 1000;
  /** Per asset, the baseline sample of its series (the training data's ISA-95 series columns). */
  const samples = new Map(
    CELLS.map((cell) => [
      assetOf(cell),
      { series: { ...cell }, channels: names.map((): number[] => []), scores: [] as number[] },
    ]),
  );
  /** Per asset, the grid indexes of samples not labelled normal in the baseline period. */
  const abnormal = new Map<string, Set<number>>(assets.map((a) => [a, new Set()]));
  let monitors: Monitors | undefined;
  let pending: AssembledWindow[] = [];
  const judged: Judged = { own: [], pooled: [], bundle: [] };
  const each = (act: (m: DriftMonitor) => void) => {
    for (const m of Object.values(monitors ?? {})) if (m !== undefined) act(m);
  };
  const assembler = new WindowAssembler(
    {
      geometry,
      reorderBlocks: 4,
      maxChannelSkewMs: 2000,
      missingValues: () => geometry.missingValues,
    },
    {
      window: (window) => {
        pending.push(window);
        each((m) => {
          m.observeWindow(window.asset, window.raw, window.endMs);
        });
      },
      skipped: () => undefined,
      stream: () => undefined,
      filled: () => undefined,
    },
  );
  const scorePending = async () => {
    const windows = pending;
    pending = [];
    for (let i = 0; i < windows.length; i += SCORE_BATCH) {
      const batch = windows.slice(i, i + SCORE_BATCH);
      const scores = await model.score(batch.map((w) => w.raw));
      batch.forEach((window, k) => {
        const score = scores[k] ?? Number.NaN;
        if (window.endMs <= baselineEndMs) {
          const bad = abnormal.get(window.asset);
          let normal = true;
          for (let t = window.startIndex; t < window.startIndex + geometry.length; t++) {
            if (bad?.has(t) === true) normal = false;
          }
          if (normal) samples.get(window.asset)?.scores.push(score);
        }
        each((m) => {
          m.observeScore(window.asset, score, window.endMs);
        });
      });
    }
  };

  const steps =
    ((BASELINE_SECONDS + MONITOR_SECONDS) * 1000) / (simulator.samplesPerBlock * simulator.dtMs);
  let nextEvaluationMs = baselineEndMs + SETTINGS.intervalMs;
  for (let step = 0; step < steps; step++) {
    for (const b of simulator.next()) {
      const channel = names.indexOf(b.signal);
      if (channel < 0) continue;
      const asset = assetOf(b.address);
      if (b.t0Ms < baselineEndMs) {
        const values = samples.get(asset)?.channels[channel];
        b.labels.forEach((label, i) => {
          const index = Math.round((b.t0Ms + i * b.payload.dtMs) / (1000 / geometry.sampleRateHz));
          if (label === 'normal') values?.push(b.payload.values[i] ?? Number.NaN);
          else abnormal.get(asset)?.add(index);
        });
      }
      assembler.accept(asset, channel, {
        t0Ms: b.t0Ms,
        dtMs: b.payload.dtMs,
        values: Float64Array.from(b.payload.values),
        seq: b.payload.seq,
      });
    }
    const now = simulator.nextBlockTimeMs;
    if (monitors === undefined && now >= baselineEndMs) {
      await scorePending();
      monitors = startMonitors(model, [...samples.values()]);
    }
    if (now >= nextEvaluationMs) {
      await scorePending();
      for (const key of Object.keys(judged) as (keyof Judged)[]) {
        const results = monitors?.[key]?.evaluate(nextEvaluationMs).results ?? [];
        judged[key].push(...results.filter((r) => r.windowStartMs >= baselineEndMs));
      }
      nextEvaluationMs += SETTINGS.intervalMs;
    }
  }
  return judged;
}

function startMonitors(model: ScoringModel, samples: readonly SeriesSample[]): Monitors {
  const names = model.geometry.channels;
  const monitor = (baseline: DriftBaseline) =>
    new DriftMonitor(
      {
        modelName: model.modelName,
        modelVersion: model.modelVersion,
        baseline,
        geometry: model.geometry,
      },
      SETTINGS,
    );
  const own = driftBaseline(names, samples);
  if (own.assets?.length !== samples.length) {
    throw new Error(
      `per-asset baselines for ${own.assets?.length ?? 0} of ${samples.length} cells`,
    );
  }
  return {
    own: monitor(own),
    pooled: monitor({ ...own, assets: undefined }),
    bundle: model.baseline === undefined ? undefined : monitor(model.baseline),
  };
}

/** Share of results flagged, among those whose window ends before `beforeMs`. */
function falseAlarms(results: DriftResult[], beforeMs = Infinity) {
  const judged = results.filter((r) => r.windowEndMs <= beforeMs);
  const flagged = judged.filter((r) => r.drifted).length;
  return {
    evaluations: judged.length,
    flagged,
    rate: judged.length === 0 ? 0 : flagged / judged.length,
  };
}

/** Per asset, seconds from `fromMs` to the end of the first flagged window (at or after it). */
function delays(results: DriftResult[], fromMs: number) {
  const first = new Map<string, DriftResult>();
  for (const r of results) {
    if (r.drifted && r.windowEndMs > fromMs && !first.has(r.asset)) first.set(r.asset, r);
  }
  return CELLS.map((cell) => {
    const hit = [...first.values()].find((r) => r.asset.includes(`/${cell.cell}/`));
    return {
      cell: cell.cell,
      seconds: hit === undefined ? null : (hit.windowEndMs - fromMs) / 1000,
      channels: hit?.channels.filter((c) => c.drifted).map((c) => c.name) ?? [],
      score: hit?.score?.drifted ?? false,
    };
  });
}

/**
 * (e) Microseconds to count one window of the model's geometry and its score, milliseconds to
 * judge 64 assets, and microseconds to start counting a new asset (selecting its entry among
 * {@link MAX_ASSET_BASELINES} per-asset entries), against a baseline with that many entries of 10
 * bins each (the time depends on the number of edges and entries, not on the values).
 */
function cost(model: ScoringModel) {
  const { channels, length, stride } = model.geometry;
  const spread = Array.from({ length: 1000 }, (_, i) => i / 10);
  const baseline = driftBaseline(
    channels,
    Array.from({ length: MAX_ASSET_BASELINES }, (_, i) => ({
      series: { line: 'l', cell: `cell-${i}` },
      channels: channels.map(() => spread),
      scores: spread,
    })),
  );
  const monitor = () =>
    new DriftMonitor(
      {
        modelName: model.modelName,
        modelVersion: model.modelVersion,
        baseline,
        geometry: model.geometry,
      },
      SETTINGS,
    );
  const counting = monitor();
  // The last cells of the entries: each selection runs through all of them.
  const assets = Array.from(
    { length: 64 },
    (_, i) => `acme/zwickau/a/l/cell-${MAX_ASSET_BASELINES - 64 + i}/welder-1`,
  );
  const windows = assets.map(() =>
    Float32Array.from({ length: channels.length * length }, () => Math.random() * 200),
  );
  let newAssetUs = Infinity;
  for (let repeat = 0; repeat < 3; repeat++) {
    const fresh = monitor();
    const started = process.hrtime.bigint();
    assets.forEach((asset, k) => {
      fresh.observeWindow(asset, windows[k] ?? new Float32Array(0), START_MS);
    });
    newAssetUs = Math.min(
      newAssetUs,
      Number(process.hrtime.bigint() - started) / 1000 / assets.length,
    );
  }
  const rounds = 200_000;
  let best = Infinity;
  for (let repeat = 0; repeat < 3; repeat++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) {
      const k = i % assets.length;
      counting.observeWindow(assets[k] ?? '', windows[k] ?? new Float32Array(0), START_MS + i);
      counting.observeScore(assets[k] ?? '', 0.05, START_MS + i);
    }
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1000 / rounds);
  }
  const started = process.hrtime.bigint();
  const { results } = counting.evaluate(START_MS + rounds + SETTINGS.intervalMs);
  const judgeMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (results.some((r) => r.baseline.channels !== 'asset')) {
    throw new Error('an asset of the cost run was not judged against its own entry');
  }
  return {
    perWindowUs: best,
    newSamplesPerWindow: channels.length * Math.min(stride, length),
    judgeMs,
    judged: results.length,
    newAssetUs,
  };
}

function histogramText(histogram: BaselineHistogram): string {
  return `${histogram.edges.length + 1} bins, ${histogram.samples} samples`;
}

/** How many of `results` flagged each channel and the score, per cell (`cell-010 score: 3`). */
function flaggedBy(results: DriftResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) {
    const cell = r.asset.split('/')[4] ?? r.asset;
    const subjects = [
      ...r.channels.filter((c) => c.drifted).map((c) => c.name),
      ...(r.score?.drifted === true ? ['score'] : []),
    ];
    for (const subject of subjects) {
      counts[`${cell} ${subject}`] = (counts[`${cell} ${subject}`] ?? 0) + 1;
    }
  }
  return counts;
}

/** Which baseline the results judged each cell against (`asset` or `pooled`, and the score's). */
function baselinesUsed(results: DriftResult[]): Record<string, string> {
  return Object.fromEntries(
    results.map((r) => [
      r.asset.split('/')[4] ?? r.asset,
      `${r.baseline.channels}${r.baseline.score === r.baseline.channels ? '' : ` (score ${r.baseline.score})`}`,
    ]),
  );
}

async function main(): Promise<void> {
  const bundle = ensureFixtureBundle();
  const manifest = JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8'));
  const model = await ScoringModel.load(bundle, {
    signals: manifest.channels.map((c: { name: string }) => c.name),
    smokeWindows: [],
  });
  const assetEntries = model.baseline?.assets ?? [];
  console.log(
    `model ${model.modelName} ${model.modelVersion} (${model.geometry.channels.join(', ')}); bundle baseline: ${model.baseline === undefined ? 'none' : `${model.baseline.channels.map((c) => `${c.name} ${histogramText(c)}`).join('; ')}; ${assetEntries.length} per-asset entries (${assetEntries.filter((e) => e.score !== undefined).length} with a score)`}`,
  );
  console.log(
    `${CELLS.length} cells (seed ${SEED}), baseline ${BASELINE_SECONDS} s (pooled and per cell), then ${MONITOR_SECONDS} s judged every ${SETTINGS.intervalMs / 1000} s over ${SETTINGS.windowMs / 1000} s, threshold ${SETTINGS.threshold}, minSamples ${SETTINGS.minSamples}`,
  );
  const started = performance.now();
  const none = await simulate(model, { wear: false });
  const driftStartMs = START_MS + DRIFT_START_SECONDS * 1000;
  const tip = await simulate(model, { wear: false, drift: 'contact-tip-wear' });
  const wire = await simulate(model, { wear: false, drift: 'wire-batch' });
  const wear = await simulate(model, { wear: true });

  const baselineEndMs = START_MS + BASELINE_SECONDS * 1000;
  /** False alarms of `key`'s monitor: the undrifted hour and the evaluations before (b), (c). */
  const withoutDrift = (key: keyof Judged) => {
    const counts = [
      falseAlarms(none[key]),
      falseAlarms(tip[key], driftStartMs),
      falseAlarms(wire[key], driftStartMs),
    ];
    const flagged = counts.reduce((sum, c) => sum + c.flagged, 0);
    const evaluations = counts.reduce((sum, c) => sum + c.evaluations, 0);
    const largest = Math.max(
      ...none[key].flatMap((r) => [...r.channels.map((c) => c.value), r.score?.value ?? 0]),
    );
    return {
      hour: counts[0],
      flaggedBy: flaggedBy(none[key]),
      flagged,
      evaluations,
      rate: evaluations === 0 ? 0 : flagged / evaluations,
      largest,
    };
  };
  const alarmText = (a: ReturnType<typeof withoutDrift>) =>
    `${a.hour?.flagged}/${a.hour?.evaluations} evaluations flagged; with those before the drifts of (b) and (c): ${a.flagged}/${a.evaluations} (false alarm rate ${round(a.rate * 100, 2)} %); largest PSI ${round(a.largest)}; in the hour, flagged by ${JSON.stringify(a.flaggedBy)}`;
  const own = withoutDrift('own');
  const pooled = falseAlarms(none.pooled);
  const pooledMedians = Object.fromEntries(
    model.geometry.channels.map((name) => [
      name,
      round(median(none.pooled.map((r) => r.channels.find((c) => c.name === name)?.value ?? 0)), 2),
    ]),
  );
  const ofBundle = model.baseline === undefined ? undefined : withoutDrift('bundle');
  console.log(
    `(a) no drift, per-asset baselines of the first ${BASELINE_SECONDS} s (${JSON.stringify(baselinesUsed(none.own))}): ${alarmText(own)}`,
  );
  console.log(
    `    the same pooled only: ${pooled.flagged}/${pooled.evaluations} flagged (${round(pooled.rate * 100, 1)} %), median PSI ${JSON.stringify(pooledMedians)}`,
  );
  if (ofBundle !== undefined) {
    console.log(
      `    the bundle's own baseline (${JSON.stringify(baselinesUsed(none.bundle))}): ${alarmText(ofBundle)}`,
    );
  }
  const report = (label: string, results: DriftResult[], fromMs: number) => {
    const found = delays(results, fromMs);
    const seconds = found.map((d) => d.seconds).filter((s): s is number => s !== null);
    console.log(
      `${label}: detected on ${seconds.length}/${found.length} cells; ${found.map((d) => `${d.cell} after ${d.seconds ?? 'never'} s (${[...d.channels, ...(d.score ? ['score'] : [])].join(', ')})`).join('; ')}`,
    );
    return {
      detected: seconds.length,
      minSeconds: Math.min(...seconds),
      medianSeconds: median(seconds),
      maxSeconds: Math.max(...seconds),
    };
  };
  const from = `${DRIFT_START_SECONDS - BASELINE_SECONDS} s in (ramp ${DRIFT_RAMP_SECONDS} s)`;
  const tipDelay = report(`(b) contact-tip-wear from ${from}`, tip.own, driftStartMs);
  const wireDelay = report(`(c) wire-batch from ${from}`, wire.own, driftStartMs);
  const bundleDelays =
    ofBundle === undefined
      ? undefined
      : {
          contactTipWear: report(
            "    (b) with the bundle's own baseline",
            tip.bundle,
            driftStartMs,
          ),
          wireBatch: report("    (c) with the bundle's own baseline", wire.bundle, driftStartMs),
        };
  const wearDelay = report(
    "(d) the simulator's default tip wear, from the end of the baseline",
    wear.own,
    baselineEndMs,
  );
  const costs = cost(model);
  await model.release();
  console.log(
    `(e) counting one window (${costs.newSamplesPerWindow} new samples and its score): ${round(costs.perWindowUs, 2)} us (best of 3 x 200,000); judging ${costs.judged} assets: ${round(costs.judgeMs, 1)} ms; a new asset (its entry among ${MAX_ASSET_BASELINES}): ${round(costs.newAssetUs, 1)} us`,
  );
  console.log(`    simulated and judged in ${round((performance.now() - started) / 1000, 1)} s`);
  console.log(
    JSON.stringify({
      bench: 'drift',
      cells: CELLS.length,
      windowSeconds: SETTINGS.windowMs / 1000,
      intervalSeconds: SETTINGS.intervalMs / 1000,
      threshold: SETTINGS.threshold,
      falseAlarms: own.flagged,
      evaluationsWithoutDrift: own.evaluations,
      falseAlarmRate: round(own.rate, 4),
      largestPsiWithoutDrift: round(own.largest),
      pooledBaselineFalseAlarmRate: round(pooled.rate, 4),
      pooledBaselineMedianPsi: pooledMedians,
      bundleBaseline:
        ofBundle === undefined
          ? null
          : {
              assetEntries: assetEntries.length,
              used: baselinesUsed(none.bundle),
              falseAlarms: ofBundle.flagged,
              evaluationsWithoutDrift: ofBundle.evaluations,
              falseAlarmRate: round(ofBundle.rate, 4),
              largestPsiWithoutDrift: round(ofBundle.largest),
              flaggedWithoutDrift: ofBundle.flaggedBy,
              contactTipWearDelaySeconds: bundleDelays?.contactTipWear,
              wireBatchDelaySeconds: bundleDelays?.wireBatch,
            },
      contactTipWearDelaySeconds: tipDelay,
      wireBatchDelaySeconds: wireDelay,
      defaultWearFirstFlagSeconds: wearDelay,
      countUsPerWindow: round(costs.perWindowUs, 2),
      judge64AssetsMs: round(costs.judgeMs, 1),
      newAssetUs: round(costs.newAssetUs, 1),
    }),
  );
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
