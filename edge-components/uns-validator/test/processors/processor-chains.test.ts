import { writeFileSync } from 'node:fs';
import { contractExample, waitUntil } from '@uns-mlops/test-services';
import type { LoadedContracts } from '../../src/contract/model';
import type { ProcessedMessage, ProcessorFactory, ProcessorOutcome } from '../../src/processors';
import { DEFAULT_CONFIG } from '../../src/service/config';
import { ARC_CURRENT, judged, loadChains, runCounts, STATE, weldingContracts } from './helpers';

/** A promise the test settles. */
interface Deferred {
  readonly message: ProcessedMessage;
  resolve(outcome?: ProcessorOutcome): void;
}

/** Test processors, by the name a chain uses them. */
function testProcessors() {
  const seen: string[] = [];
  const pending: Deferred[] = [];
  const closed: string[] = [];
  /** `#<seq>` of a telemetry block, `<state>` of a state message. */
  const label = ({ payload }: ProcessedMessage) => {
    const body = JSON.parse(payload.toString()) as { seq?: number; state?: string };
    return body.seq === undefined ? String(body.state) : `#${body.seq}`;
  };
  const processors: Record<string, ProcessorFactory> = {
    record: (options) => {
      const as = typeof options.as === 'string' ? options.as : 'record';
      return {
        name: 'record',
        process(message) {
          seen.push(`${as} ${label(message)}`);
          return {
            publications: [{ topic: `_recorded/${message.topic}`, payload: message.payload }],
          };
        },
        close: () => {
          closed.push(as);
        },
      };
    },
    throw: () => ({
      name: 'throw',
      process() {
        throw new Error('boom');
      },
    }),
    reject: () => ({ name: 'reject', process: () => Promise.reject(new Error('async boom')) }),
    hang: () => ({ name: 'hang', process: () => new Promise<undefined>(() => undefined) }),
    gate: () => ({
      name: 'gate',
      process: (message) =>
        new Promise<ProcessorOutcome | undefined>((resolve) => {
          pending.push({ message, resolve });
        }),
    }),
    malformed: () => ({
      name: 'malformed',
      process: () => ({ publications: 'everything' }) as unknown as ProcessorOutcome,
    }),
    stop: () => ({ name: 'stop', process: () => ({ next: null }) }),
  };
  return { processors, seen, pending, closed, label };
}

