import type { SqlClient } from '@uns-mlops/validation-store';
import type { CountRow } from './count-rows';
import { type SiteContracts, upsertContracts } from './contracts-store';
import { type UpsertResult, upsertCounts } from './counts-store';
import { insertSamples } from './samples-store';
import type { ViolationSampleRow } from './violation-sample';

/** What one batch brings to the store. */
export interface IngestBatch {
  readonly counts: readonly CountRow[];
  readonly samples: readonly ViolationSampleRow[];
  readonly contracts: readonly SiteContracts[];
}

/** What writing one batch did. */
export interface BatchWritten {
  readonly counts: UpsertResult;
  /** Violation samples new to the store (the others were there already). */
  readonly samplesInserted: number;
  /** Sites whose contracts in force were replaced by newer ones. */
  readonly contractsInForceChanged: number;
}

/**
 * Writes one batch in one transaction: all of it or, when the database fails, nothing (the error
 * propagates and the event source mapping retries the batch, which every write makes safe). The
 * tables are written in one fixed order, each in key order. A batch with nothing to write opens
 * no transaction.
 */
export async function writeBatch(store: SqlClient, batch: IngestBatch): Promise<BatchWritten> {
  const { counts, samples, contracts } = batch;
  if (counts.length === 0 && samples.length === 0 && contracts.length === 0) {
    return { counts: { rows: 0, changed: 0 }, samplesInserted: 0, contractsInForceChanged: 0 };
  }
  return store.transaction(async (tx) => ({
    counts: await upsertCounts(tx, counts),
    samplesInserted: await insertSamples(tx, samples),
    contractsInForceChanged: await upsertContracts(tx, contracts),
  }));
}
