import { VerdictAggregator } from '../../src/store/aggregator';
import type { BatchIdentity, ValidationCount, VerdictBatch } from '../../src/store/batch';
import { StoreFlusher } from '../../src/store/flusher';
import type { ValidationStore } from '../../src/store/store';
import type { ErrorKind } from '../../src/verdict';
import { BACKENDS, type Database, stopBackends } from './backends';
import { invalidVerdict, JSON_PAYLOAD, MINUTE, T0, validVerdict } from './fixtures';

afterAll(stopBackends);

describe.each(BACKENDS)('the validation store on $name', (backend) => {
  let database: Database;
  let store: ValidationStore;

  beforeEach(async () => {
    database = await backend.create();
    store = await database.open();
    await store.migrate();
  });

  afterEach(async () => {
    await store.close();
    await database.dispose();
  });

  /** Counts `verdicts` received at `receivedAt` and writes them as one flush. */
  async function flushVerdicts(
    verdicts: Parameters<VerdictAggregator['add']>[0][],
    receivedAt = T0,
  ): Promise<void> {
    const aggregator = new VerdictAggregator();
    for (const verdict of verdicts) aggregator.add(verdict, { receivedAt, payload: JSON_PAYLOAD });
    await store.record(aggregator.drain());
  }

  describe('migrations', () => {
    it('are applied in order on an empty database and recorded', async () => {
      const fresh = await backend.create();
      const other = await fresh.open();
      try {
        expect(await other.migrate()).toEqual([
          '001_validation_results',
          '002_contracts',
          '003_applied_batches',
          '004_plants',
          '005_rollups',
        ]);
      } finally {
        await other.close();
        await fresh.dispose();
      }
    });

    it('do nothing when run again, and leave the data alone', async () => {
      await flushVerdicts([validVerdict({ site: 'zwickau' })]);

      expect(await store.migrate()).toEqual([]);

      const summary = await store.complianceSummary({ since: new Date(T0) });
      expect(summary.map((row) => row.valid)).toEqual([1]);
    });
  });

  describe('counts', () => {
    it('add up across flushes for the same bucket and dimensions (upsert)', async () => {
      const site = { site: 'zwickau', area: 'body-shop', line: 'l1' };
      await flushVerdicts([validVerdict(site), validVerdict(site), validVerdict(site)]);
      await flushVerdicts([
        validVerdict(site),
        invalidVerdict('schema-violation', { parameters: site }),
      ]);

      expect(await store.complianceSummary({ since: new Date(T0) })).toEqual([
        {
          site: 'zwickau',
          channel: 'machineTelemetry',
          contractVersion: '1.2.0',
          valid: 4,
          invalid: 1,
          invalidByKind: { 'schema-violation': 1 },
        },
      ]);
    });

    it('sums rows of equal keys within one batch', async () => {
      const count: ValidationCount = {
        bucketStart: new Date(T0),
        bucketSeconds: 60,
        site: 'zwickau',
        area: '',
        line: '',
        channel: 'machineTelemetry',
        contractVersion: '1.2.0',
        errorKind: '',
        valid: 2,
        invalid: 0,
      };
      await store.record({ counts: [count, { ...count, valid: 3 }], violations: [] });

      const [row] = await store.complianceSummary({ since: new Date(T0) });
      expect(row?.valid).toBe(5);
    });

    it('count unknown topics under the channel and contract version ""', async () => {
      await flushVerdicts([
        {
          topic: 'stray/topic',
          valid: false,
          errors: [{ kind: 'unknown-topic', path: '', message: 'no channel matches' }],
        },
      ]);

      expect(await store.complianceSummary({ since: new Date(T0) })).toEqual([
        {
          site: '',
          channel: '',
          contractVersion: '',
          valid: 0,
          invalid: 1,
          invalidByKind: { 'unknown-topic': 1 },
        },
      ]);
    });
  });

  describe('the compliance summary', () => {
    beforeEach(async () => {
      await flushVerdicts(
        [validVerdict({ site: 'zwickau' }), validVerdict({ site: 'dresden' })],
        T0,
      );
      await flushVerdicts(
        [
          validVerdict({ site: 'zwickau' }),
          invalidVerdict('schema-violation', { parameters: { site: 'zwickau' } }),
          invalidVerdict('bad-parameter', { parameters: { site: 'zwickau' } }),
          invalidVerdict('bad-parameter', {
            parameters: { site: 'zwickau' },
            contractVersion: '1.4.0',
          }),
        ],
        T0 + MINUTE,
      );
      await flushVerdicts([validVerdict({ site: 'zwickau' })], T0 + 2 * MINUTE);
    });

    it('covers every site from `since` on, one row per site, channel and contract version', async () => {
      const summary = await store.complianceSummary({ since: new Date(T0) });

      expect(summary.map((row) => [row.site, row.contractVersion, row.valid, row.invalid])).toEqual(
        [
          ['dresden', '1.2.0', 1, 0],
          ['zwickau', '1.2.0', 3, 2],
          ['zwickau', '1.4.0', 0, 1],
        ],
      );
      expect(summary[1]?.invalidByKind).toEqual({ 'schema-violation': 1, 'bad-parameter': 1 });
    });

    it('is limited to one site when asked', async () => {
      const summary = await store.complianceSummary({ since: new Date(T0), site: 'dresden' });

      expect(summary.map((row) => row.site)).toEqual(['dresden']);
    });

    it('includes the buckets starting in [since, until)', async () => {
      const summary = await store.complianceSummary({
        since: new Date(T0 + MINUTE),
        until: new Date(T0 + 2 * MINUTE),
        site: 'zwickau',
      });

      expect(summary.map((row) => [row.contractVersion, row.valid, row.invalid])).toEqual([
        ['1.2.0', 1, 2],
        ['1.4.0', 0, 1],
      ]);
    });

    it('is empty for a time range without messages', async () => {
      expect(await store.complianceSummary({ since: new Date(T0 + 10 * MINUTE) })).toEqual([]);
    });
  });

  describe('recent violations', () => {
    beforeEach(async () => {
      const aggregator = new VerdictAggregator();
      const add = (at: number, site: string, channel: string, kind: ErrorKind) => {
        const verdict = invalidVerdict(kind, {
          parameters: { site },
          channel,
          topic: `${site}/${channel}`,
        });
        aggregator.add(verdict, { receivedAt: T0 + at, payload: JSON_PAYLOAD });
      };
      add(1_000, 'zwickau', 'machineTelemetry', 'schema-violation');
      add(3_000, 'dresden', 'machineTelemetry', 'schema-violation');
      add(2_000, 'zwickau', 'orderEvents', 'bad-parameter');
      add(4_000, 'zwickau', 'orderEvents', 'schema-violation');
      await store.record(aggregator.drain());
    });

    it('are listed newest first, up to the limit', async () => {
      const violations = await store.recentViolations({ limit: 3 });

      expect(violations.map((v) => v.receivedAt.getTime() - T0)).toEqual([4_000, 3_000, 2_000]);
    });

    it('are filtered by site, channel and error kind together', async () => {
      const bySite = await store.recentViolations({ limit: 10, site: 'zwickau' });
      const byChannel = await store.recentViolations({ limit: 10, channel: 'orderEvents' });
      const byAll = await store.recentViolations({
        limit: 10,
        site: 'zwickau',
        channel: 'orderEvents',
        errorKind: 'bad-parameter',
      });

      expect(bySite.map((v) => v.topic)).toEqual([
        'zwickau/orderEvents',
        'zwickau/orderEvents',
        'zwickau/machineTelemetry',
      ]);
      expect(byChannel).toHaveLength(2);
      expect(byAll.map((v) => v.receivedAt.getTime() - T0)).toEqual([2_000]);
    });

    it('carry the first error and the payload excerpt', async () => {
      const [latest] = await store.recentViolations({ limit: 1 });

      expect(latest).toEqual({
        id: expect.any(Number) as number,
        receivedAt: new Date(T0 + 4_000),
        topic: 'zwickau/orderEvents',
        site: 'zwickau',
        channel: 'orderEvents',
        contractVersion: '1.2.0',
        errorKind: 'schema-violation',
        errorCount: 1,
        schemaPath: '#/properties/temperature/type',
        payloadPath: '/temperature',
        message: 'schema-violation happened',
        assertion: '',
        payloadSize: JSON_PAYLOAD.byteLength,
        payloadEncoding: 'utf8',
        payloadExcerpt: '{"temperature":21.5}',
      });
    });

    it('reject a limit outside 1 to 1000', async () => {
      await expect(store.recentViolations({ limit: 0 })).rejects.toThrow(RangeError);
      await expect(store.recentViolations({ limit: 1001 })).rejects.toThrow(RangeError);
    });
  });

  it('stores a capped sample of violations, payloads truncated (binary as base64)', async () => {
    const aggregator = new VerdictAggregator({ samplesPerKind: 2, excerptBytes: 4 });
    for (let i = 0; i < 5; i++) {
      aggregator.add(invalidVerdict('unparseable-payload'), {
        receivedAt: T0 + i,
        payload: Uint8Array.of(0xff, 0x00, 0x01, 0x02, 0x03, 0x04),
      });
    }
    await store.record(aggregator.drain());

    const violations = await store.recentViolations({ limit: 10 });
    expect(violations).toHaveLength(2);
    expect(violations[0]).toMatchObject({
      payloadSize: 6,
      payloadEncoding: 'base64',
      payloadExcerpt: Buffer.of(0xff, 0x00, 0x01, 0x02).toString('base64'),
    });
    const [summary] = await store.complianceSummary({ since: new Date(T0) });
    expect(summary?.invalid).toBe(5);
  });

  describe('with the flusher', () => {
    it('loses nothing when closed: the last counts are written on close', async () => {
      const aggregator = new VerdictAggregator();
      const flusher = new StoreFlusher(aggregator, store, { intervalMs: 3_600_000 });
      flusher.start();
      for (let i = 0; i < 1_000; i++) {
        aggregator.add(validVerdict({ site: 'zwickau' }), {
          receivedAt: T0 + i * 100,
          payload: JSON_PAYLOAD,
        });
      }

      const report = await flusher.close();

      expect(report).toEqual({ ok: true, countRows: 2, samples: 0 });
      const summary = await store.complianceSummary({ since: new Date(T0) });
      expect(summary.map((row) => row.valid)).toEqual([1_000]);
    });

    it('keeps the counts of a failed write and writes them with the next flush', async () => {
      const aggregator = new VerdictAggregator();
      let failNext = true;
      const flakyStore = {
        record: (batch: VerdictBatch, identity?: BatchIdentity) => {
          if (!failNext) return store.record(batch, identity);
          failNext = false;
          return Promise.reject(new Error('connection lost'));
        },
      };
      const flusher = new StoreFlusher(aggregator, flakyStore);
      aggregator.add(validVerdict({ site: 'zwickau' }), { receivedAt: T0, payload: JSON_PAYLOAD });
      aggregator.add(invalidVerdict('schema-violation'), { receivedAt: T0, payload: JSON_PAYLOAD });

      const failed = await flusher.flush();
      aggregator.add(validVerdict({ site: 'zwickau' }), { receivedAt: T0, payload: JSON_PAYLOAD });
      const retried = await flusher.flush();

      expect(failed).toMatchObject({ ok: false, countRows: 2, samples: 1, consecutiveFailures: 1 });
      // The failed batch resent as it was (2 rows, 1 sample), then the new one (1 row).
      expect(retried).toEqual({ ok: true, countRows: 3, samples: 1 });
      expect(flusher.failedFlushes).toBe(1);
      const summary = await store.complianceSummary({ since: new Date(T0) });
      expect(summary.map((row) => [row.site, row.valid, row.invalid])).toEqual([
        ['', 0, 1],
        ['zwickau', 2, 0],
      ]);
      expect(await store.recentViolations({ limit: 10 })).toHaveLength(1);
    });
  });

  describe('contracts', () => {
    it('are recorded once per title and version, with their last load', async () => {
      const contract = {
        title: 'Plant UNS',
        version: '1.2.0',
        source: 'asyncapi/plant.yaml',
        channels: ['machineTelemetry'],
        loadedAt: new Date(T0),
      };
      await store.recordContract(contract);
      await store.recordContract({
        ...contract,
        channels: ['machineTelemetry', 'orderEvents'],
        loadedAt: new Date(T0 + MINUTE),
      });
      await store.recordContract({
        ...contract,
        version: '1.1.0',
        loadedAt: new Date(T0 - MINUTE),
      });

      expect(await store.contracts()).toEqual([
        {
          ...contract,
          channels: ['machineTelemetry', 'orderEvents'],
          loadedAt: new Date(T0 + MINUTE),
        },
        { ...contract, version: '1.1.0', loadedAt: new Date(T0 - MINUTE) },
      ]);
    });
  });

  it('prunes buckets and samples older than the retention limit', async () => {
    await flushVerdicts([validVerdict(), invalidVerdict('schema-violation')], T0);
    await flushVerdicts([invalidVerdict('schema-violation')], T0 + 5 * MINUTE);

    expect(await store.prune(new Date(T0 + MINUTE))).toEqual({ counts: 2, samples: 1, batches: 0 });
    const summary = await store.complianceSummary({ since: new Date(0) });
    expect(summary.map((row) => row.invalid)).toEqual([1]);
    expect(await store.recentViolations({ limit: 10 })).toHaveLength(1);
  });

  (backend.persistent ? it : it.skip)('keeps the history when reopened', async () => {
    await flushVerdicts([validVerdict({ site: 'zwickau' })]);
    await store.close();

    store = await database.open();
    expect(await store.migrate()).toEqual([]);
    await flushVerdicts([validVerdict({ site: 'zwickau' })]);

    const summary = await store.complianceSummary({ since: new Date(T0) });
    expect(summary.map((row) => row.valid)).toEqual([2]);
  });
});