describe('processor chains', () => {
  let contracts: LoadedContracts;

  beforeAll(async () => {
    contracts = await weldingContracts();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  const block = (seq: number, topic = ARC_CURRENT) =>
    judged(contracts, topic, { ...contractExample('arcCurrent', 'oneMillisecondBlock'), seq });
  const state = (value = 'welding') =>
    judged(contracts, STATE, { ...contractExample('assetState', 'welding'), state: value });

  describe('a synchronous chain', () => {
    it('runs inside process(), each processor in order, publications in order', async () => {
      const test = testProcessors();
      const { chains, published } = await loadChains(
        'chains:\n  telemetry:\n    - { use: record, options: { as: first } }\n    - { use: record, options: { as: second } }\n',
        { processors: test.processors },
      );

      chains.process(block(1));
      chains.process(block(2));

      expect(test.seen).toEqual(['first #1', 'second #1', 'first #2', 'second #2']);
      expect(published).toHaveLength(4);
      await chains.close();
    });

    it('ends the chain for a message when a processor hands on null', async () => {
      const test = testProcessors();
      const { chains, registry } = await loadChains(
        'chains:\n  telemetry: [{ use: stop }, { use: record }]\n',
        { processors: test.processors },
      );

      chains.process(block(1));

      expect(test.seen).toEqual([]);
      expect(await runCounts(registry)).toEqual({ 'telemetry/stop/ok': 1 });
      await chains.close();
    });

    it('runs channels the file does not list through its default chain, [enforce] unless it sets one', async () => {
      const test = testProcessors();
      const { chains, published } = await loadChains('chains:\n  telemetry: [{ use: record }]\n', {
        processors: test.processors,
        enforcement: {
          ...DEFAULT_CONFIG.enforcement,
          defaultMode: 'quarantine',
        },
      });

      chains.process(state('dancing'));

      expect(published.map(({ topic, kind }) => [kind, topic])).toEqual([
        ['quarantine', `_quarantine/${STATE}`],
      ]);
      expect(test.seen).toEqual([]);
      await chains.close();
    });
  });

  describe('isolation', () => {
    it('counts a processor that throws, logs it once per interval, and hands the message on unchanged', async () => {
      const test = testProcessors();
      const { chains, registry, logs } = await loadChains(
        'chains:\n  telemetry: [{ use: throw }, { use: record }]\n',
        { processors: test.processors },
      );

      for (const seq of [1, 2, 3]) chains.process(block(seq));

      expect(test.seen).toEqual(['record #1', 'record #2', 'record #3']);
      expect(await runCounts(registry)).toEqual({
        'telemetry/throw/error': 3,
        'telemetry/record/ok': 3,
      });
      const failures = logs.filter(({ msg }) => String(msg).startsWith('processor threw'));
      expect(failures).toEqual([
        expect.objectContaining({
          channel: 'telemetry',
          processor: 'throw',
          topic: ARC_CURRENT,
          notLoggedBefore: 0,
          err: expect.objectContaining({ message: 'boom' }),
        }),
      ]);
      await chains.close();
    });

    it('counts a processor that rejects, and hands the message on unchanged', async () => {
      const test = testProcessors();
      const { chains, registry } = await loadChains(
        'chains:\n  telemetry: [{ use: reject }, { use: record }]\n',
        { processors: test.processors },
      );

      for (const seq of [1, 2]) chains.process(block(seq));
      await chains.close();

      expect(test.seen).toEqual(['record #1', 'record #2']);
      expect(await runCounts(registry)).toEqual({
        'telemetry/reject/error': 2,
        'telemetry/record/ok': 2,
      });
    });

    it('counts a malformed outcome as an error, and hands the message on unchanged', async () => {
      const test = testProcessors();
      const { chains, registry, published } = await loadChains(
        'chains:\n  telemetry: [{ use: malformed }, { use: record }]\n',
        { processors: test.processors },
      );

      chains.process(block(1));

      expect(published.map(({ topic }) => topic)).toEqual([`_recorded/${ARC_CURRENT}`]);
      expect(await runCounts(registry)).toEqual({
        'telemetry/malformed/error': 1,
        'telemetry/record/ok': 1,
      });
      await chains.close();
    });

    it('passes over a processor that never settles after its timeoutMs; the later messages of its topic follow in order', async () => {
      jest.useFakeTimers();
      const test = testProcessors();
      const { chains, registry } = await loadChains(
        'chains:\n  telemetry: [{ use: hang, timeoutMs: 100 }, { use: record }]\n',
        { processors: test.processors },
      );

      chains.process(block(1));
      chains.process(block(2));
      await jest.advanceTimersByTimeAsync(99);
      expect(test.seen).toEqual([]);

      await jest.advanceTimersByTimeAsync(1);
      expect(test.seen).toEqual(['record #1']);

      await jest.advanceTimersByTimeAsync(100);
      expect(test.seen).toEqual(['record #1', 'record #2']);
      expect(await runCounts(registry)).toEqual({
        'telemetry/hang/timeout': 2,
        'telemetry/record/ok': 2,
      });
      await chains.close();
    });

    it('ignores the result of a processor that settles after its timeout', async () => {
      jest.useFakeTimers();
      const test = testProcessors();
      const { chains, registry, published } = await loadChains(
        'chains:\n  telemetry: [{ use: gate, timeoutMs: 50 }]\n',
        { processors: test.processors },
      );

      chains.process(block(1));
      await jest.advanceTimersByTimeAsync(50);
      test.pending[0]?.resolve({ publications: [{ topic: 'late', payload: 'late' }] });
      await jest.advanceTimersByTimeAsync(0);

      expect(published).toEqual([]);
      expect(await runCounts(registry)).toEqual({ 'telemetry/gate/timeout': 1 });
      await chains.close();
    });
  });

  describe('order', () => {
    it('holds back behind a slow processor only the later messages of its topic; other topics and channels go on', async () => {
      const test = testProcessors();
      const { chains } = await loadChains(
        'chains:\n  telemetry: [{ use: gate }, { use: record }]\n  state: [{ use: record }]\n',
        { processors: test.processors },
      );
      const otherAsset = ARC_CURRENT.replace('welder-1', 'welder-2');

      chains.process(block(1));
      chains.process(block(2));
      chains.process(block(3, otherAsset));
      chains.process(state());

      // #2 waits for #1; #3 (another topic) is in the gate; the state channel is done.
      expect(test.pending.map(({ message }) => test.label(message))).toEqual(['#1', '#3']);
      expect(test.seen).toEqual(['record welding']);

      test.pending[1]?.resolve();
      await waitUntil(() => test.seen.length === 2);
      test.pending[0]?.resolve();
      await waitUntil(() => test.pending.length === 3);
      test.pending[2]?.resolve();
      await chains.close();

      expect(test.seen).toEqual(['record welding', 'record #3', 'record #1', 'record #2']);
    });

    it('orders by the key it is given: Sparkplug edge nodes, or here every message', async () => {
      const test = testProcessors();
      const { chains } = await loadChains(
        'chains:\n  telemetry: [{ use: gate }, { use: record }]\n',
        {
          processors: test.processors,
          orderingKey: () => 'one key',
        },
      );

      chains.process(block(1));
      chains.process(block(2, ARC_CURRENT.replace('welder-1', 'welder-2')));

      expect(test.pending).toHaveLength(1);
      test.pending[0]?.resolve();
      await waitUntil(() => test.pending.length === 2);
      test.pending[1]?.resolve();
      await chains.close();

      expect(test.seen).toEqual(['record #1', 'record #2']);
    });

    it('drops, counted, a message when its channel already has queueCapacity messages waiting', async () => {
      const test = testProcessors();
      const { chains, registry } = await loadChains(
        'queueCapacity: 2\nchains:\n  telemetry: [{ use: gate }, { use: record }]\n',
        { processors: test.processors },
      );

      for (const seq of [1, 2, 3, 4]) chains.process(block(seq));
      for (let settled = 0; settled < 3; settled += 1) {
        await waitUntil(() => test.pending.length > settled);
        test.pending[settled]?.resolve();
      }
      await chains.close();

      expect(test.seen).toEqual(['record #1', 'record #2', 'record #3']);
      const dropped = await registry
        .getSingleMetric('uns_validator_processor_dropped_total')
        ?.get();
      expect(dropped?.values).toEqual([{ labels: { channel: 'telemetry' }, value: 1 }]);
    });
  });

  describe('reload', () => {
    it('applies a changed file to new messages while messages in a chain finish with the old one, then closes its processors', async () => {
      const test = testProcessors();
      const { chains, file, registry } = await loadChains(
        'chains:\n  telemetry: [{ use: gate }, { use: record, options: { as: old } }]\n',
        { processors: test.processors },
      );
      chains.process(block(1));
      writeFileSync(file!, 'chains:\n  telemetry: [{ use: record, options: { as: new } }]\n');

      await expect(chains.reload()).resolves.toBe(true);
      chains.process(block(2)); // waits for #1: order per topic holds across the reload
      chains.process(block(3, ARC_CURRENT.replace('welder-1', 'welder-2')));
      expect(test.seen).toEqual(['new #3']);
      expect(test.closed).toEqual([]);

      test.pending[0]?.resolve();
      await waitUntil(() => test.closed.length > 0, 5_000, 'the old chains closed');

      expect(test.seen).toEqual(['new #3', 'old #1', 'new #2']);
      expect(test.closed).toEqual(['old']);
      await chains.close();
      expect(test.closed).toEqual(['old', 'new']);
      const reloads = await registry
        .getSingleMetric('uns_validator_processor_chain_reloads_total')
        ?.get();
      expect(reloads?.values).toEqual([{ labels: { result: 'applied' }, value: 1 }]);
    });

    it('rejects a broken file, logged and counted, and keeps the chains in force', async () => {
      const test = testProcessors();
      const { chains, file, registry, logs } = await loadChains(
        'chains:\n  telemetry: [{ use: record }]\n',
        { processors: test.processors },
      );
      writeFileSync(file!, 'chains:\n  telemetry: [{ use: recrod }]\n');

      await expect(chains.reload()).resolves.toBe(false);
      chains.process(block(1));

      expect(test.seen).toEqual(['record #1']);
      expect(test.closed).toEqual([]);
      expect(logs).toContainEqual(
        expect.objectContaining({
          msg: 'changed processor chains rejected; the previous chains stay',
          err: expect.objectContaining({
            message: expect.stringContaining('chains.telemetry.0 (recrod): unknown processor'),
          }),
        }),
      );
      const reloads = await registry
        .getSingleMetric('uns_validator_processor_chain_reloads_total')
        ?.get();
      expect(reloads?.values).toEqual([{ labels: { result: 'rejected' }, value: 1 }]);
      await chains.close();
    });

    it('warns, at load and at reload, about a chain for a channel that no contract has', async () => {
      const unknownChannels = (logs: Record<string, unknown>[]) =>
        logs
          .filter(({ msg }) => String(msg).startsWith('processor chains for channels that no'))
          .map(({ channels }) => channels);
      const channelIds = () =>
        contracts.contracts.flatMap(({ channels }) => channels.map(({ id }) => id));
      const { chains, file, logs } = await loadChains(
        'chains:\n  default: [{ use: enforce }]\n  telemtry: [{ use: enforce }]\n',
        { channelIds },
      );
      expect(unknownChannels(logs)).toEqual([['telemtry']]);

      writeFileSync(
        file!,
        'chains:\n  telemetry: [{ use: enforce }]\n  stat: [{ use: enforce }]\n',
      );
      await expect(chains.reload()).resolves.toBe(true);

      expect(unknownChannels(logs)).toEqual([['telemtry'], ['stat']]);
      await chains.close();
    });

    it('reloads by itself when the file changes, once watched', async () => {
      const test = testProcessors();
      const { chains, file } = await loadChains(
        'chains:\n  telemetry: [{ use: record, options: { as: old } }]\n',
        {
          processors: test.processors,
        },
      );
      chains.watch();

      writeFileSync(file!, 'chains:\n  telemetry: [{ use: record, options: { as: new } }]\n');
      await waitUntil(() => test.closed.includes('old'), 10_000, 'the old chains closed');
      chains.process(block(1));

      expect(test.seen).toEqual(['new #1']);
      await chains.close();
    });
  });

  describe('the chains file', () => {
    it('is refused with every schema problem listed, each naming its place', async () => {
      const refusal = loadChains(`
chains:
  telemetry:
    - use: enforce
    - use: normalise
      timeoutMs: 0
    - use: ./missing-plugin.js
    - { use: enforce, optons: {} }
  state: { use: enforce }
queueCapacity: many
`);

      await expect(refusal).rejects.toThrow(/processor chains .*processors\.yaml/);
      const error: unknown = await refusal.catch((refused: unknown) => refused);
      expect((error as Error).message.split('\n').slice(1)).toEqual([
        '  - chains.telemetry.1.timeoutMs must be >= 1',
        '  - chains.telemetry.3 must NOT have additional properties (optons)',
        '  - chains.state must be array',
        '  - queueCapacity must be integer',
      ]);
    });

    it('names a processor it does not know and a plug-in that does not load', async () => {
      await expect(
        loadChains('chains:\n  telemetry: [{ use: nonsense }, { use: ./missing-plugin.js }]\n'),
      ).rejects.toThrow(
        /chains\.telemetry\.0 \(nonsense\): unknown processor \(built-ins: enforce, contextualise, normalise, downsample; .*\n.*chains\.telemetry\.1 \(\.\/missing-plugin\.js\): .*Cannot find module/,
      );
    });

    it('is refused when it is not YAML', async () => {
      await expect(loadChains('chains: [unclosed\n')).rejects.toThrow(
        /processor chains [\s\S]*Flow sequence/,
      );
    });
  });

  it('reports time, publications and runs per processor and channel in its metrics', async () => {
    const test = testProcessors();
    const { chains, registry } = await loadChains('chains:\n  telemetry: [{ use: record }]\n', {
      processors: test.processors,
    });

    chains.process(block(1));
    chains.process(block(2));
    const text = await registry.metrics();

    expect(text).toContain(
      'uns_validator_processor_runs_total{channel="telemetry",processor="record",outcome="ok"} 2',
    );
    expect(text).toContain(
      'uns_validator_processor_published_total{channel="telemetry",processor="record"} 2',
    );
    expect(text).toMatch(
      /uns_validator_processor_seconds_total\{channel="telemetry",processor="record"\} \d/,
    );
    expect(text).toMatch(
      /uns_validator_processor_max_seconds\{channel="telemetry",processor="record"\} \d/,
    );
    await chains.close();
  });
});
