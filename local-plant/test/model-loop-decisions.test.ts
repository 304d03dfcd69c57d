import { mkdirSync, mkdtempSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import pino from 'pino';
import { waitUntil } from '@uns-mlops/test-services';
import { ModelHistory } from '../src/model-loop/model-history';
import { ModelLoop, type ModelLoopSettings } from '../src/model-loop/model-loop';
import { ModelStore } from '../src/model-loop/model-store';
import { UnsRecorder } from '../src/model-loop/uns-recorder';

const ASSET = 'acme/zwickau/body-shop/body-weld-1/cell-010/welder-1';
const MODEL = 'weld-seam-anomaly';
const SETTINGS: ModelLoopSettings = {
  consecutiveDrifted: 2,
  retrainingSeconds: 1,
  inspectionWaitSeconds: 2,
  cooldownSeconds: 3600,
  quality: { minRocAuc: 0.97, minF1: 0.9 },
  shadow: {
    minWindows: 4,
    minAgreement: 0.75,
    maxAnomalyRateIncrease: 0.05,
    maxErrorRateIncrease: 0.01,
    timeoutSeconds: 60,
  },
};

function writeBundle(dir: string, version: string, metrics?: { rocAuc: number; f1: number }) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'manifest.json'),
    JSON.stringify({ modelName: MODEL, modelVersion: version }),
  );
  if (metrics !== undefined) {
    writeFileSync(
      join(dir, 'evaluation.json'),
      JSON.stringify({
        metrics: { roc_auc: { value: metrics.rocAuc }, f1: { value: metrics.f1 } },
      }),
    );
  }
}

/** Every loop a test made, stopped after it even when it fails (its timers would keep jest up). */
const loops: ModelLoop[] = [];
afterEach(() => {
  for (const loop of loops.splice(0)) loop.stop();
});

/** A loop over a data directory serving `v1`, whose training writes a bundle with `metrics`. */
function loopTraining(
  metrics: { rocAuc: number; f1: number },
  training: 'completes' | 'runs until stopped' = 'completes',
) {
  const dataDir = mkdtempSync(join(tmpdir(), 'model-loop-'));
  writeBundle(join(dataDir, 'model'), 'v1');
  const store = new ModelStore(dataDir);
  store.adoptServing();
  const history = new ModelHistory(join(dataDir, 'history.jsonl'));
  const trainings: string[][] = [];
  let trainingsStopped = 0;
  const loop = new ModelLoop({
    modelName: MODEL,
    channels: ['arc_current'],
    dataDir,
    seed: 1,
    settings: SETTINGS,
    store,
    history,
    recorder: new UnsRecorder(['arc_current'], 60_000),
    logger: pino({ level: 'silent' }),
    train: (args, signal) => {
      trainings.push([...args]);
      if (training === 'runs until stopped') {
        return new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            trainingsStopped += 1;
            reject(new Error('stopped'));
          });
        });
      }
      const out = args[args.indexOf('--out') + 1]!;
      writeBundle(out, args[args.indexOf('--model-version') + 1]!, metrics);
      return Promise.resolve();
    },
  });
  loops.push(loop);
  const send = (topic: string, payload: unknown) => {
    loop.take(topic, Buffer.from(JSON.stringify(payload)));
  };
  const drift = (drifted: boolean) => {
    send(`${ASSET}/_ml/${MODEL}/drift`, {
      modelVersion: 'v1',
      drifted,
      channels: [{ name: 'arc_current', value: drifted ? 0.6 : 0.01, drifted }],
    });
  };
  const telemetry = (t0Ms: number) => {
    send(`${ASSET}/telemetry/arc_current`, {
      t0: new Date(t0Ms).toISOString(),
      dtMs: 1,
      unit: 'A',
      values: [150, 151],
      quality: 'good',
      seq: 1,
    });
  };
  const score = (window: number, anomaly: boolean, role: 'serving' | 'shadow') => {
    const candidate = loop.status().candidate ?? 'none';
    send(`${ASSET}/_ml/${MODEL}${role === 'shadow' ? '/shadow' : ''}`, {
      windowStart: new Date(Date.UTC(2026, 11, 5, 8, 0, window)).toISOString(),
      windowEnd: new Date(Date.UTC(2026, 11, 5, 8, 0, window, 128)).toISOString(),
      anomaly,
      modelVersion: role === 'shadow' ? candidate : 'v1',
      ...(role === 'shadow' ? { shadow: true } : {}),
    });
  };
  const events = () =>
    history
      .entries()
      .map((entry) => entry.event)
      .reverse();
  return {
    loop,
    store,
    dataDir,
    trainings,
    trainingsStopped: () => trainingsStopped,
    drift,
    telemetry,
    score,
    events,
    history,
  };
}

