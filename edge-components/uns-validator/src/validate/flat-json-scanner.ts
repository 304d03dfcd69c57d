/**
 * Reads a JSON payload of the form nearly every UNS device sends (one flat object whose values are
 * numbers, plain ASCII strings, booleans, null or arrays of numbers) straight from its bytes,
 * without building JavaScript values: what each known property holds, the numbers exactly as
 * `JSON.parse` reads them. Anything else (an unknown or repeated property, a nested object, an
 * escape sequence or non-ASCII character in a string, a syntax error) makes {@link scan} answer
 * false, and the caller parses the payload the usual way.
 */
import { isCanonicalDateTimeAt } from '../contract/date-time-format';

/** What a top-level property of a scanned payload holds. */
export const FIELD = {
  absent: 0,
  string: 1,
  number: 2,
  numberArray: 3,
  true: 4,
  false: 5,
  null: 6,
} as const;

export type FieldKind = (typeof FIELD)[keyof typeof FIELD];

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
/** Printable ASCII starts here; lower bytes must be escaped in a JSON string. */
const SPACE = 0x20;
/** Bytes from here on are not ASCII. */
const NON_ASCII = 0x80;

/**
 * A number of at most this many digits is an integer below 2^53, exact in a double, and dividing
 * it by a power of ten up to 10^22 (exact too) rounds correctly: the value `JSON.parse` gives.
 */
const EXACT_DIGITS = 15;
const POWERS_OF_TEN = Float64Array.from({ length: EXACT_DIGITS + 1 }, (_, power) =>
  Number(`1e${String(power)}`),
);
const LITERALS: readonly (readonly [FieldKind, Uint8Array])[] = [
  [FIELD.true, asciiBytes('true')],
  [FIELD.false, asciiBytes('false')],
  [FIELD.null, asciiBytes('null')],
];
const ascii = new TextDecoder('latin1');
const NO_PAYLOAD = new Uint8Array(0);

/**
 * Scans payloads for a fixed set of property names. One instance serves one thread: {@link scan}
 * overwrites what the previous call found.
 */
export class FlatJsonScanner {
  /** What each property (by index in the names given) holds; {@link FIELD}`.absent` when missing. */
  readonly kind: Uint8Array;
  /** A number's value; an array's smallest item. */
  readonly low: Float64Array;
  /** An array's largest item. */
  readonly high: Float64Array;
  /** 1 when the number, or every item of the array, is an integer. */
  readonly integral: Uint8Array;
  /** An array's item count; a string's length. */
  readonly count: Uint32Array;
  /** Where a string's characters start in the payload. */
  private readonly stringStart: Uint32Array;
  private readonly names: readonly Uint8Array[];
  private payload: Uint8Array = NO_PAYLOAD;
  /** The value of the number {@link scanNumber} read last. */
  private readonly scratch = new Float64Array(1);

  constructor(names: readonly string[]) {
    this.names = names.map(asciiBytes);
    const size = names.length;
    this.kind = new Uint8Array(size);
    this.low = new Float64Array(size);
    this.high = new Float64Array(size);
    this.integral = new Uint8Array(size);
    this.count = new Uint32Array(size);
    this.stringStart = new Uint32Array(size);
  }

