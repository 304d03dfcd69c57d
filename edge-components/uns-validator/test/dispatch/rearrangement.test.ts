/**
 * The dispatcher changes how messages are judged while they flow (real Mosquitto, real worker
 * threads): every message is judged exactly once, in order per topic, and Sparkplug B sessions
 * follow their edge node to whichever thread judges it.
 */
import { copyFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { waitUntil } from '@uns-mlops/test-services';
import type { DispatchDecision } from '../../src/dispatch/adaptive-dispatcher';
import type { DispatchState } from '../../src/dispatch/load-policy';
import { LIMITS_V3 } from '../fixtures/paths';
import {
  contractCopy,
  recordingLogger,
  startValidator,
  telemetryBlock,
  testConfig,
  useTestPlant,
  type RunningValidator,
} from '../service/harness';
import { data, nbirth, topicOf } from '../sparkplug/fixtures';

const plant = useTestPlant();

const TELEMETRY_TOPICS = Array.from(
  { length: 6 },
  (_, index) =>
    `acme/zwickau/body-shop/body-weld-1/cell-${index % 3}/welder-${index}/telemetry/arc_current`,
);
const EDGE_NODES = ['edge-a', 'edge-b', 'edge-c'];
const PER_TOPIC = 400;
/** A channel whose pattern backtracks: a label of 18 `a` and a `!` keeps a worker busy a while. */
const SLOW_TOPIC = 'lab/c1/slow';
const SLOW_PAYLOAD = Buffer.from(JSON.stringify({ label: `${'a'.repeat(18)}!` }));
/** The arrangements the test walks through while messages flow, then around again. */
const ARRANGEMENTS: DispatchState[] = [
  { mode: 'pooled', workers: 1 },
  { mode: 'pooled', workers: 2 },
  { mode: 'inline', workers: 1 },
  { mode: 'pooled', workers: 2 },
  { mode: 'inline', workers: 2 },
  { mode: 'pooled', workers: 1 },
  { mode: 'inline', workers: 1 },
];

/** Publishes every message without waiting for each: QoS 1, so the broker loses none. */
async function publishStream(): Promise<number> {
  const sends: Promise<unknown>[] = [];
  for (const edge of EDGE_NODES) {
    sends.push(
      plant.publisher.publishAsync(topicOf('NBIRTH', undefined, edge), Buffer.from(nbirth()), {
        qos: 1,
      }),
    );
  }
  for (let seq = 1; seq <= PER_TOPIC; seq++) {
    for (const topic of TELEMETRY_TOPICS) {
      sends.push(plant.publisher.publishAsync(topic, telemetryBlock(seq), { qos: 1 }));
    }
    for (const edge of EDGE_NODES) {
      sends.push(
        plant.publisher.publishAsync(
          topicOf('NDATA', undefined, edge),
          Buffer.from(data(seq % 256)),
          {
            qos: 1,
          },
        ),
      );
    }
  }
  await Promise.all(sends);
  return sends.length;
}

describe('the dispatcher rearranging while messages flow', () => {
  let validator: RunningValidator;
  const logs = recordingLogger();

  beforeAll(async () => {
    const contracts = contractCopy();
    copyFileSync(LIMITS_V3, join(contracts, basename(LIMITS_V3)));
    const config = testConfig(plant.broker.url);
    validator = await startValidator(
      {
        ...config,
        contracts: { paths: [contracts], strict: false },
        broker: { ...config.broker, qos: 1 },
        pool: { ...config.pool, dispatch: 'inline', workers: 2, minWorkers: 1 },
        logLevel: 'info',
      },
      logs.logger,
    );
  });

  afterAll(async () => {
    await validator.service.stop();
  });

  it('judges every message exactly once, in order per topic and edge node, across inline and 1 or 2 workers', async () => {
    const { dispatcher } = validator.service;
    const decisions: DispatchDecision[] = [];
    dispatcher.on('decision', (decision) => decisions.push(decision));
    const published = publishStream();
    for (const [step, state] of ARRANGEMENTS.entries()) {
      // Each change waits for some verdicts under the previous arrangement; a message that keeps
      // a worker busy for a while (its channel's pattern backtracks, so it is never judged
      // inline) is on a worker when the change begins: the change must wait for it.
      await waitUntil(() => validator.verdicts.length >= (step + 1) * 250, 60_000);
      dispatcher.dispatch(SLOW_TOPIC, SLOW_PAYLOAD, Date.now(), performance.now());
      expect(dispatcher.stats().inFlight).toBeGreaterThan(0);
      await dispatcher.rearrange({ state, reason: `test step ${String(step)}` });
    }
    const total = (await published) + ARRANGEMENTS.length;
    await validator.waitForVerdicts(total, 60_000);

    expect(decisions.map(({ mode, workers }) => ({ mode, workers }))).toEqual(ARRANGEMENTS);
    expect(validator.verdicts).toHaveLength(total);
    const seqsByTopic = new Map<string, number[]>();
    for (const { verdict, payload } of validator.verdicts) {
      if (verdict.topic === SLOW_TOPIC) continue;
      const seq = verdict.topic.startsWith('spBv1.0/')
        ? (seqsByTopic.get(verdict.topic)?.length ?? 0)
        : (JSON.parse(payload.toString()) as { seq: number }).seq;
      seqsByTopic.set(verdict.topic, [...(seqsByTopic.get(verdict.topic) ?? []), seq]);
    }
    const inOrder = Array.from({ length: PER_TOPIC }, (_, index) => index + 1);
    for (const topic of TELEMETRY_TOPICS) expect(seqsByTopic.get(topic)).toEqual(inOrder);
    // Every NDATA valid: each edge node's session (births, seq) moved with it at every change.
    const invalid = validator.verdicts.filter(
      ({ verdict }) => !verdict.valid && verdict.topic !== SLOW_TOPIC,
    );
    expect(invalid.map(({ verdict }) => [verdict.topic, verdict.errors[0]?.message])).toEqual([]);
    expect(dispatcher.stats().inlineJudged).toBeGreaterThan(0);
    expect(dispatcher.stats().completed).toBeGreaterThan(0);
  });

  it('logs each change with its reason and exposes the arrangement as metrics', async () => {
    await waitUntil(() =>
      logs.entries.some(
        ({ msg, reason }) => msg === 'dispatcher rearranged' && reason === 'test step 6',
      ),
    );
    expect(logs.entries.find(({ msg }) => msg === 'dispatcher rearranged')).toMatchObject({
      mode: 'pooled',
      workers: 1,
      from: { mode: 'inline', workers: 1 },
      reason: 'test step 0',
    });
    const metrics = (await validator.get('/metrics')).body;
    expect(metrics).toMatch(/^uns_validator_dispatch_inline 1$/m);
    expect(metrics).toMatch(/^uns_validator_dispatch_workers 1$/m);
    expect(metrics).toMatch(/^uns_validator_dispatch_changes_total\{mode="pooled"\} 4$/m);
    expect(metrics).toMatch(/^uns_validator_dispatch_changes_total\{mode="inline"\} 3$/m);
  });
});

describe('the adaptive dispatcher on its own', () => {
  let validator: RunningValidator;

  beforeAll(async () => {
    const config = testConfig(plant.broker.url);
    validator = await startValidator({
      ...config,
      pool: {
        ...config.pool,
        dispatch: 'adaptive',
        // Whatever else runs on this machine meanwhile, a worker may be added.
        spareCores: 0,
        workers: 2,
        minWorkers: 1,
        adaptIntervalMs: 200,
      },
    });
  });

  afterAll(async () => {
    await validator.service.stop();
  });

  it('moves judging to a worker while the main thread is busy and back inline once it is quiet', async () => {
    const { dispatcher } = validator.service;
    // Start-up work (the store, compiling the contracts) may itself have kept the main thread busy
    // on a loaded machine: begin once the dispatcher is inline, its starting arrangement.
    await waitUntil(() => dispatcher.state.mode === 'inline', 30_000);
    const decisions: DispatchDecision[] = [];
    dispatcher.on('decision', (decision) => decisions.push(decision));
    // Whatever else runs on the main thread counts: here 1 ms of work after each verdict.
    validator.service.on('verdict', () => {
      const until = performance.now() + 1;
      while (performance.now() < until);
    });
    let seq = 0;
    const load = setInterval(() => {
      for (let i = 0; i < 20; i++)
        plant.publisher.publish(TELEMETRY_TOPICS[0]!, telemetryBlock(++seq));
    }, 10);
    try {
      await waitUntil(() => decisions.some(({ mode }) => mode === 'pooled'), 30_000);
    } finally {
      clearInterval(load);
    }
    await waitUntil(() => decisions.at(-1)?.mode === 'inline', 30_000);
    expect(decisions[0]).toMatchObject({
      mode: 'pooled',
      from: { mode: 'inline' },
      reason: expect.stringMatching(
        /^main thread busy \d+ %, \d+ % for 2 intervals, [\d., ]+ cores idle$/,
      ),
    });
    expect(decisions.at(-1)?.reason).toMatch(/^light load/);
    await validator.waitForVerdicts(seq, 30_000);
    expect(validator.verdicts).toHaveLength(seq);
  });
});
