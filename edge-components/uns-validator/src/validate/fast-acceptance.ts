/**
 * Accepts a channel's valid payloads of the common flat form without parsing them: the payload's
 * bytes are scanned once ({@link FlatJsonScanner}) and held against every message's
 * {@link PayloadChecks}. It only ever answers "valid, as message M" when `JSON.parse` and ajv would
 * find the payload to match M and no other message of the channel; in every other case (an invalid
 * payload, an unusual form, a check it cannot decide) it answers nothing, and the payload is parsed
 * and judged by ajv, which also says what is wrong.
 */
import type { Primitive } from '../contract/json-values';
import { TYPE, type PayloadChecks, type ValueCheck } from '../contract/payload-checks';
import { FIELD, FlatJsonScanner } from './flat-json-scanner';

// Module constants: a property read of another module's export can cost a call (bundlers' getters).
const { absent: ABSENT, string: STRING, number: NUMBER, numberArray: NUMBER_ARRAY } = FIELD;
const { true: TRUE, false: FALSE } = FIELD;
const { string: STRING_TYPE, number: NUMBER_TYPE, integer: INTEGER_TYPE } = TYPE;
const { boolean: BOOLEAN_TYPE, null: NULL_TYPE, array: ARRAY_TYPE } = TYPE;

/** How a check came out; the worst of several is the largest. */
const VALID = 0;
const UNDECIDED = 1;
const INVALID = 2;
type Outcome = typeof VALID | typeof UNDECIDED | typeof INVALID;

/**
 * A message's checks on the scanner's fields, all object checks of its `allOf` chain together (all
 * must hold, so their order is free): the property checks with enumerated values first, since they
 * tell a channel's messages apart (`unit: A`, `unit: V`), then the other property checks, then
 * what must be absent or present.
 */
interface MessagePlan {
  readonly id: string;
  readonly never: boolean;
  /** Fields a closed object (`additionalProperties: false`) of the chain does not allow. */
  readonly forbidden: readonly number[];
  readonly required: readonly number[];
  readonly checks: readonly (readonly [number, ValueCheck])[];
}

/** The fast acceptance of one channel's payloads. */
export class FastAcceptance {
  private readonly scanner: FlatJsonScanner;
  private readonly plans: readonly MessagePlan[];

  private constructor(messages: readonly { id: string; checks: PayloadChecks }[]) {
    const names = [
      ...new Set(
        messages.flatMap(({ checks }) =>
          checks.objects.flatMap((object) => [...object.properties.keys(), ...object.required]),
        ),
      ),
    ];
    this.scanner = new FlatJsonScanner(names);
    this.plans = messages.map(({ id, checks: { objects, never } }) => {
      const fieldOf = (name: string): number => names.indexOf(name);
      const checks = objects
        .flatMap(({ properties }) => [...properties])
        .map(([name, check]) => [fieldOf(name), check] as const);
      return {
        id,
        never,
        forbidden: names.flatMap((name, field) =>
          objects.some(({ closed, properties }) => closed && !properties.has(name)) ? [field] : [],
        ),
        required: [...new Set(objects.flatMap(({ required }) => required))].map(fieldOf),
        checks: [
          ...checks.filter(([, check]) => check.allowed.length > 0),
          ...checks.filter(([, check]) => check.allowed.length === 0),
        ],
      };
    });
  }

  /**
   * The fast acceptance of a channel's messages, or `undefined` when one of them has a schema the
   * checks do not cover (a payload could match it unnoticed).
   */
  static of(
    messages: readonly { id: string; checks: PayloadChecks | undefined }[],
  ): FastAcceptance | undefined {
    const covered = messages.flatMap(({ id, checks }) =>
      checks === undefined ? [] : [{ id, checks }],
    );
    return covered.length === messages.length && covered.length > 0
      ? new FastAcceptance(covered)
      : undefined;
  }

  /**
   * The id of the one message `payload` certainly matches, or `undefined` when that is not certain
   * without parsing it (the payload may still be valid).
   */
  accept(payload: Uint8Array): string | undefined {
    const accepted = this.scanner.scan(payload) ? this.onlyMatch() : undefined;
    this.scanner.release();
    return accepted;
  }

  /** The one message the scanned payload certainly matches, all others certainly not. */
  private onlyMatch(): string | undefined {
    let accepted: string | undefined;
    for (const plan of this.plans) {
      const outcome = this.judge(plan);
      if (outcome === UNDECIDED || (outcome === VALID && accepted !== undefined)) return undefined;
      if (outcome === VALID) accepted = plan.id;
    }
    return accepted;
  }

