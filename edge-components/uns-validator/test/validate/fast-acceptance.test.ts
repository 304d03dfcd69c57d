/**
 * A valid payload of the common flat form is recognised from its bytes, without JSON.parse and
 * ajv. Recognising must never change a verdict: whenever the fast acceptance names a message,
 * parsing the payload and testing it against every message of its channel finds exactly that one.
 */
import { seededRandom } from '@uns-mlops/test-services';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { loadContracts } from '../../src/contract/load-contracts';
import type { LoadedChannel } from '../../src/contract/model';
import { payloadChecks } from '../../src/contract/payload-checks';
import { FastAcceptance } from '../../src/validate/fast-acceptance';
import { FIELD, FlatJsonScanner } from '../../src/validate/flat-json-scanner';
import { WELDING_CONTRACT } from '../fixtures/paths';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('FlatJsonScanner', () => {
  const scanner = new FlatJsonScanner(['t0', 'unit', 'values', 'seq', 'ok', 'note']);

  it('reads what each known property holds, numbers exactly as JSON.parse does', () => {
    expect(
      scanner.scan(
        bytes(
          ' {"t0" : "2026-12-06T04:00:00Z",\n\t"values":[212.5, -0.25,1e2 ,3],"seq":   7,"ok":true,"note":null}\r\n',
        ),
      ),
    ).toBe(true);
    expect(Array.from(scanner.kind)).toEqual([
      FIELD.string,
      FIELD.absent,
      FIELD.numberArray,
      FIELD.number,
      FIELD.true,
      FIELD.null,
    ]);
    expect(scanner.textEquals(0, '2026-12-06T04:00:00Z')).toBe(true);
    expect(scanner.isCanonicalDateTime(0)).toBe(true);
    expect([scanner.count[2], scanner.low[2], scanner.high[2], scanner.integral[2]]).toEqual([
      4, -0.25, 212.5, 0,
    ]);
    expect([scanner.low[3], scanner.integral[3]]).toEqual([7, 1]);
  });

  it('gives every number the double JSON.parse gives (50,000 random spellings)', () => {
    const random = seededRandom(5);
    const digits = (count: number): string =>
      Array.from({ length: count }, () => Math.floor(random() * 10)).join('');
    const scan = new FlatJsonScanner(['n']);
    for (let i = 0; i < 50_000; i++) {
      const integer =
        random() < 0.2
          ? '0'
          : `${String(1 + Math.floor(random() * 9))}${digits(Math.floor(random() * 18))}`;
      const fraction = random() < 0.5 ? `.${digits(1 + Math.floor(random() * 20))}` : '';
      const exponent =
        random() < 0.2 ? `e${random() < 0.5 ? '-' : '+'}${String(Math.floor(random() * 30))}` : '';
      const spelling = `${random() < 0.3 ? '-' : ''}${integer}${fraction}${exponent}`;
      expect(scan.scan(bytes(`{"n":${spelling}}`))).toBe(true);
      expect(Object.is(scan.low[0], JSON.parse(spelling))).toBe(true);
    }
  });

  it.each([
    ['an unknown property', '{"other":1}'],
    ['a repeated property', '{"seq":1,"seq":2}'],
    ['a nested object', '{"note":{"a":1}}'],
    ['an array of strings', '{"values":["a"]}'],
    ['a nested array', '{"values":[[1]]}'],
    ['an escape sequence', '{"unit":"\\u0041"}'],
    ['a non-ASCII character', '{"unit":"°C"}'],
    ['a control character', '{"unit":"a\tb"}'],
    ['a leading zero', '{"seq":01}'],
    ['a bare minus', '{"seq":-}'],
    ['a fraction without digits', '{"seq":1.}'],
    ['an exponent without digits', '{"seq":1e}'],
    ['a number out of range', '{"seq":1e400}'],
    ['a trailing comma', '{"seq":1,}'],
    ['text after the object', '{"seq":1}x'],
    ['a truncated payload', '{"values":[1,2'],
    ['a byte-order mark', '\ufeff{"seq":1}'],
    ['not an object', '[1]'],
    ['a misspelt literal', '{"ok":tru}'],
  ])('declines %s', (_, text) => {
    expect(scanner.scan(bytes(text))).toBe(false);
  });

  it('reads an empty object', () => {
    expect(scanner.scan(bytes(' { } '))).toBe(true);
    expect(Array.from(scanner.kind).every((kind) => kind === FIELD.absent)).toBe(true);
  });
});

