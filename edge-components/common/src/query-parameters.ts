/**
 * Readers of query string parameters that let nothing through which a store or a later step
 * cannot take: each answers a missing parameter with `undefined` and a bad one with a
 * {@link BadRequestError} (HTTP 400) saying which parameter and why, so that no client input
 * reaches SQL (or a comparison) unchecked.
 */
import { BadRequestError } from './http-server';

/** Longest text parameter {@link textParameter} accepts unless told otherwise. */
export const MAX_TEXT_PARAMETER_LENGTH = 200;

/**
 * The earliest instant a date parameter may name: year 1, the first that PostgreSQL's
 * `timestamptz` and JavaScript's `Date` both represent and that serializes with a 4-digit year
 * (PostgreSQL has no year 0 and rejects JavaScript's expanded `+275760-...` years).
 */
export const EARLIEST_DATE = new Date('0001-01-01T00:00:00.000Z');

/** The latest instant a date parameter may name: the last millisecond of year 9999. */
export const LATEST_DATE = new Date('9999-12-31T23:59:59.999Z');

/** How much of a rejected value an error message quotes. */
const QUOTED_LENGTH = 40;

/**
 * An RFC 3339 date-time (the OpenAPI `date-time` format, a profile of ISO 8601): date, `T`,
 * time with seconds and optional fraction, `Z` or an offset.
 */
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * What a text parameter may not contain: control characters (C0 with NUL, DEL, C1), U+FFFD (what
 * `URLSearchParams` makes of percent-encoded bytes that are not UTF-8) and lone surrogates (no
 * UTF-8 encoding exists for them).
 */
const FORBIDDEN_IN_TEXT = /[\p{Cc}\ufffd]|\p{Cs}/u;

/**
 * The one value of parameter `name`, or `undefined` when it is absent.
 *
 * @throws BadRequestError when the parameter is given more than once (which one counts would be
 * a guess).
 */
function singleValue(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) throw new BadRequestError(`${name} may be given only once`);
  return values[0];
}

/** `value` quoted for an error message, cut to a length a log line and a client can take. */
function quoted(value: string): string {
  return JSON.stringify(
    value.length > QUOTED_LENGTH ? `${value.slice(0, QUOTED_LENGTH)}...` : value,
  );
}

/**
 * Text parameter `name`: UTF-8 (no U+FFFD, no lone surrogate), without control characters, at
 * most `maxLength` characters.
 *
 * @throws BadRequestError when it breaks one of these rules or is given twice.
 */
export function textParameter(
  query: URLSearchParams,
  name: string,
  maxLength = MAX_TEXT_PARAMETER_LENGTH,
): string | undefined {
  const value = singleValue(query, name);
  if (value === undefined) return undefined;
  if (value.length > maxLength) {
    throw new BadRequestError(`${name} must be at most ${String(maxLength)} characters`);
  }
  if (FORBIDDEN_IN_TEXT.test(value)) {
    throw new BadRequestError(
      `${name} must be UTF-8 text without control characters, got ${quoted(value)}`,
    );
  }
  return value;
}

/**
 * Integer parameter `name`: decimal digits only (no sign, exponent or fraction), from `min` to
 * `max` inclusive.
 *
 * @throws BadRequestError when it is no such integer or is given twice.
 */
export function integerParameter(
  query: URLSearchParams,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const value = singleValue(query, name);
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) {
    throw new BadRequestError(
      `${name} must be an integer from ${String(min)} to ${String(max)}, got ${quoted(value)}`,
    );
  }
  return number;
}

/**
 * Date parameter `name`: an RFC 3339 date-time such as `2026-03-01T12:00:00Z` or
 * `2026-03-01T13:00:00.250+01:00` naming an existing calendar day and time, from
 * {@link EARLIEST_DATE} to {@link LATEST_DATE} (fractions beyond milliseconds are cut off).
 *
 * @throws BadRequestError when it is no such date-time or is given twice.
 */
export function dateParameter(query: URLSearchParams, name: string): Date | undefined {
  const value = singleValue(query, name);
  if (value === undefined) return undefined;
  const date = parseDateTime(value);
  if (date === undefined) {
    throw new BadRequestError(
      `${name} must be an ISO 8601 date-time such as 2026-03-01T12:00:00Z, got ${quoted(value)}`,
    );
  }
  if (!isWithinDateRange(date)) {
    throw new BadRequestError(
      `${name} must be from ${EARLIEST_DATE.toISOString()} to ${LATEST_DATE.toISOString()}, ` +
        `got ${quoted(value)}`,
    );
  }
  return date;
}

/** Whether `date` is a valid instant from {@link EARLIEST_DATE} to {@link LATEST_DATE}. */
export function isWithinDateRange(date: Date): boolean {
  const time = date.getTime();
  return time >= EARLIEST_DATE.getTime() && time <= LATEST_DATE.getTime();
}

/** The instant an RFC 3339 date-time names; `undefined` when `value` is none or no real time. */
function parseDateTime(value: string): Date | undefined {
  const match = DATE_TIME.exec(value);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const milliseconds = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offsetHours = Number(match[10] ?? 0);
  const offsetMinutes = Number(match[11] ?? 0);
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) {
    return undefined;
  }
  // setUTCFullYear, unlike Date.UTC, takes years below 100 as they are.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  const offsetSign = match[9] === '-' ? -1 : 1;
  date.setUTCHours(
    hour - offsetSign * offsetHours,
    minute - offsetSign * offsetMinutes,
    second,
    milliseconds,
  );
  return date;
}