  private judge({ never, forbidden, required, checks }: MessagePlan): Outcome {
    const { kind } = this.scanner;
    if (never) return INVALID;
    let outcome: Outcome = VALID;
    for (const [field, check] of checks) {
      if (kind[field] !== ABSENT) {
        outcome = worse(outcome, this.judgeValue(field, check));
        if (outcome === INVALID) return INVALID;
      }
    }
    for (const field of forbidden) {
      if (kind[field] !== ABSENT) return INVALID;
    }
    for (const field of required) {
      if (kind[field] === ABSENT) return INVALID;
    }
    return outcome;
  }

  /** Judges a present field by the keywords that apply to what it holds. */
  private judgeValue(field: number, check: ValueCheck): Outcome {
    if (check.never) return INVALID;
    const { scanner } = this;
    switch (scanner.kind[field]) {
      case STRING:
        return this.judgeString(field, check);
      case NUMBER: {
        const value = scanner.low[field] ?? NaN;
        if (!hasNumberType(check, scanner.integral[field] === 1)) return INVALID;
        return isAllowed(check, value) && inRange(check, value, value) ? VALID : INVALID;
      }
      case NUMBER_ARRAY:
        return this.judgeNumberArray(field, check);
      case TRUE:
        return judgeLiteral(check, BOOLEAN_TYPE, true);
      case FALSE:
        return judgeLiteral(check, BOOLEAN_TYPE, false);
      default:
        return judgeLiteral(check, NULL_TYPE, null);
    }
  }

  private judgeString(field: number, check: ValueCheck): Outcome {
    const { scanner } = this;
    const length = scanner.count[field] ?? 0;
    if ((check.types & STRING_TYPE) === 0) return INVALID;
    if (length < check.minLength || length > check.maxLength) return INVALID;
    for (const values of check.allowed) {
      if (!this.oneOfTexts(field, values)) return INVALID;
    }
    // A timestamp of another form may still be valid: ajv-formats decides.
    return !check.dateTime || scanner.isCanonicalDateTime(field) ? VALID : UNDECIDED;
  }

  /** Whether the string in `field` is one of `values`. */
  private oneOfTexts(field: number, values: readonly Primitive[]): boolean {
    for (const value of values) {
      if (typeof value === 'string' && this.scanner.textEquals(field, value)) return true;
    }
    return false;
  }

  private judgeNumberArray(field: number, check: ValueCheck): Outcome {
    const { scanner } = this;
    const count = scanner.count[field] ?? 0;
    if ((check.types & ARRAY_TYPE) === 0 || check.allowed.length > 0) return INVALID;
    if (count < check.minItems || count > check.maxItems) return INVALID;
    const { items } = check;
    if (items === undefined || count === 0) return VALID;
    if (items.never || !hasNumberType(items, scanner.integral[field] === 1)) return INVALID;
    if (!inRange(items, scanner.low[field] ?? NaN, scanner.high[field] ?? NaN)) return INVALID;
    // Enumerated items would need each value, which the scan does not keep.
    return items.allowed.length === 0 ? VALID : UNDECIDED;
  }
}

function worse(first: Outcome, second: Outcome): Outcome {
  return first > second ? first : second;
}

/** Whether a number (every item: `integral` says whether all are integers) has an allowed type. */
function hasNumberType({ types }: ValueCheck, integral: boolean): boolean {
  return (types & NUMBER_TYPE) !== 0 || (integral && (types & INTEGER_TYPE) !== 0);
}

/** Whether numbers from `low` to `high` meet the numeric bounds. */
function inRange(check: ValueCheck, low: number, high: number): boolean {
  return (
    low >= check.minimum &&
    high <= check.maximum &&
    low > check.exclusiveMinimum &&
    high < check.exclusiveMaximum
  );
}

/** Whether a number, boolean or null is in every list of allowed values (`enum`, `const`). */
function isAllowed(check: ValueCheck, value: number | boolean | null): boolean {
  for (const values of check.allowed) {
    if (!values.includes(value)) return false;
  }
  return true;
}

function judgeLiteral(check: ValueCheck, type: number, value: boolean | null): Outcome {
  return (check.types & type) !== 0 && isAllowed(check, value) ? VALID : INVALID;
}
