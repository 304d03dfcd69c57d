import { waitUntil } from '@uns-mlops/test-services';
import { RetentionPruner, type PruneReport } from '../../src/store/retention';
import type { PruneResult } from '../../src/store/store';
import { T0 } from './fixtures';

const DAY = 86_400_000;
const DELETED: PruneResult = { counts: 3, samples: 2, batches: 1 };

describe('RetentionPruner', () => {
  it('prunes what is older than the retention days at start and then on its interval', async () => {
    const befores: Date[] = [];
    const store = {
      prune: (before: Date) => {
        befores.push(before);
        return Promise.resolve(DELETED);
      },
    };
    const pruner = new RetentionPruner(store, { days: 7, intervalMs: 10, now: () => T0 });

    pruner.start();
    await waitUntil(() => befores.length >= 3);
    await pruner.stop();

    expect(new Set(befores.map((before) => before.getTime()))).toEqual(new Set([T0 - 7 * DAY]));
  });

  it('reports every prune, a failed one included, and keeps to its schedule after a failure', async () => {
    const reports: PruneReport[] = [];
    let calls = 0;
    const store = {
      prune: () => (++calls === 1 ? Promise.reject(new Error('down')) : Promise.resolve(DELETED)),
    };
    const pruner = new RetentionPruner(store, {
      days: 1,
      intervalMs: 10,
      now: () => T0,
      onPrune: (report) => reports.push(report),
    });

    pruner.start();
    await waitUntil(() => reports.length >= 2);
    await pruner.stop();

    expect(reports.slice(0, 2)).toEqual([
      { ok: false, before: new Date(T0 - DAY), error: new Error('down') },
      { ok: true, before: new Date(T0 - DAY), deleted: DELETED },
    ]);
  });

  it('prunes through `exclusive`, so that a prune never runs alongside a write', async () => {
    const order: string[] = [];
    const store = {
      prune: () => {
        order.push('prune');
        return Promise.resolve(DELETED);
      },
    };
    const pruner = new RetentionPruner(store, {
      days: 1,
      intervalMs: 60_000,
      exclusive: async (work) => {
        order.push('between flushes');
        return work();
      },
    });

    expect(await pruner.prune()).toMatchObject({ ok: true, deleted: DELETED });
    expect(order).toEqual(['between flushes', 'prune']);
  });

  it('waits for a prune in progress when stopped', async () => {
    let finish: (result: PruneResult) => void = () => undefined;
    const store = {
      prune: () =>
        new Promise<PruneResult>((resolve) => {
          finish = resolve;
        }),
    };
    const reports: PruneReport[] = [];
    const pruner = new RetentionPruner(store, {
      days: 1,
      intervalMs: 60_000,
      onPrune: (report) => reports.push(report),
    });

    pruner.start();
    const stopped = pruner.stop();
    finish(DELETED);
    await stopped;

    expect(reports).toHaveLength(1);
  });
});
