/**
 * Reading a telemetry payload as a block: every payload that is not one is rejected with its
 * reason, and its cost is bounded before it is parsed. A rejection never throws.
 */
import { DEFAULT_CONFIG } from '../../src/service/config';
import { MAX_NESTING, parseBlock, type BlockLimits } from '../../src/windowing/block';

const LIMITS: BlockLimits = { maxPayloadBytes: 4096, maxBlockSamples: 100 };
const T0 = '2025-01-01T00:00:00.000Z';

/** The JSON text of a block with `values`, padded with spaces to `bytes` when given. */
function blockText(values: unknown[] = [1, 2, 3], bytes?: number): string {
  const text = JSON.stringify({ t0: T0, dtMs: 1, unit: 'A', values, seq: 7 });
  return bytes === undefined ? text : text.slice(0, -1) + ' '.repeat(bytes - text.length) + '}';
}

const parse = (payload: string | Buffer, limits = LIMITS) =>
  parseBlock(Buffer.isBuffer(payload) ? payload : Buffer.from(payload), limits);

it('reads a block, turning non-numbers and non-finite values into missing samples', () => {
  const parsed = parse(blockText([1, null, 'x', 2]).replace('"x"', '1e999'));
  expect(parsed).toEqual({
    block: { t0Ms: Date.parse(T0), dtMs: 1, seq: 7, values: Float64Array.of(1, NaN, NaN, 2) },
    missing: 2,
  });
});

it('reads a payload of exactly maxPayloadBytes and rejects one byte more unparsed, as payload-too-large', () => {
  expect(parse(blockText(undefined, LIMITS.maxPayloadBytes))).toHaveProperty('block');
  expect(parse(blockText(undefined, LIMITS.maxPayloadBytes + 1))).toMatchObject({
    rejected: 'payload-too-large',
  });
  const notEvenJson = Buffer.alloc(16 * 1024 ** 2, '[');
  expect(parse(notEvenJson, DEFAULT_CONFIG.limits)).toMatchObject({
    rejected: 'payload-too-large',
  });
});

it('takes the largest block the contract allows (5,000 full-precision samples) within the default limits', () => {
  const values = Array.from({ length: 5000 }, () => -1.7976931348623157e308);
  const parsed = parse(blockText(values), DEFAULT_CONFIG.limits);
  expect(parsed).toHaveProperty('block.values.length', 5000);
});

it('rejects bytes that are not UTF-8 as invalid-utf8, also inside an otherwise valid block', () => {
  expect(parse(Buffer.from([0xff, 0xfe, 0x7b, 0x7d]))).toMatchObject({ rejected: 'invalid-utf8' });
  const broken = Buffer.from(blockText().replace('"A"', '"__"'));
  broken[broken.indexOf('__')] = 0xc3; // a lead byte followed by an ASCII byte
  expect(parse(broken)).toMatchObject({ rejected: 'invalid-utf8' });
});

it(`rejects JSON nested deeper than ${MAX_NESTING} levels as too-deep without parsing it, brackets inside strings aside`, () => {
  const deep = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
  expect(parse(deep(MAX_NESTING + 1))).toMatchObject({ rejected: 'too-deep' });
  expect(parse(`{"a":${'{"a":'.repeat(MAX_NESTING)}1${'}'.repeat(MAX_NESTING + 1)}`)).toMatchObject(
    { rejected: 'too-deep' },
  );
  expect(parse(deep(100_000), DEFAULT_CONFIG.limits)).toMatchObject({ rejected: 'too-deep' });
  // Many brackets, but shallow: parsed, and rejected for what it is.
  expect(parse(`[${'[],'.repeat(50)}[]]`)).toMatchObject({ rejected: 'invalid' });
  expect(parse(blockText().replace('"A"', `"${'[{'.repeat(40)}"`))).toHaveProperty('block');
});

it.each([
  ['empty', ''],
  ['a NaN literal', blockText().replace('[1,2,3]', '[NaN]')],
  ['a byte-order mark before the block', `\uFEFF${blockText()}`],
  ['a truncated block', blockText().slice(0, -5)],
])('rejects %s as unparseable', (_, payload) => {
  expect(parse(payload)).toMatchObject({ rejected: 'unparseable' });
});

it.each([
  ['an array', '[1,2,3]'],
  ['a string', '"block"'],
  ['null', 'null'],
  ['a block under __proto__', `{"__proto__":${blockText()}}`],
  ['t0 as a number', blockText().replace(`"${T0}"`, '1735689600000')],
  ['a t0 that is no date', blockText().replace(T0, 'yesterday')],
  ['dtMs as a string', blockText().replace('"dtMs":1', '"dtMs":"1"')],
  ['dtMs of zero', blockText().replace('"dtMs":1', '"dtMs":0')],
  ['dtMs of 1e999', blockText().replace('"dtMs":1', '"dtMs":1e999')],
  ['seq beyond 2^53', blockText().replace('"seq":7', '"seq":1e20')],
  ['a negative seq', blockText().replace('"seq":7', '"seq":-1')],
  ['values as an object', blockText().replace('[1,2,3]', '{"0":1}')],
  ['no values', blockText([])],
])('rejects %s as invalid', (_, payload) => {
  expect(parse(payload)).toMatchObject({ rejected: 'invalid' });
});

it('ignores __proto__ and constructor keys beside a valid block, polluting nothing', () => {
  const text = blockText().replace('{', '{"__proto__":{"polluted":1},"constructor":{"a":1},');
  expect(parse(text)).toHaveProperty('block.seq', 7);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

it('rejects a block of more than maxBlockSamples values as too-many-samples', () => {
  expect(parse(blockText(Array.from({ length: 100 }, () => 1)))).toHaveProperty('block');
  expect(parse(blockText(Array.from({ length: 101 }, () => 1)))).toMatchObject({
    rejected: 'too-many-samples',
  });
});
