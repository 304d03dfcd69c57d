/**
 * A write whose COMMIT went through but whose acknowledgement was lost is retried by the flusher
 * with the same batch and id, and the store applies it once: counts stay exact.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { VerdictAggregator } from '../../src/store/aggregator';
import { StoreFlusher } from '../../src/store/flusher';
import { readMigrations } from '@uns-mlops/validation-store';
import type { SqlClient } from '../../src/store/sql-client';
import { SqlValidationStore } from '../../src/store/sql-store';
import { openStore, type ValidationStore } from '../../src/store/store';
import { BACKENDS, createPostgresDatabase, stopBackends, type Database } from './backends';
import { startCommitAckDropper } from './commit-ack-dropper';
import { invalidVerdict, JSON_PAYLOAD, T0, validVerdict } from './fixtures';

afterAll(stopBackends);

/** `client`, but the next `lose` transactions commit and then fail as if the answer was lost. */
function losingAcknowledgements(client: SqlClient): { client: SqlClient; lose: number } {
  const control = {
    lose: 0,
    client: {
      query: (sql, params) => client.query(sql, params),
      exec: (script) => client.exec(script),
      close: () => client.close(),
      transaction: async (work) => {
        const result = await client.transaction(work);
        if (control.lose > 0) {
          control.lose--;
          throw new Error('connection lost after COMMIT');
        }
        return result;
      },
    } satisfies SqlClient,
  };
  return control;
}

/** Counts `valid` valid and `invalid` invalid messages of site zwickau, received at T0. */
function addVerdicts(aggregator: VerdictAggregator, valid: number, invalid: number): void {
  const parameters = { site: 'zwickau' };
  for (let i = 0; i < valid; i++) {
    aggregator.add(validVerdict(parameters), { receivedAt: T0, payload: JSON_PAYLOAD });
  }
  for (let i = 0; i < invalid; i++) {
    aggregator.add(invalidVerdict('schema-violation', { parameters }), {
      receivedAt: T0,
      payload: JSON_PAYLOAD,
    });
  }
}

async function stored(store: ValidationStore) {
  const [row] = await store.complianceSummary({ since: new Date(T0) });
  const samples = await store.recentViolations({ limit: 100 });
  return { valid: row?.valid, invalid: row?.invalid, samples: samples.length };
}

describe.each(BACKENDS)('idempotent writes on $name', (backend) => {
  let database: Database;
  let opened: ValidationStore | undefined;

  beforeEach(async () => {
    database = await backend.create();
  });

  afterEach(async () => {
    await opened?.close();
    await database.dispose();
  });

  /** A migrated store on the database, or on `client` (a connection of it the test wrapped). */
  async function openStoreOn(client?: SqlClient): Promise<ValidationStore> {
    opened = client ? new SqlValidationStore(client, readMigrations()) : await database.open();
    await opened.migrate();
    return opened;
  }

  it('applies a batch once however often it is sent with its identity', async () => {
    const store = await openStoreOn();
    const aggregator = new VerdictAggregator();
    addVerdicts(aggregator, 3, 1);
    const batch = aggregator.drain();
    const identity = { id: randomUUID(), formedAt: new Date() };

    await store.record(batch, identity);
    await store.record(batch, identity);
    await store.record(batch, { ...identity, id: randomUUID() });

    expect(await stored(store)).toEqual({ valid: 6, invalid: 2, samples: 2 });
  });

  it('counts every message exactly once when acknowledgements of committed writes are lost', async () => {
    const lossy = losingAcknowledgements(await database.connect());
    const store = await openStoreOn(lossy.client);
    const aggregator = new VerdictAggregator();
    const flusher = new StoreFlusher(aggregator, store);

    addVerdicts(aggregator, 3, 1);
    lossy.lose = 1;
    expect(await flusher.flush()).toMatchObject({ ok: false, countRows: 2, samples: 1 });
    // The write committed although the flusher was told it failed.
    expect(await stored(store)).toEqual({ valid: 3, invalid: 1, samples: 1 });

    addVerdicts(aggregator, 2, 0);
    lossy.lose = 1;
    expect(await flusher.flush()).toMatchObject({ ok: false, countRows: 3, samples: 1 });
    addVerdicts(aggregator, 1, 1);
    expect(await flusher.flush()).toEqual({ ok: true, countRows: 4, samples: 2 });

    expect(await stored(store)).toEqual({ valid: 6, invalid: 2, samples: 2 });
  });

  it('forgets the ids of batches with the data of their time', async () => {
    const store = await openStoreOn();
    const aggregator = new VerdictAggregator();
    addVerdicts(aggregator, 1, 0);
    await store.record(aggregator.drain(), { id: randomUUID(), formedAt: new Date(T0) });
    addVerdicts(aggregator, 1, 0);
    await store.record(aggregator.drain(), { id: randomUUID(), formedAt: new Date(T0 + 2) });

    expect(await store.prune(new Date(T0 + 1))).toEqual({ counts: 1, samples: 0, batches: 1 });
    const [remaining] = await store.sql.query('SELECT count(*)::integer AS n FROM applied_batches');
    expect(remaining?.n).toBe(1);
  });
});

describe('a PostgreSQL connection cut right after COMMIT', () => {
  it('is retried by the flusher with the same batch, which PostgreSQL applies once', async () => {
    const database = await createPostgresDatabase();
    const proxy = await startCommitAckDropper(database.databaseUrl);
    const store = await openStore({ databaseUrl: proxy.url });
    const direct = new Client({ connectionString: database.databaseUrl });
    await direct.connect();
    try {
      await store.migrate();
      const aggregator = new VerdictAggregator();
      const flusher = new StoreFlusher(aggregator, store);

      addVerdicts(aggregator, 5, 2);
      proxy.dropNextCommitAck();
      // The process survives the lost connection; the flush reports it as failed.
      expect(await flusher.flush()).toMatchObject({
        ok: false,
        error: expect.objectContaining({ message: 'Connection terminated unexpectedly' }),
      });
      expect(proxy.dropped).toBe(1);
      const committed = await direct.query(
        'SELECT sum(valid_count)::integer AS valid FROM validation_counts',
      );
      expect(committed.rows[0]).toEqual({ valid: 5 });

      addVerdicts(aggregator, 1, 0);
      expect(await flusher.flush()).toMatchObject({ ok: true });

      expect(await stored(store)).toEqual({ valid: 6, invalid: 2, samples: 2 });
    } finally {
      await direct.end();
      await store.close();
      await proxy.close();
      await database.dispose();
    }
  });
});
