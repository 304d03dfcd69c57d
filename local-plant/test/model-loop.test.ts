import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { readParquet } from 'parquet-wasm';
import { tableFromIPC } from 'apache-arrow';
import { ModelHistory } from '../src/model-loop/model-history';
import { ModelStore } from '../src/model-loop/model-store';
import { SeamLabels } from '../src/model-loop/seam-labels';
import {
  decideShadow,
  ShadowComparison,
  type ShadowFigures,
} from '../src/model-loop/shadow-comparison';
import { UnsRecorder } from '../src/model-loop/uns-recorder';

const ASSET = 'acme/zwickau/body-shop/body-weld-1/cell-010/welder-1';
const at = (iso: string) => Date.parse(`2026-12-05T08:00:${iso}Z`);

describe('labels from seam inspections', () => {
  const labels = new SeamLabels();
  labels.addState(ASSET, at('00.000'), 'welding', 'seam-1');
  labels.addState(ASSET, at('03.000'), 'idle', undefined);
  labels.addState(ASSET, at('04.000'), 'welding', 'seam-2');
  labels.addState(ASSET, at('07.000'), 'idle', undefined);
  labels.addState(ASSET, at('08.000'), 'welding', 'seam-3');
  labels.addState(ASSET, at('11.000'), 'idle', undefined);
  labels.addVerdict(ASSET, {
    seamId: 'seam-1',
    startMs: at('00.000'),
    endMs: at('03.000'),
    verdict: 'fail',
    defectClass: 'gas_loss',
  });
  labels.addVerdict(ASSET, {
    seamId: 'seam-2',
    startMs: at('04.000'),
    endMs: at('07.000'),
    verdict: 'pass',
  });

  it('labels a failed seam with its defect, a passed one normal, one without verdict uninspected', () => {
    expect(labels.label(ASSET, at('01.500'))).toEqual({ label: 'gas_loss', seamId: 'seam-1' });
    expect(labels.label(ASSET, at('05.000'))).toEqual({ label: 'normal', seamId: 'seam-2' });
    expect(labels.label(ASSET, at('09.000'))).toEqual({
      label: 'uninspected',
      seamId: 'seam-3',
    });
  });

  it('labels samples between seams, and of other assets, normal', () => {
    expect(labels.label(ASSET, at('03.500'))).toEqual({ label: 'normal' });
    expect(labels.label(`${ASSET}-other`, at('01.500'))).toEqual({ label: 'normal' });
  });

  it('takes the later of two verdicts on one seam', () => {
    const relabelled = new SeamLabels();
    const seam = { seamId: 's', startMs: at('00.000'), endMs: at('01.000') } as const;
    relabelled.addVerdict(ASSET, { ...seam, verdict: 'fail', defectClass: 'burn_through' });
    relabelled.addVerdict(ASSET, { ...seam, verdict: 'pass' });
    expect(relabelled.label(ASSET, at('00.500')).label).toBe('normal');
  });
});