describe('payloadChecks', () => {
  it('covers objects of typed properties with bounds, lengths, enums, date-time and allOf', () => {
    expect(
      payloadChecks({
        type: 'object',
        required: ['t0'],
        additionalProperties: false,
        description: 'annotations and x- extensions are ignored',
        'x-parser-schema-id': 'Block',
        properties: {
          t0: { type: 'string', format: 'date-time', maxLength: 40 },
          level: { type: ['integer', 'null'], minimum: 0, exclusiveMaximum: 10 },
          values: { type: 'array', maxItems: 5, items: { type: 'number', maximum: 600 } },
          quality: { enum: ['good', 'bad'] },
        },
        allOf: [{ properties: { unit: { const: 'A' } } }],
      }),
    ).toBeDefined();
  });

  it.each([
    ['a pattern', { properties: { id: { type: 'string', pattern: '^a' } } }],
    ['multipleOf', { properties: { n: { multipleOf: 2 } } }],
    ['anyOf', { anyOf: [{ required: ['a'] }] }],
    ['a nested object schema', { properties: { o: { type: 'object', properties: {} } } }],
    ['an enum of objects', { properties: { o: { enum: [{ a: 1 }] } } }],
    ['another format', { properties: { e: { type: 'string', format: 'email' } } }],
    ['a schema for additional properties', { additionalProperties: { type: 'number' } }],
    ['a local $ref', { properties: { next: { $ref: '#' } } }],
    ['an unknown keyword', { properties: { n: { nullable: true } } }],
    ['a draft-04 exclusiveMinimum', { properties: { n: { minimum: 0, exclusiveMinimum: true } } }],
    ['a non-object root', { type: 'array' }],
  ])('leaves a schema with %s to ajv', (_, schema) => {
    expect(payloadChecks(schema)).toBeUndefined();
  });
});

describe('FastAcceptance on the welding contract', () => {
  let channels: LoadedChannel[];
  const random = seededRandom(17);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

  beforeAll(async () => {
    const contracts = await loadContracts([WELDING_CONTRACT]);
    channels = contracts.contracts.flatMap((contract) => [...contract.channels]);
  });

  /** The message(s) JSON.parse and ajv find a payload to match: the verdict without the fast path. */
  function matchedByAjv(channel: LoadedChannel, payload: Uint8Array): string | undefined {
    let data: unknown;
    try {
      data = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload)) as unknown;
    } catch {
      return undefined;
    }
    const matched = channel.messages.filter(({ test }) => test === undefined || test(data));
    return matched.length === 1 ? matched[0]?.id : undefined;
  }

  /**
   * Every example payload of the contract's messages, with the channels whose messages they are,
   * and a telemetry block of each signal (its fixed unit).
   */
  function seeds(): { channel: LoadedChannel; payload: Record<string, unknown> }[] {
    const document = parseYaml(readFileSync(WELDING_CONTRACT, 'utf8')) as {
      components: { messages: Record<string, { examples?: { payload: unknown }[] }> };
    };
    const examples = channels.flatMap((channel) =>
      channel.fastAcceptance === undefined
        ? []
        : channel.messages.flatMap(({ id }) =>
            (document.components.messages[id]?.examples ?? []).map(({ payload }) => ({
              channel,
              payload: payload as Record<string, unknown>,
            })),
          ),
    );
    const telemetry = channels.find(({ id }) => id === 'telemetry');
    const blocks = (telemetry?.messages ?? []).map(({ fixedProperties }) => ({
      channel: telemetry as LoadedChannel,
      payload: {
        t0: '2026-12-06T04:00:00.000123Z',
        dtMs: 1,
        unit: fixedProperties.find(({ name }) => name === 'unit')?.values[0],
        values: [1.5, 2, 3.25],
        quality: 'good',
        seq: 4711,
      },
    }));
    return [...examples, ...blocks];
  }

  it('has fast acceptance for the channels whose schemas it covers', () => {
    const fast = channels.filter(({ fastAcceptance }) => fastAcceptance !== undefined);
    expect(fast.map(({ id }) => id)).toEqual(
      expect.arrayContaining(['telemetry', 'state', 'alarm', 'anomaly']),
    );
    expect(channels.find(({ id }) => id === 'sparkplugNode')?.fastAcceptance).toBeUndefined();
  });

  it('accepts every example of the contract, and a block of each signal, as its own message', () => {
    const payloads = seeds();
    expect(payloads.length).toBeGreaterThan(10);
    for (const { channel, payload } of payloads) {
      const encoded = bytes(JSON.stringify(payload));
      const expected = matchedByAjv(channel, encoded);
      expect(expected).toBeDefined();
      expect(channel.fastAcceptance?.accept(encoded)).toBe(expected);
    }
    const telemetry = channels.find(({ id }) => id === 'telemetry');
    const block = bytes(
      '{"t0":"2026-12-06T04:00:00.000123Z","dtMs":1,"unit":"V","values":[21.5,22],"seq":3}',
    );
    expect(telemetry?.fastAcceptance?.accept(block)).toBe('arcVoltage');
  });

  it('never names a message that parsing and ajv would not (30,000 mutated examples)', () => {
    const payloads = seeds();
    const values: unknown[] = [
      0,
      -0,
      1,
      -1,
      0.5,
      25,
      40,
      60,
      600,
      601,
      600.0000000000001,
      3600000,
      3600001,
      2 ** 53,
      '',
      'A',
      'V',
      'm/min',
      'l/min',
      'cm/min',
      'degC',
      'good',
      'bad',
      'unknown',
      'welding',
      '2026-12-06T04:00:00Z',
      '2024-02-29T23:59:59.5Z',
      '2026-02-29T00:00:00Z',
      '2026-12-06T24:00:00Z',
      '2026-12-06t04:00:00z',
      '2026-12-06T04:00:00+01:00',
      true,
      false,
      null,
      [],
      [1.5, 2],
      [0, 700],
      [-1],
      ['a'],
      {},
      { a: 1 },
    ];
    const spellings: readonly ((text: string) => string)[] = [
      (text) => text,
      (text) => text.replace(/(\d)(?=[,}\]])/, '$1.0'),
      (text) => text.replace(/(\d+)(?=[,}\]])/, '$1e0'),
      (text) => text.replace(/":(\d)/, '":0$1'),
      (text) => text.replaceAll(',', ' ,\n\t'),
      (text) => text.replace('"A"', '"\\u0041"'),
      (text) => text.replace(/,"(\w+)":([^,}]+)/, ',"$1":$2,"$1":$2'),
      (text) => text.replace(/}$/, ',}'),
      (text) => text.slice(0, Math.floor(random() * text.length)),
      (text) => {
        const at = Math.floor(random() * text.length);
        return `${text.slice(0, at)}${pick(['"', ',', ':', '1', '-', '.', 'e', ' ', 'é', '\\'])}${text.slice(at + 1)}`;
      },
    ];
    let accepted = 0;
    let validAndDeclined = 0;
    for (let i = 0; i < 30_000; i++) {
      const { channel, payload } = pick(payloads);
      let mutant: Record<string, unknown> = { ...payload };
      for (let change = Math.floor(random() * 3); change > 0; change--) {
        const keys = Object.keys(mutant);
        const roll = random();
        if (roll < 0.6) {
          mutant[pick(keys)] = pick(values);
        } else if (roll < 0.8) {
          const dropped = pick(keys);
          mutant = Object.fromEntries(Object.entries(mutant).filter(([key]) => key !== dropped));
        } else {
          mutant[pick(['extra', 'unit', 'quality', 'seq', 'severity'])] = pick(values);
        }
      }
      const encoded = bytes(pick(spellings)(JSON.stringify(mutant)));
      const fast = channel.fastAcceptance?.accept(encoded);
      const expected = matchedByAjv(channel, encoded);
      if (fast !== undefined) {
        accepted++;
        expect({ payload: encoded.toString(), message: fast }).toEqual({
          payload: encoded.toString(),
          message: expected,
        });
      } else if (expected !== undefined) {
        validAndDeclined++;
      }
    }
    // The mutants reach both sides: many are accepted fast, and some valid ones are left to ajv.
    expect(accepted).toBeGreaterThan(2000);
    expect(validAndDeclined).toBeGreaterThan(100);
  });
});

