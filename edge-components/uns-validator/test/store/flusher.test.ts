import { waitUntil } from '@uns-mlops/test-services';
import type { ValidationCount, VerdictBatch } from '../../src/store/batch';
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
  it('merges retained counts into the next write, adding up equal keys', async () => {
    const written: VerdictBatch[] = [];
    let fail = true;
    const store = {
      record: (batch: VerdictBatch) => {
        if (fail) return Promise.reject(new Error('down'));
        written.push(batch);
        return Promise.resolve();
      },
    };
    const flusher = new StoreFlusher(
      sourceOf(batchOf([T0], 2), batchOf([T0, T0 + MINUTE], 3)),
      store,
    );

    await flusher.flush();
    fail = false;
    await flusher.flush();

    expect(written.map((b) => b.counts.map((c) => c.valid))).toEqual([[5, 3]]);
  });

  it('bounds what it retains across failures, dropping the oldest buckets first', async () => {
    const store = { record: () => Promise.reject(new Error('down')) };
    const flusher = new StoreFlusher(
      sourceOf(batchOf([T0 + 2 * MINUTE, T0, T0 + MINUTE], 4)),
      store,
      {
        maxPendingCounts: 2,
      },
    );

    const report = await flusher.flush();

    expect(report).toMatchObject({
      ok: false,
      countRows: 2,
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
