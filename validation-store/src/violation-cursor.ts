/**
 * The position of a violation sample in the newest-first order of the samples, as the opaque
 * `nextCursor` of a page. A cursor names a time and a row id only, never a site: read under a
 * site scope, it can only lead to rows of the scope.
 */
import { isWithinDateRange } from '@uns-mlops/edge-common/src/query-parameters';

/** A position in the newest-first order of the samples: received time, then id. */
export interface ViolationCursor {
  readonly receivedAt: Date;
  readonly id: number;
}

/** The opaque cursor of a position: `<received at, ms since the epoch>.<id>`. */
export function encodeCursor(cursor: ViolationCursor): string {
  return `${String(cursor.receivedAt.getTime())}.${String(cursor.id)}`;
}

/**
 * Reads a cursor {@link encodeCursor} wrote; `undefined` when `value` is not one: its time must be
 * within the years 1 to 9999 (what PostgreSQL and JavaScript both represent) and its id a row id
 * (a positive `bigint` that JavaScript holds exactly).
 */
export function decodeCursor(value: string): ViolationCursor | undefined {
  const match = /^(-?\d{1,16})\.(\d{1,16})$/.exec(value);
  if (match === null) return undefined;
  const receivedAt = new Date(Number(match[1]));
  const id = Number(match[2]);
  if (!isWithinDateRange(receivedAt) || id < 1 || !Number.isSafeInteger(id)) return undefined;
  return { receivedAt, id };
}
