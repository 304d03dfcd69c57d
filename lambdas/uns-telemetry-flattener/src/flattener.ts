import type { MSKRecord } from 'aws-lambda';
import type { PartitionedRow } from './delivery';
import type { HeaderNames } from './record';

/** The rows one Kafka record gives, all of one Lakehouse table. */
export interface TableRows {
  readonly table: string;
  /** None for a record the table does not hold (e.g. a violation sample on `uns.validation`). */
  readonly rows: readonly PartitionedRow[];
}

/** What a function of this workspace makes of the records of its Kafka topic. */
export interface Flattener {
  /** The Lakehouse tables the rows go into: each needs its delivery stream. */
  readonly tables: readonly string[];
  /**
   * Turns one Kafka record into the rows of one of {@link tables}.
   *
   * @throws RejectedRecord when the record breaks its contract.
   */
  readonly flatten: (record: MSKRecord, headers: HeaderNames) => TableRows;
}

/** A {@link Flattener} of a topic whose records all become rows of one table. */
export function singleTable(
  table: string,
  rowsOf: (record: MSKRecord, headers: HeaderNames) => readonly PartitionedRow[],
): Flattener {
  return {
    tables: [table],
    flatten: (record, headers) => ({ table, rows: rowsOf(record, headers) }),
  };
}