describe('FastAcceptance of a channel', () => {
  const checks = (schema: object) => payloadChecks(schema);

  it('is not built when one message has a schema it does not cover', () => {
    expect(
      FastAcceptance.of([
        { id: 'plain', checks: checks({ properties: { n: { type: 'number' } } }) },
        { id: 'patterned', checks: checks({ properties: { s: { pattern: 'a+' } } }) },
      ]),
    ).toBeUndefined();
  });

  it('holds a closed object to its own properties, also those of other messages', () => {
    const acceptance = FastAcceptance.of([
      {
        id: 'closed',
        checks: checks({ additionalProperties: false, properties: { a: { type: 'number' } } }),
      },
      { id: 'tagged', checks: checks({ required: ['b'], properties: { b: { const: 'x' } } }) },
    ]);
    expect(acceptance?.accept(bytes('{"a":1}'))).toBe('closed');
    expect(acceptance?.accept(bytes('{"a":1,"b":"x"}'))).toBe('tagged');
    expect(acceptance?.accept(bytes('{"a":1,"b":"y"}'))).toBeUndefined();
  });

  it('names nothing when two messages match (ambiguous) or the date-time is of another form', () => {
    const acceptance = FastAcceptance.of([
      { id: 'reading', checks: checks({ properties: { n: { type: 'number' } } }) },
      { id: 'count', checks: checks({ properties: { n: { type: 'integer' } } }) },
      {
        id: 'stamped',
        checks: checks({ required: ['at'], properties: { at: { format: 'date-time' } } }),
      },
    ]);
    expect(acceptance?.accept(bytes('{"n":1.5}'))).toBe('reading');
    expect(acceptance?.accept(bytes('{"n":2}'))).toBeUndefined();
    expect(
      FastAcceptance.of([
        { id: 'stamped', checks: checks({ properties: { at: { format: 'date-time' } } }) },
      ])?.accept(bytes('{"at":"2026-12-06T05:00:00+01:00"}')),
    ).toBeUndefined();
  });
});
