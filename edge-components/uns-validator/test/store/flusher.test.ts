import { waitUntil } from '@uns-mlops/test-services';
import type { BatchIdentity, ValidationCount, VerdictBatch } from '../../src/store/batch';
import { type FlushReport, StoreFlusher } from '../../src/store/flusher';
import { MINUTE, T0 } from './fixtures';

/** A batch of one valid-message count per bucket start. */
function batchOf(bucketStarts: number[], valid = 1): VerdictBatch {
  return {
    counts: bucketStarts.map((start): ValidationCount => ({
      bucketStart: new Date(start),
      bucketSeconds: 60,
      site: 'zwickau',
      area: '',
      line: '',
      channel: 'machineTelemetry',
      contractVersion: '1.2.0',
      errorKind: '',
      valid,
      invalid: 0,
    })),
    violations: [],
  };
}

/** A source handing out the given batches, then empty ones. */
function sourceOf(...batches: VerdictBatch[]) {
  return { drain: () => batches.shift() ?? { counts: [], violations: [] } };
}

describe('StoreFlusher', () => {
  it('resends a failed batch unchanged under its id before anything new, merging what came meanwhile', async () => {
    const attempts: { valid: number[]; identity: BatchIdentity | undefined }[] = [];
    let fail = true;
    const store = {
      record: (batch: VerdictBatch, identity?: BatchIdentity) => {
        attempts.push({ valid: batch.counts.map((c) => c.valid), identity });
        return fail ? Promise.reject(new Error('down')) : Promise.resolve();
      },
    };
    const flusher = new StoreFlusher(
      sourceOf(batchOf([T0], 2), batchOf([T0], 3), batchOf([T0, T0 + MINUTE], 4)),
      store,
    );

    await flusher.flush();
    await flusher.flush();
    fail = false;
    const report = await flusher.flush();

    const [first, retry, resent, next] = attempts;
    expect(attempts.map(({ valid }) => valid)).toEqual([[2], [2], [2], [7, 4]]);
    expect(first?.identity?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(retry?.identity).toEqual(first?.identity);
    expect(resent?.identity).toEqual(first?.identity);
    expect(next?.identity?.id).not.toBe(first?.identity?.id);
    expect(report).toEqual({ ok: true, countRows: 3, samples: 0 });
  });

  it('bounds the backlog across failures, dropping the oldest buckets first', async () => {
    const store = { record: () => Promise.reject(new Error('down')) };
    const flusher = new StoreFlusher(
      sourceOf(batchOf([T0], 1), batchOf([T0 + 2 * MINUTE, T0, T0 + MINUTE], 4)),
      store,
      { maxPendingCounts: 2 },
    );

    const report = await flusher.flush();

    // What arrived during the failed write waits in the backlog, bounded: its oldest bucket is
    // dropped, while the batch sent (1 row) is kept whole.
    expect(report).toMatchObject({
      ok: false,
      countRows: 3,
      droppedMessages: 4,
      droppedSamples: 0,
    });
  });

  it('counts consecutive failures and reports every flush', async () => {
    const reports: FlushReport[] = [];
    let fail = true;
    const store = { record: () => (fail ? Promise.reject(new Error('down')) : Promise.resolve()) };
    const flusher = new StoreFlusher(sourceOf(batchOf([T0])), store, {
      onFlush: (report) => reports.push(report),
    });

    await flusher.flush();
    await flusher.flush();
    fail = false;
    await flusher.flush();

    expect(reports.map((r) => (r.ok ? 'ok' : r.consecutiveFailures))).toEqual([1, 2, 'ok']);
    expect(flusher.failedFlushes).toBe(2);
  });

  it('never runs two writes at once', async () => {
    let running = 0;
    let overlapped = false;
    const store = {
      record: async () => {
        overlapped ||= running > 0;
        running++;
        await new Promise((resolve) => setTimeout(resolve, 20));
        running--;
      },
    };
    const flusher = new StoreFlusher(sourceOf(batchOf([T0]), batchOf([T0])), store);

    await Promise.all([flusher.flush(), flusher.flush(), flusher.close()]);

    expect(overlapped).toBe(false);
  });

  it('runs exclusive work (pruning) between two flushes, never alongside a write', async () => {
    const events: string[] = [];
    const store = {
      record: async () => {
        events.push('write started');
        await new Promise((resolve) => setTimeout(resolve, 20));
        events.push('write ended');
      },
    };
    const flusher = new StoreFlusher(sourceOf(batchOf([T0]), batchOf([T0])), store);

    await Promise.all([
      flusher.flush(),
      flusher.exclusive(() => Promise.resolve(events.push('prune'))),
      flusher.flush(),
    ]);

    expect(events).toEqual([
      'write started',
      'write ended',
      'prune',
      'write started',
      'write ended',
    ]);
  });

  it('flushes on its interval once started', async () => {
    const written: VerdictBatch[] = [];
    const store = { record: (batch: VerdictBatch) => Promise.resolve(void written.push(batch)) };
    const flusher = new StoreFlusher(sourceOf(batchOf([T0])), store, { intervalMs: 10 });

    flusher.start();
    await waitUntil(() => written.length > 0, 15_000, 'a flush on the interval'); // not close's
    await flusher.close();

    expect(written.flatMap((b) => b.counts)).toHaveLength(1);
  });
});