describe('the model loop of the local plant', () => {
  it('retrains once drift is flagged the configured number of times in a row, on the data recorded then with its verdicts', async () => {
    const plant = loopTraining({ rocAuc: 0.99, f1: 0.95 });
    plant.drift(true);
    plant.drift(false);
    plant.drift(true);
    expect(plant.loop.status().phase).toBe('watching');
    plant.drift(true);
    expect(plant.loop.status().phase).toBe('recording');
    // Past the recording's end, but the verdicts on its last seams may still come.
    plant.telemetry(Date.now() + 1500);
    expect(plant.loop.status().phase).toBe('recording');
    plant.telemetry(Date.now() + 5000);
    await waitUntil(
      () => plant.loop.status().phase === 'shadow',
      10_000,
      'the candidate in shadow',
    );
    expect(plant.events()).toEqual(['drift-detected', 'retraining', 'trained', 'shadow']);
    expect(plant.trainings[0]).toEqual(
      expect.arrayContaining(['--label-column', 'label', '--model-name', MODEL]),
    );
    expect(basename(readlinkSync(plant.store.layout.shadowLink))).toBe(
      plant.loop.status().candidate,
    );
  });

  it('promotes a candidate that agrees within the limits: it serves, the shadow ends', async () => {
    const plant = loopTraining({ rocAuc: 0.99, f1: 0.95 });
    plant.drift(true);
    plant.drift(true);
    plant.telemetry(Date.now() + 5000);
    await waitUntil(
      () => plant.loop.status().phase === 'shadow',
      10_000,
      'the candidate in shadow',
    );
    const candidate = plant.loop.status().candidate!;
    for (const [window, serving, shadow] of [
      [1, false, false],
      [2, true, true],
      [3, false, false],
      [4, true, true],
    ] as const) {
      plant.score(window, serving, 'serving');
      plant.score(window, shadow, 'shadow');
    }
    expect(plant.loop.status().phase).toBe('cooldown');
    expect(plant.store.servingVersion()).toBe(candidate);
    expect(plant.store.shadowVersion()).toBeUndefined();
    const [promoted] = plant.history.entries();
    expect(promoted).toMatchObject({
      event: 'promoted',
      modelVersion: candidate,
      figures: {
        windowsCompared: 4,
        agreement: 1,
        servingAnomalyRate: 0.5,
        shadowAnomalyRate: 0.5,
        labelledWindows: 4,
        servingErrorRate: 0.5,
        shadowErrorRate: 0.5,
      },
    });
    expect(promoted!.reason).toMatch(
      /^serves instead of v1: the flags agree on 100.0 % of 4 windows/,
    );
  });

  it('rejects a candidate that raises more alarms, and the serving model stays', async () => {
    const plant = loopTraining({ rocAuc: 0.99, f1: 0.95 });
    plant.drift(true);
    plant.drift(true);
    plant.telemetry(Date.now() + 5000);
    await waitUntil(
      () => plant.loop.status().phase === 'shadow',
      10_000,
      'the candidate in shadow',
    );
    for (const window of [1, 2, 3, 4]) {
      plant.score(window, false, 'serving');
      plant.score(window, window === 4, 'shadow');
    }
    expect(plant.store.servingVersion()).toBe('v1');
    expect(plant.store.shadowVersion()).toBeUndefined();
    expect(plant.history.entries()[0]).toMatchObject({ event: 'rejected' });
    expect(plant.history.entries()[0]!.reason).toContain('; v1 keeps serving');
  });

  it('stops a training in progress when the plant stops, and records nothing after', async () => {
    const plant = loopTraining({ rocAuc: 0.99, f1: 0.95 }, 'runs until stopped');
    plant.drift(true);
    plant.drift(true);
    plant.telemetry(Date.now() + 5000);
    await waitUntil(() => plant.trainings.length === 1, 10_000, 'the training started');
    plant.loop.stop();
    expect(plant.trainingsStopped()).toBe(1);
    // Every reaction to the stopped training has run by the next turn of the event loop.
    await new Promise(setImmediate);
    expect(plant.events()).toEqual(['drift-detected', 'retraining']);
  });

  it('refuses a model below the quality gate without putting it in shadow', async () => {
    const plant = loopTraining({ rocAuc: 0.99, f1: 0.5 });
    plant.drift(true);
    plant.drift(true);
    plant.telemetry(Date.now() + 5000);
    await waitUntil(() => plant.loop.status().phase === 'cooldown', 10_000, 'the refusal');
    expect(plant.events()).toEqual(['drift-detected', 'retraining', 'refused']);
    expect(plant.history.entries()[0]!.reason).toContain('F1 0.5 >= 0.9 required');
    expect(plant.store.shadowVersion()).toBeUndefined();
    plant.drift(true);
    plant.drift(true);
    expect(plant.loop.status().phase).toBe('cooldown');
  });
});