  /**
   * Reads `payload`; true when it is a flat JSON object of the known properties, each at most
   * once, in the simple form (see the module). False says nothing about the payload's validity.
   */
  scan(payload: Uint8Array): boolean {
    this.payload = payload;
    this.kind.fill(FIELD.absent);
    let at = skipSpace(payload, 0);
    if (payload[at] !== OPEN_BRACE) return false;
    at = skipSpace(payload, at + 1);
    if (payload[at] === CLOSE_BRACE) return skipSpace(payload, at + 1) === payload.length;
    for (;;) {
      if (payload[at] !== QUOTE) return false;
      const nameEnd = stringEnd(payload, at + 1);
      if (nameEnd < 0) return false;
      const field = this.fieldNamed(at + 1, nameEnd);
      if (field < 0 || this.kind[field] !== FIELD.absent) return false;
      at = nameEnd + 1;
      if (isSpace(payload[at])) at = skipSpace(payload, at);
      if (payload[at] !== COLON) return false;
      at++;
      if (isSpace(payload[at])) at = skipSpace(payload, at);
      at = this.scanValue(at, field);
      if (at < 0) return false;
      if (isSpace(payload[at])) at = skipSpace(payload, at);
      const next = payload[at];
      if (next === COMMA) {
        at++;
        if (isSpace(payload[at])) at = skipSpace(payload, at);
      } else {
        return next === CLOSE_BRACE && skipSpace(payload, at + 1) === payload.length;
      }
    }
  }

  /**
   * Lets go of the payload of the last {@link scan} (it may be a view of a larger buffer); what it
   * found about numbers stays readable.
   */
  release(): void {
    this.payload = NO_PAYLOAD;
  }

  /** Whether a string property found by the last {@link scan} is a canonical timestamp. */
  isCanonicalDateTime(field: number): boolean {
    const start = this.stringStart[field] ?? 0;
    return isCanonicalDateTimeAt(this.payload, start, start + (this.count[field] ?? 0));
  }

  /** Whether a string property found by the last {@link scan} is `text`, compared in place. */
  textEquals(field: number, text: string): boolean {
    const length = this.count[field] ?? 0;
    if (text.length !== length) return false;
    const start = this.stringStart[field] ?? 0;
    const { payload } = this;
    for (let offset = 0; offset < length; offset++) {
      if (payload[start + offset] !== text.charCodeAt(offset)) return false;
    }
    return true;
  }

  /** The index of the property named by the bytes from `start` to `end`, or -1. */
  private fieldNamed(start: number, end: number): number {
    const { payload, names } = this;
    const length = end - start;
    for (let field = 0; field < names.length; field++) {
      const name = names[field];
      if (name?.length !== length) continue;
      let offset = 0;
      while (offset < length && name[offset] === payload[start + offset]) offset++;
      if (offset === length) return field;
    }
    return -1;
  }

  /** Reads the value at `at` into `field`; where it ends, or -1 when it is not of the simple form. */
  private scanValue(at: number, field: number): number {
    const { payload } = this;
    const first = payload[at];
    if (first === QUOTE) {
      const end = stringEnd(payload, at + 1);
      if (end < 0) return -1;
      this.kind[field] = FIELD.string;
      this.stringStart[field] = at + 1;
      this.count[field] = end - at - 1;
      return end + 1;
    }
    if (first === OPEN_BRACKET) return this.scanNumberArray(at + 1, field);
    if (first === MINUS || (first !== undefined && first >= ZERO && first <= NINE)) {
      const end = readNumber(payload, at, this.scratch);
      if (end < 0) return -1;
      this.kind[field] = FIELD.number;
      const value = this.scratch[0] ?? NaN;
      this.low[field] = value;
      this.integral[field] = Number.isInteger(value) ? 1 : 0;
      return end;
    }
    for (const [kind, bytes] of LITERALS) {
      if (startsWith(payload, at, bytes)) {
        this.kind[field] = kind;
        return at + bytes.length;
      }
    }
    return -1;
  }

  /** Reads an array of numbers whose items start at `at` (after the bracket). */
  private scanNumberArray(at: number, field: number): number {
    const { payload } = this;
    let items = 0;
    let low = Infinity;
    let high = -Infinity;
    let integral = 1;
    at = skipSpace(payload, at);
    if (payload[at] !== CLOSE_BRACKET) {
      for (;;) {
        at = readNumber(payload, at, this.scratch);
        if (at < 0) return -1;
        const value = this.scratch[0] ?? NaN;
        if (value < low) low = value;
        if (value > high) high = value;
        if (!Number.isInteger(value)) integral = 0;
        items++;
        if (isSpace(payload[at])) at = skipSpace(payload, at);
        if (payload[at] !== COMMA) break;
        at++;
        if (isSpace(payload[at])) at = skipSpace(payload, at);
      }
      if (payload[at] !== CLOSE_BRACKET) return -1;
    }
    this.kind[field] = FIELD.numberArray;
    this.count[field] = items;
    this.low[field] = low;
    this.high[field] = high;
    this.integral[field] = integral;
    return at + 1;
  }
}