describe('the recorder of valid UNS messages', () => {
  it('writes the telemetry of a time range, labelled, in the Lakehouse long layout', () => {
    const recorder = new UnsRecorder(['arc_current'], 60_000);
    const publish = (level: string, payload: unknown) => {
      recorder.take(`${ASSET}/${level}`, Buffer.from(JSON.stringify(payload)));
    };
    publish('state', { ts: '2026-12-05T08:00:00.000Z', state: 'welding', seamId: 'seam-1' });
    publish('state', { ts: '2026-12-05T08:00:00.002Z', state: 'welding', seamId: 'seam-2' });
    publish('telemetry/arc_current', {
      t0: '2026-12-05T08:00:00.000Z',
      dtMs: 1,
      unit: 'A',
      values: [150, 151, 152],
      quality: 'good',
      seq: 0,
    });
    publish('telemetry/arc_voltage', {
      t0: '2026-12-05T08:00:00.000Z',
      dtMs: 1,
      unit: 'V',
      values: [20, 20, 20],
      quality: 'good',
      seq: 0,
    });
    publish('inspection', {
      seamId: 'seam-1',
      seamStart: '2026-12-05T08:00:00.000Z',
      seamEnd: '2026-12-05T08:00:00.001Z',
      verdict: 'fail',
      defectClass: 'burn_through',
      station: 'qa-vision-1',
      inspectedAt: '2026-12-05T08:00:02.000Z',
    });
    expect(recorder.latestSampleMs).toBe(at('00.003'));

    const out = mkdtempSync(join(tmpdir(), 'recording-'));
    const recording = recorder.write(out, at('00.000'), at('00.003'));
    expect(recording.rows).toBe(3);
    expect(recording.rowsByLabel).toEqual({ burn_through: 2, uninspected: 1 });
    expect(recording.files.map((f) => f.path)).toEqual([
      join(out, 'site=zwickau', 'dt=2026-12-05', 'part-0000.parquet'),
    ]);
    const table = tableFromIPC(
      readParquet(new Uint8Array(readFileSync(recording.files[0]!.path))).intoIPCStream(),
    );
    expect(table.getChild('label')?.toArray()).toEqual([
      'burn_through',
      'burn_through',
      'uninspected',
    ]);
    expect(table.getChild('cell')?.toArray()).toEqual(['cell-010', 'cell-010', 'cell-010']);

    expect(recorder.windowLabel(ASSET, at('00.000'), at('00.001'))).toBe('defect');
    expect(recorder.windowLabel(ASSET, at('00.001'), at('00.003'))).toBe('defect');
    expect(recorder.windowLabel(ASSET, at('00.002'), at('00.003'))).toBe('uninspected');
    expect(recorder.windowLabel(`${ASSET}-other`, at('00.000'), at('00.003'))).toBe('normal');
  });
});

