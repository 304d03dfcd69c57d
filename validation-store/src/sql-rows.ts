/**
 * Helpers for the store's SQL: `WHERE` clauses with numbered parameters, and checked decoding of
 * the values PGlite and node-postgres return (which differ: node-postgres gives `bigint` as text).
 */
import type { SqlRow } from './sql-client';

/**
 * A `WHERE` clause of conditions joined by `AND`, with their parameters numbered in order. Several
 * clauses of one statement (the parts of a `UNION ALL`) number into one list when they share it.
 */
export class Conditions {
  private readonly clauses: string[] = [];

  /** @param params the statement's parameter list (default a new one, this clause's own). */
  constructor(readonly params: unknown[] = []) {}

  /** Adds `value` to the parameters and returns its placeholder (`$n`). */
  placeholder(value: unknown): string {
    this.params.push(value);
    return `$${String(this.params.length)}`;
  }

  /**
   * Adds `<left> $n` for one value, or `<left> ($n, $m, ...)` for several (a row comparison such
   * as `(received_at, id) <`).
   */
  add(left: string, ...values: unknown[]): void {
    const placeholders = values.map((value) => this.placeholder(value));
    const right =
      placeholders.length === 1 ? placeholders.join('') : `(${placeholders.join(', ')})`;
    this.clauses.push(`${left} ${right}`);
  }

  /** Adds a condition without parameters. */
  addLiteral(condition: string): void {
    this.clauses.push(condition);
  }

  /** A copy to add further conditions to (with a copy of the parameters). */
  copy(): Conditions {
    const copy = new Conditions([...this.params]);
    copy.clauses.push(...this.clauses);
    return copy;
  }

  /** `WHERE <conditions>`, or nothing without conditions. */
  sql(): string {
    return this.clauses.length === 0 ? '' : `WHERE ${this.clauses.join(' AND ')}`;
  }
}

/** A `text` value. */
export function text(value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`expected text, got ${typeof value}`);
  return value;
}

/** A `text[]` value. */
export function texts(value: unknown): string[] {
  if (!Array.isArray(value)) throw new TypeError(`expected a text array, got ${typeof value}`);
  return value.map(text);
}

/** A count or id: node-postgres returns `bigint`/`numeric` as strings, PGlite sometimes numbers. */
export function count(value: unknown): number {
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number)) {
    throw new TypeError(`expected an integer, got ${String(value)}`);
  }
  return number;
}

/** A `timestamptz` value. */
export function date(value: unknown): Date {
  if (!(value instanceof Date)) throw new TypeError(`expected a timestamp, got ${typeof value}`);
  return value;
}

/** The row's `payload_encoding`, checked. */
export function payloadEncoding(row: SqlRow): 'utf8' | 'base64' {
  const encoding = text(row.payload_encoding);
  if (encoding !== 'utf8' && encoding !== 'base64') {
    throw new Error(`unexpected payload_encoding ${encoding}`);
  }
  return encoding;
}