/**
 * Reads a JSON number at `at` of `payload` into `value[0]`; where it ends, or -1 when the bytes
 * there are not a finite JSON number. Small, for the engine to inline it into the loops.
 */
function readNumber(payload: Uint8Array, at: number, value: Float64Array): number {
  const start = at;
  let byte = payload[at];
  const negative = byte === MINUS;
  if (negative) byte = payload[++at];
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = 0;
  if (byte === ZERO) {
    byte = payload[++at];
    digits = 1;
  } else {
    while (byte !== undefined && byte >= ZERO && byte <= NINE) {
      mantissa = mantissa * 10 + (byte - ZERO);
      digits++;
      byte = payload[++at];
    }
    if (digits === 0) return -1;
  }
  if (byte === DOT) {
    byte = payload[++at];
    while (byte !== undefined && byte >= ZERO && byte <= NINE) {
      mantissa = mantissa * 10 + (byte - ZERO);
      digits++;
      fractionDigits++;
      byte = payload[++at];
    }
    if (fractionDigits === 0) return -1;
  }
  if (byte === LOWER_E || byte === UPPER_E || digits > EXACT_DIGITS) {
    return readUncommonNumber(payload, start, at, value);
  }
  const magnitude =
    fractionDigits === 0 ? mantissa : mantissa / (POWERS_OF_TEN[fractionDigits] ?? NaN);
  value[0] = negative ? -magnitude : magnitude;
  return at;
}

/**
 * A number with an exponent (its mantissa ends at `at`) or too many digits to compute exactly:
 * converted by the engine, as JSON.parse does.
 */
function readUncommonNumber(
  payload: Uint8Array,
  start: number,
  at: number,
  value: Float64Array,
): number {
  let byte = payload[at];
  if (byte === LOWER_E || byte === UPPER_E) {
    byte = payload[++at];
    if (byte === PLUS || byte === MINUS) byte = payload[++at];
    const exponentStart = at;
    while (byte !== undefined && byte >= ZERO && byte <= NINE) byte = payload[++at];
    if (at === exponentStart) return -1;
  }
  value[0] = Number(ascii.decode(payload.subarray(start, at)));
  return Number.isFinite(value[0]) ? at : -1;
}

/**
 * Whether a byte may be JSON whitespace (or is past the end): compact payloads have none, and
 * checking inline first keeps the hot loops free of calls.
 */
function isSpace(byte: number | undefined): boolean {
  return byte === undefined || byte <= SPACE;
}

/** Skips JSON whitespace from `at`. */
function skipSpace(payload: Uint8Array, at: number): number {
  let byte = payload[at];
  while (byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) byte = payload[++at];
  return at;
}

/**
 * Where the string whose characters start at `at` ends (its closing quote), or -1 when it holds
 * an escape sequence, a control or non-ASCII character, or does not end.
 */
function stringEnd(payload: Uint8Array, at: number): number {
  const { length } = payload;
  for (; at < length; at++) {
    const byte = payload[at] ?? QUOTE;
    if (byte === QUOTE) return at;
    if (byte === BACKSLASH || byte < SPACE || byte >= NON_ASCII) return -1;
  }
  return -1;
}

function startsWith(payload: Uint8Array, at: number, bytes: Uint8Array): boolean {
  for (let offset = 0; offset < bytes.length; offset++) {
    if (payload[at + offset] !== bytes[offset]) return false;
  }
  return true;
}

function asciiBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (character) => character.charCodeAt(0));
}