describe('the shadow comparison', () => {
  const limits = {
    minWindows: 4,
    minAgreement: 0.75,
    maxAnomalyRateIncrease: 0.1,
    maxErrorRateIncrease: 0.01,
  };
  const score = (second: number, anomaly: boolean, shadow: boolean, modelVersion?: string) => ({
    windowStart: new Date(at(`0${String(second)}.000`)).toISOString(),
    windowEnd: new Date(at(`0${String(second)}.128`)).toISOString(),
    anomaly,
    modelVersion: modelVersion ?? (shadow ? 'v2' : 'v1'),
    shadow,
  });
  const allNormal = () => 'normal' as const;

  it('pairs the two scores of a window and ignores other candidates', () => {
    const comparison = new ShadowComparison('v2', allNormal);
    comparison.take(ASSET, score(1, true, false));
    comparison.take(ASSET, score(1, true, true, 'v3'));
    expect(comparison.figures().windowsCompared).toBe(0);
    comparison.take(ASSET, score(1, true, true));
    comparison.take(ASSET, score(2, false, true));
    comparison.take(ASSET, score(2, true, false));
    expect(comparison.figures()).toEqual({
      windowsCompared: 2,
      agreement: 0.5,
      servingAnomalyRate: 1,
      shadowAnomalyRate: 0.5,
      labelledWindows: 2,
      servingErrorRate: 1,
      shadowErrorRate: 0.5,
    });
  });

  it('judges each model against the inspections once the seam has its verdict', () => {
    const labels = new Map<number, 'defect' | 'normal' | 'uninspected'>([
      [1, 'defect'],
      [2, 'uninspected'],
    ]);
    const comparison = new ShadowComparison(
      'v2',
      (_asset, startMs) => labels.get(new Date(startMs).getUTCSeconds()) ?? 'normal',
    );
    for (const [second, serving, shadow] of [
      [1, true, true],
      [2, true, false],
      [3, true, false],
    ] as const) {
      comparison.take(ASSET, score(second, serving, false));
      comparison.take(ASSET, score(second, shadow, true));
    }
    expect(comparison.figures()).toMatchObject({
      windowsCompared: 3,
      labelledWindows: 2,
      servingErrorRate: 0.5,
      shadowErrorRate: 0,
    });
    labels.set(2, 'normal');
    expect(comparison.figures()).toMatchObject({
      labelledWindows: 3,
      servingErrorRate: 2 / 3,
      shadowErrorRate: 0,
    });
  });

  const figures = (overrides: Partial<ShadowFigures>): ShadowFigures => ({
    windowsCompared: 10,
    agreement: 0.9,
    servingAnomalyRate: 0.2,
    shadowAnomalyRate: 0.2,
    labelledWindows: 10,
    servingErrorRate: 0.1,
    shadowErrorRate: 0.1,
    ...overrides,
  });

  it('waits for enough inspected windows, then promotes a candidate that agrees', () => {
    expect(decideShadow(figures({ labelledWindows: 3 }), limits)).toEqual({
      decision: 'wait',
      reason: '3 of 4 inspected windows compared',
    });
    expect(decideShadow(figures({}), limits)).toEqual({
      decision: 'promote',
      reason:
        'the flags agree on 90.0 % of 10 windows; the candidate is wrong on 10.0 % of 10 inspected windows, the serving model on 10.0 %',
    });
  });

  it('promotes a candidate the inspections prove more accurate, however much it disagrees or flags', () => {
    const afterDrift = figures({
      agreement: 0.6,
      servingAnomalyRate: 0.5,
      shadowAnomalyRate: 0.1,
      servingErrorRate: 0.4,
      shadowErrorRate: 0.05,
    });
    expect(decideShadow(afterDrift, limits)).toEqual({
      decision: 'promote',
      reason:
        'the inspections side with the candidate: it is wrong on 5.0 % of 10 inspected windows, the serving model on 40.0 %; the flags agree on 60.0 % of 10 windows',
    });
    // Measured on the drift scenario: a serving model missing most defects, a candidate finding them.
    const findsTheDefects = figures({
      agreement: 0.75,
      servingAnomalyRate: 0.034,
      shadowAnomalyRate: 0.271,
      servingErrorRate: 0.4675,
      shadowErrorRate: 0.225,
    });
    expect(decideShadow(findsTheDefects, limits).decision).toBe('promote');
  });

  it('rejects a candidate that flags more, errs more, or disagrees without being right, saying why', () => {
    expect(decideShadow(figures({ shadowAnomalyRate: 0.35 }), limits)).toEqual({
      decision: 'reject',
      reason:
        'the candidate flags 35.0 % of 10 windows, the serving model 20.0 %: more than 10.0 % higher, and it is no more accurate',
    });
    expect(decideShadow(figures({ shadowErrorRate: 0.2 }), limits)).toEqual({
      decision: 'reject',
      reason:
        'the candidate is wrong on 20.0 % of 10 inspected windows, the serving model on 10.0 %',
    });
    expect(decideShadow(figures({ agreement: 0.7 }), limits)).toEqual({
      decision: 'reject',
      reason:
        'the flags agree on 70.0 % of 10 windows, below 75.0 %, and the candidate is no more accurate: wrong on 10.0 % of 10 inspected windows, the serving model on 10.0 %',
    });
  });
});

describe('the model store', () => {
  function bundle(dir: string, version: string): void {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ modelVersion: version }));
  }

  it('keeps versions under models/, the serving one and the candidate behind links', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'model-store-'));
    bundle(join(dataDir, 'model'), 'v1');
    const store = new ModelStore(dataDir);
    expect(store.adoptServing()).toBe('v1');
    expect(readlinkSync(join(dataDir, 'model'))).toBe(join(dataDir, 'models', 'v1'));
    expect(store.adoptServing()).toBe('v1');

    bundle(store.newBundleDir('v2'), 'v2');
    store.startShadow('v2');
    expect(store.shadowVersion()).toBe('v2');
    store.promote('v2');
    expect(store.servingVersion()).toBe('v2');
    expect(existsSync(join(dataDir, 'model-shadow'))).toBe(false);
    expect(basename(readlinkSync(join(dataDir, 'model')))).toBe('v2');
  });
});

describe('the model history', () => {
  it('keeps every event in a file, newest first', () => {
    const history = new ModelHistory(join(mkdtempSync(join(tmpdir(), 'history-')), 'h.jsonl'));
    history.record({ event: 'serving', modelVersion: 'v1', reason: 'first start' });
    history.record({ event: 'promoted', modelVersion: 'v2', reason: 'agrees' });
    expect(history.entries().map((e) => [e.event, e.modelVersion])).toEqual([
      ['promoted', 'v2'],
      ['serving', 'v1'],
    ]);
  });
});
