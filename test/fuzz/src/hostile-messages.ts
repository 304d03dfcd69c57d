/**
 * The fuzz stream: hostile MQTT messages of every kind an attacker or a broken PLC sends, mixed
 * with valid ones, from a seed (the same seed gives the same messages, each tagged with its kind
 * and index). Most hostile messages use topics of the welding contract, so the validator gets past
 * topic matching to decoding and schema validation; topics are always valid MQTT topic names
 * (UTF-8 without NUL, control characters or wildcards, at most 65,535 bytes): a broker disconnects
 * a client that publishes anything else, so the hostile bytes go into payloads.
 */
import { org } from 'sparkplug-payload/lib/sparkplugPayloadProto';
import { encodePayload } from 'sparkplug-payload/lib/sparkplugbpayload';
import { SeededRandom } from './seeded-random';
import {
  assetPath,
  SIGNAL_UNITS,
  SIGNALS,
  SPARKPLUG_GROUP,
  SPARKPLUG_HOST,
  UNKNOWN_ROOT,
} from './uns-layout';

/** Messages the contract accepts. */
export const VALID_KINDS = ['valid-telemetry', 'valid-state', 'valid-alarm'] as const;

/** Hostile messages, by what makes them hostile. */
export const HOSTILE_KINDS = [
  'random-bytes',
  'broken-utf8',
  'deep-json',
  'huge-numbers',
  'proto-keys',
  'wrong-types',
  'bom',
  'sparkplug-garbage',
  'unknown-topic',
  'bad-parameter',
  'long-topic',
  'schema-breaking-block',
  'huge-payload',
] as const;

export type ValidKind = (typeof VALID_KINDS)[number];
export type HostileKind = (typeof HOSTILE_KINDS)[number];
export type MessageKind = ValidKind | HostileKind;

/** One message of the stream. */
export interface FuzzMessage {
  /** Position in the stream (0-based): with the seed, enough to produce the message again. */
  readonly index: number;
  readonly kind: MessageKind;
  readonly topic: string;
  readonly payload: Buffer;
  /**
   * The publisher client that sends it (0 to `publishers - 1`): the messages of one valid stream
   * always go through the same client, so they reach the broker in order.
   */
  readonly publisher: number;
}

/** What {@link fuzzMessages} produces. */
export interface FuzzPlan {
  /** Seed of the pseudo-random choices. */
  readonly seed: number;
  /** Hostile messages, the heavy and huge ones included. */
  readonly hostile: number;
  /** Valid messages, interleaved evenly with the hostile ones. */
  readonly valid: number;
  /**
   * Sizes, in bytes, of JSON telemetry blocks whose every value breaks the schema (spread evenly
   * over the stream).
   */
  readonly heavyBlockBytes: readonly number[];
  /** Sizes, in bytes, of huge payloads (random bytes, oversized blocks, huge strings). */
  readonly hugePayloadBytes: readonly number[];
  /** Publisher clients the messages are spread over. */
  readonly publishers: number;
  /**
   * Cells of the valid streams (one asset each, all six signals).
   * @default VALID_CELLS - `cell-1` to `cell-8`
   */
  readonly validCells?: readonly string[];
}

/** Relative frequency of the light hostile kinds (the heavy and huge ones are placed by count). */
const LIGHT_KIND_WEIGHTS: readonly (readonly [HostileKind, number])[] = [
  ['random-bytes', 10],
  ['broken-utf8', 10],
  ['deep-json', 4],
  ['huge-numbers', 10],
  ['proto-keys', 10],
  ['wrong-types', 12],
  ['bom', 6],
  ['sparkplug-garbage', 12],
  ['unknown-topic', 6],
  ['bad-parameter', 6],
  ['long-topic', 0.3],
];
const LIGHT_WEIGHT_TOTAL = LIGHT_KIND_WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);

/** Cells of the valid streams, and of the hostile messages (kept apart from the valid streams). */
export const VALID_CELLS = Array.from({ length: 8 }, (_, i) => `cell-${i + 1}`);
export const HOSTILE_CELLS = Array.from({ length: 8 }, (_, i) => `cell-x${i + 1}`);
/** Samples per valid telemetry block (1 kHz, so 100 ms of data). */
export const BLOCK_SAMPLES = 100;
/** Data time of the first sample of every stream. */
const START_MS = Date.UTC(2026, 0, 1);
/** Nesting depth of the deep JSON payloads. */
export const DEEP_JSON_DEPTH = 10_000;
/** Byte length the long topics are filled to (the MQTT maximum is 65,535). */
export const LONG_TOPIC_BYTES = 65_000;
/** Plausible level of each signal, inside the contract's range. */
const LEVELS: Readonly<Record<string, number>> = {
  arc_current: 180,
  arc_voltage: 22,
  wire_feed_speed: 8,
  gas_flow: 15,
  travel_speed: 60,
  contact_tip_temperature: 300,
};

/** The number of messages of a plan. */
export function planSize(plan: FuzzPlan): number {
  return plan.hostile + plan.valid;
}

/**
 * The messages of `plan`, in publishing order: valid and hostile interleaved evenly, the heavy
 * blocks and huge payloads spread over the hostile positions. Payloads are built as the stream is
 * read, so a run holds only the messages in flight.
 */
export function* fuzzMessages(plan: FuzzPlan): Generator<FuzzMessage> {
  const total = planSize(plan);
  const random = new SeededRandom(plan.seed);
  const special = placeSpecials(plan);
  const valid = new ValidStreams(plan.validCells ?? VALID_CELLS, plan.publishers);
  let hostileOrdinal = 0;
  for (let index = 0; index < total; index++) {
    const isHostile =
      Math.floor(((index + 1) * plan.hostile) / total) > Math.floor((index * plan.hostile) / total);
    if (!isHostile) {
      yield { index, ...valid.next(random) };
      continue;
    }
    const placed = special.get(hostileOrdinal);
    hostileOrdinal += 1;
    const message =
      placed === undefined
        ? lightHostile(random, pickLightKind(random))
        : placed.kind === 'schema-breaking-block'
          ? schemaBreakingBlock(random, placed.bytes)
          : hugePayload(random, placed.bytes, placed.variant);
    yield { index, ...message, publisher: random.int(plan.publishers) };
  }
}

type Draft = Omit<FuzzMessage, 'index' | 'publisher'>;
type Special = { kind: 'schema-breaking-block' | 'huge-payload'; bytes: number; variant: number };

/** Hostile ordinals of the heavy blocks and huge payloads, spread evenly, never two on one. */
function placeSpecials(plan: FuzzPlan): Map<number, Special> {
  const placed = new Map<number, Special>();
  const place = (sizes: readonly number[], offset: number, kind: Special['kind']) => {
    sizes.forEach((bytes, k) => {
      let ordinal = Math.floor(((k + offset) * plan.hostile) / sizes.length);
      while (placed.has(ordinal)) ordinal += 1;
      if (ordinal >= plan.hostile) throw new Error(`plan has too few hostile messages for ${kind}`);
      placed.set(ordinal, { kind, bytes, variant: k });
    });
  };
  place(plan.heavyBlockBytes, 0.5, 'schema-breaking-block');
  place(plan.hugePayloadBytes, 0.3, 'huge-payload');
  return placed;
}

function pickLightKind(random: SeededRandom): HostileKind {
  let point = random.next() * LIGHT_WEIGHT_TOTAL;
  for (const [kind, weight] of LIGHT_KIND_WEIGHTS) {
    point -= weight;
    if (point < 0) return kind;
  }
  return 'random-bytes';
}

// ---------------------------------------------------------------------------------------------
// Valid messages

/**
 * Valid telemetry streams of a few cells: each cell publishes its six signals block by
 * block (seq-major, back to back in data time), through one publisher, so the inference runtime
 * assembles and scores windows. Now and then a valid state or alarm.
 */
class ValidStreams {
  private turn = 0;
  private readonly seq: number[];
  private readonly signal: number[];

  constructor(
    private readonly cells: readonly string[],
    private readonly publishers: number,
  ) {
    this.seq = cells.map(() => 0);
    this.signal = cells.map(() => 0);
  }

  next(random: SeededRandom): Omit<FuzzMessage, 'index'> {
    const cellIndex = this.turn % this.cells.length;
    this.turn += 1;
    const cell = this.cells[cellIndex] ?? 'cell-1';
    const publisher = cellIndex % this.publishers;
    const roll = random.next();
    if (roll < 0.04) {
      return {
        kind: 'valid-state',
        topic: `${assetPath(cell)}/state`,
        payload: json(validState(random)),
        publisher,
      };
    }
    if (roll < 0.08) {
      return {
        kind: 'valid-alarm',
        topic: `${assetPath(cell)}/alarm`,
        payload: json(validAlarm(random)),
        publisher,
      };
    }
    const signalIndex = this.signal[cellIndex] ?? 0;
    const seq = this.seq[cellIndex] ?? 0;
    const signal = SIGNALS[signalIndex] ?? 'arc_current';
    if (signalIndex + 1 === SIGNALS.length) {
      this.signal[cellIndex] = 0;
      this.seq[cellIndex] = seq + 1;
    } else {
      this.signal[cellIndex] = signalIndex + 1;
    }
    return {
      kind: 'valid-telemetry',
      topic: `${assetPath(cell)}/telemetry/${signal}`,
      payload: json(validBlock(signal, seq)),
      publisher,
    };
  }
}

/** A telemetry block the contract accepts: 100 samples at 1 kHz around the signal's level. */
export function validBlock(signal: string, seq: number): Record<string, unknown> {
  const level = LEVELS[signal] ?? 1;
  const first = seq * BLOCK_SAMPLES;
  const values = Array.from(
    { length: BLOCK_SAMPLES },
    (_, k) => Math.round((level + (level / 20) * Math.sin((first + k) / 7)) * 100) / 100,
  );
  return {
    t0: new Date(START_MS + first).toISOString(),
    dtMs: 1,
    unit: SIGNAL_UNITS[signal],
    values,
    quality: 'good',
    seq,
  };
}

function validState(random: SeededRandom): Record<string, unknown> {
  return {
    ts: new Date(START_MS + random.int(86_400_000)).toISOString(),
    state: random.pick(['idle', 'welding', 'fault', 'maintenance', 'offline']),
    seamId: `S-${random.int(10_000)}`,
    program: `P${random.int(100)}`,
  };
}

function validAlarm(random: SeededRandom): Record<string, unknown> {
  return {
    ts: new Date(START_MS + random.int(86_400_000)).toISOString(),
    code: random.pick(['GAS-LOW', 'WIRE-STUCK', 'ARC-LOST']),
    severity: random.pick(['info', 'warning', 'critical']),
    message: 'Shielding gas flow below 8 l/min',
    active: random.next() < 0.5,
  };
}

// ---------------------------------------------------------------------------------------------
// Hostile messages

/**
 * A telemetry block that looks right except for what a variant breaks. Hostile blocks carry seq 0
 * and one data time, so one the inference runtime takes anyway is a duplicate of its stream's
 * first block, counted, never a gap that holds later blocks back.
 */
function hostileBlock(signal: string): Record<string, unknown> {
  return { ...validBlock(signal, 0), values: [LEVELS[signal] ?? 1, LEVELS[signal] ?? 1] };
}

/** A topic of a hostile cell: mostly telemetry (all six signals), some state and alarm. */
function hostileTopic(random: SeededRandom): { topic: string; channel: string; signal: string } {
  const asset = assetPath(random.pick(HOSTILE_CELLS));
  const roll = random.next();
  if (roll < 0.15) return { topic: `${asset}/state`, channel: 'state', signal: '' };
  if (roll < 0.3) return { topic: `${asset}/alarm`, channel: 'alarm', signal: '' };
  const signal = random.pick(SIGNALS);
  return { topic: `${asset}/telemetry/${signal}`, channel: 'telemetry', signal };
}

/** A payload the channel of `target` would accept (hostile variants then break it). */
function plausible(
  random: SeededRandom,
  target: { channel: string; signal: string },
): Record<string, unknown> {
  if (target.channel === 'state') return validState(random);
  if (target.channel === 'alarm') return validAlarm(random);
  return hostileBlock(target.signal);
}

function lightHostile(random: SeededRandom, kind: HostileKind): Draft {
  switch (kind) {
    case 'random-bytes':
      return randomBytesMessage(random);
    case 'broken-utf8':
      return brokenUtf8(random);
    case 'deep-json':
      return deepJson(random);
    case 'huge-numbers':
      return hugeNumbers(random);
    case 'proto-keys':
      return protoKeys(random);
    case 'wrong-types':
      return wrongTypes(random);
    case 'bom':
      return byteOrderMark(random);
    case 'sparkplug-garbage':
      return sparkplugGarbage(random);
    case 'unknown-topic':
      return unknownTopic(random);
    case 'bad-parameter':
      return badParameter(random);
    case 'long-topic':
      return longTopic(random);
    default:
      throw new Error(`${kind} is not a light kind`);
  }
}

function randomBytesMessage(random: SeededRandom): Draft {
  const length = random.pick([0, 1, 2, 3, 16, 64, 256, 1024, 4096, random.int(2048)]);
  return { kind: 'random-bytes', topic: hostileTopic(random).topic, payload: random.bytes(length) };
}

/** Byte sequences that are not UTF-8 (RFC 3629): stray, overlong, surrogate, truncated, too high. */
const INVALID_UTF8: readonly (readonly number[])[] = [
  [0xc3, 0x28],
  [0xa0, 0xa1],
  [0xe2, 0x28, 0xa1],
  [0xe2, 0x82, 0x28],
  [0xf0, 0x28, 0x8c, 0xbc],
  [0xf8, 0xa1, 0xa1, 0xa1, 0xa1],
  [0xc0, 0xaf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xff],
  [0xfe],
  [0x80],
  [0xf0, 0x9f, 0x98],
];

function brokenUtf8(random: SeededRandom): Draft {
  const target = hostileTopic(random);
  const text = JSON.stringify(plausible(random, target));
  const bad = Buffer.from(random.pick(INVALID_UTF8));
  const variant = random.int(4);
  let payload: Buffer;
  if (variant === 0) {
    // Inside the first string value.
    const at = text.indexOf('":"') + 3;
    payload = Buffer.concat([Buffer.from(text.slice(0, at)), bad, Buffer.from(text.slice(at))]);
  } else if (variant === 1) {
    // Inside a key.
    payload = Buffer.concat([Buffer.from('{"'), bad, Buffer.from(`":1,${text.slice(1)}`)]);
  } else if (variant === 2) {
    // Cut in the middle of a multi-byte character.
    payload = Buffer.concat([Buffer.from(`${text.slice(0, -2)}"ä€`), Buffer.from([0xe2, 0x82])]);
  } else {
    // UTF-16 (little endian), as a Windows tool might write it.
    payload = Buffer.from(text, 'utf16le');
  }
  return { kind: 'broken-utf8', topic: target.topic, payload };
}

function deepJson(random: SeededRandom): Draft {
  const target = hostileTopic(random);
  const depth = DEEP_JSON_DEPTH + random.int(2) * random.int(2_000);
  const variant = random.int(5);
  let text: string;
  if (variant === 0) text = '['.repeat(depth) + ']'.repeat(depth);
  else if (variant === 1) text = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  else if (variant === 2)
    text = '['.repeat(depth); // never closed
  else if (variant === 3) text = '[{"a":'.repeat(depth / 2) + 'null' + '}]'.repeat(depth / 2);
  else {
    const block = JSON.stringify(plausible(random, target));
    text = `${block.slice(0, -1)},"nested":${'['.repeat(depth)}1${']'.repeat(depth)}}`;
  }
  return { kind: 'deep-json', topic: target.topic, payload: Buffer.from(text) };
}

/** Number literals JSON allows but doubles cannot hold, or that are far out of any range. */
const HUGE_NUMBERS: readonly string[] = [
  '1e999',
  '-1e999',
  '1e-999',
  '1e308',
  '-1.7976931348623157e308',
  '4.9e-324',
  '9007199254740993',
  '18446744073709551616',
  '123456789012345678901234567890123456789',
  '-0',
  '0.' + '0'.repeat(400) + '1',
  '9'.repeat(10_000),
];

function hugeNumbers(random: SeededRandom): Draft {
  const target = hostileTopic(random);
  const number = () => random.pick(HUGE_NUMBERS);
  const base = plausible(random, target);
  let text: string;
  if (target.channel === 'telemetry') {
    const field = random.pick(['values', 'seq', 'dtMs', 'all']);
    const values = Array.from({ length: random.between(1, 8) }, number).join(',');
    text = JSON.stringify({ ...base, values: '@values', seq: '@seq', dtMs: '@dtMs' })
      .replace('"@values"', field === 'values' || field === 'all' ? `[${values}]` : '[1,2]')
      .replace('"@seq"', field === 'seq' || field === 'all' ? number() : '0')
      .replace('"@dtMs"', field === 'dtMs' || field === 'all' ? number() : '1');
  } else {
    const key = target.channel === 'state' ? 'state' : 'active';
    text = JSON.stringify({ ...base, [key]: '@n', ts: '@n' }).replaceAll('"@n"', number());
  }
  return { kind: 'huge-numbers', topic: target.topic, payload: Buffer.from(text) };
}

function protoKeys(random: SeededRandom): Draft {
  const target = hostileTopic(random);
  const base = JSON.stringify(plausible(random, target));
  const rest = base.slice(1);
  const variant = random.int(7);
  let text: string;
  if (variant === 0)
    text = `{"__proto__":${base}}`; // the required fields only through the prototype
  else if (variant === 1) text = `{"__proto__":{"polluted":true,"valid":true},${rest}`;
  else if (variant === 2) text = `{"constructor":{"prototype":{"polluted":true}},${rest}`;
  else if (variant === 3) text = `{"__proto__":null,${rest}`;
  else if (variant === 4) text = `{"toString":1,"valueOf":"x","hasOwnProperty":null,${rest}`;
  else if (variant === 5)
    text = `{"__proto__":{"__proto__":{"__proto__":{"isAdmin":true}}},"values":{"__proto__":[1,2,3]},${rest}`;
  else text = base.replace('{', '{"__proto__":[],"constructor":"x","prototype":{},');
  return { kind: 'proto-keys', topic: target.topic, payload: Buffer.from(text) };
}

function wrongTypes(random: SeededRandom): Draft {
  const target = hostileTopic(random);
  const base = plausible(random, target);
  const wholes = ['null', 'true', '42', '"block"', '[]', '{}', `[${JSON.stringify(base)}]`];
  const variant = random.int(wholes.length + 3);
  let text: string;
  if (variant < wholes.length) {
    text = wholes[variant] ?? 'null';
  } else if (target.channel === 'telemetry') {
    const field = random.pick([
      ['values', '"1,2,3"'],
      ['values', '{"0":1}'],
      ['values', '[true,null,"1",[],{}]'],
      ['seq', '"1"'],
      ['seq', '1.5'],
      ['seq', '-1'],
      ['t0', '12345'],
      ['t0', '"not a date"'],
      ['dtMs', '"1"'],
      ['dtMs', '0'],
      ['unit', '1'],
      ['unit', '"furlongs"'],
      ['quality', '3'],
    ] as const);
    text = JSON.stringify({ ...base, [field[0]]: '@x' }).replace('"@x"', field[1]);
  } else {
    const key = random.pick(Object.keys(base));
    // A value of another JSON type than the field's.
    const others = ['7', '"yes"', 'false', 'null', '["x"]', '{"a":1}'].filter(
      (literal) => typeof JSON.parse(literal) !== typeof base[key],
    );
    text = JSON.stringify({ ...base, [key]: '@x' }).replace('"@x"', random.pick(others));
  }
  return { kind: 'wrong-types', topic: target.topic, payload: Buffer.from(text) };
}

function byteOrderMark(random: SeededRandom): Draft {
  const target = hostileTopic(random);
  const text = JSON.stringify(plausible(random, target));
  const mark = random.pick([
    [0xef, 0xbb, 0xbf],
    [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf],
    [0xff, 0xfe],
    [0xfe, 0xff],
  ]);
  return {
    kind: 'bom',
    topic: target.topic,
    payload: Buffer.concat([Buffer.from(mark), Buffer.from(text)]),
  };
}

const SPARKPLUG_VERBS = ['NBIRTH', 'NDATA', 'NDEATH', 'NCMD', 'DBIRTH', 'DDATA', 'DDEATH', 'DCMD'];

function sparkplugTopic(random: SeededRandom, edgeNode?: string): string {
  if (random.next() < 0.05) return `spBv1.0/STATE/${SPARKPLUG_HOST}`;
  const verb = random.next() < 0.05 ? 'BOGUS' : random.pick(SPARKPLUG_VERBS);
  const node = edgeNode ?? `node-${random.int(16)}`;
  return verb.startsWith('D')
    ? `spBv1.0/${SPARKPLUG_GROUP}/${verb}/${node}/dev-${random.int(4)}`
    : `spBv1.0/${SPARKPLUG_GROUP}/${verb}/${node}`;
}

/** 2,000 metrics, all on one alias (built once: encoding it costs milliseconds). */
let manyMetrics: Uint8Array | undefined;

function sparkplugPayload(random: SeededRandom): Uint8Array {
  const Payload = org.eclipse.tahu.protobuf.Payload;
  const well = () =>
    encodePayload({
      timestamp: START_MS,
      seq: random.int(256),
      metrics: [
        { name: 'bdSeq', type: 'UInt64', value: random.int(256) },
        { name: 'Temperature', alias: 1, type: 'Double', value: 21.5 },
      ],
    });
  switch (random.int(9)) {
    case 0:
      return random.bytes(random.int(512));
    case 1: {
      const whole = well();
      return whole.subarray(0, random.int(whole.length));
    }
    case 2:
      return well(); // well formed, out of any session order
    case 3: // a Double metric carrying a string
      return Payload.encode({
        timestamp: 1,
        seq: 1,
        metrics: [{ name: 'Temperature', alias: 1, datatype: 10, stringValue: 'hot' }],
      }).finish();
    case 4: // seq far beyond 255, datatype unknown
      return Payload.encode({
        seq: Number.MAX_SAFE_INTEGER,
        metrics: [{ name: 'x', datatype: 9_999, intValue: 1 }],
      }).finish();
    case 5: // a varint that never ends
      return Buffer.alloc(11, 0xff);
    case 6: // one metrics field claiming 2 GB
      return Buffer.from([0x12, 0xff, 0xff, 0xff, 0xff, 0x07, 0x01, 0x02]);
    case 7:
      return (manyMetrics ??= Payload.encode({
        seq: 0,
        metrics: Array.from({ length: 2_000 }, (_, i) => ({
          name: `m${i}`,
          alias: 1,
          datatype: 3,
          intValue: i,
        })),
      }).finish());
    default:
      return Buffer.from(JSON.stringify({ online: 'yes', timestamp: '1e999' }));
  }
}

function sparkplugGarbage(random: SeededRandom): Draft {
  return {
    kind: 'sparkplug-garbage',
    topic: sparkplugTopic(random),
    payload: Buffer.from(sparkplugPayload(random)),
  };
}

function unknownTopic(random: SeededRandom): Draft {
  const levels = Array.from({ length: random.between(1, 12) }, () =>
    random.pick(['x', 'telemetry', 'acme', 'fuzz', 'ä€𝄞', '中文', '..', ' ', '', 'state']),
  );
  const payload =
    random.next() < 0.5
      ? random.bytes(random.int(256))
      : json(plausible(random, { channel: 'telemetry', signal: 'arc_current' }));
  return { kind: 'unknown-topic', topic: `${UNKNOWN_ROOT}/${levels.join('/')}`, payload };
}

/** Levels that break the contract's `x-pattern` of area and line (`^[a-z][a-z0-9-]{0,31}$`). */
const BAD_LEVELS = ['Body-Shop', 'körper-bau', '-x', 'a'.repeat(33), '1st', 'a b', '', '.'];

function badParameter(random: SeededRandom): Draft {
  const signal = random.pick(SIGNALS);
  const level = random.pick(BAD_LEVELS);
  const variant = random.int(3);
  const topic =
    variant === 0
      ? `acme/fuzz/${level}/body-weld-1/cell-x1/welder-1/telemetry/${signal}`
      : variant === 1
        ? `acme/fuzz/body-shop/${level}/cell-x1/welder-1/telemetry/${signal}`
        : `acme/fuzz/body-shop/body-weld-1/cell-x1/welder-1/telemetry/${random.pick([
            'arc_current2',
            'ARC_CURRENT',
            'temperature',
            '',
          ])}`;
  return { kind: 'bad-parameter', topic, payload: json(hostileBlock(signal)) };
}

/** A topic level of valid UTF-8 (1 to 4 bytes a character) filling `bytes` bytes. */
export function longLevel(bytes: number, seed: string): string {
  const pattern = `${seed}-äb€c𝄞中`;
  const level = pattern.repeat(Math.floor(bytes / Buffer.byteLength(pattern)));
  return level + 'z'.repeat(bytes - Buffer.byteLength(level));
}

/** The same few long levels over and over: the components see long topics, not endless assets. */
const LONG_LEVELS = new Map<string, string>();
function cachedLongLevel(bytes: number, seed: string): string {
  const key = `${bytes}:${seed}`;
  let level = LONG_LEVELS.get(key);
  if (level === undefined) {
    level = longLevel(bytes, seed);
    LONG_LEVELS.set(key, level);
  }
  return level;
}

function longTopic(random: SeededRandom): Draft {
  const id = String(random.int(4));
  const fill = (prefix: string, suffix: string) =>
    cachedLongLevel(LONG_TOPIC_BYTES - Buffer.byteLength(prefix + suffix), id);
  const block = () => json(hostileBlock('arc_current'));
  switch (random.int(5)) {
    case 0: {
      const [prefix, suffix] = [
        'acme/fuzz/',
        '/body-weld-1/cell-x1/welder-1/telemetry/arc_current',
      ];
      return {
        kind: 'long-topic',
        topic: prefix + fill(prefix, suffix) + suffix,
        payload: block(),
      };
    }
    case 1: {
      // The asset level has no pattern: a valid topic, 65 KB long.
      const [prefix, suffix] = [
        'acme/fuzz/body-shop/body-weld-1/cell-x1/',
        '/telemetry/arc_current',
      ];
      return {
        kind: 'long-topic',
        topic: prefix + fill(prefix, suffix) + suffix,
        payload: block(),
      };
    }
    case 2: {
      const [prefix, suffix] = ['acme/fuzz/body-shop/body-weld-1/', '/welder-1/state'];
      return {
        kind: 'long-topic',
        topic: prefix + fill(prefix, suffix) + suffix,
        payload: json(validState(random)),
      };
    }
    case 3: {
      // 100 levels of 640 bytes each under the unknown root.
      const level = cachedLongLevel(640, id);
      return {
        kind: 'long-topic',
        topic: `${UNKNOWN_ROOT}/${Array.from({ length: 100 }, () => level).join('/')}`,
        payload: random.bytes(64),
      };
    }
    default: {
      const prefix = `spBv1.0/${SPARKPLUG_GROUP}/NDATA/`;
      return {
        kind: 'long-topic',
        topic: prefix + fill(prefix, ''),
        payload: Buffer.from(sparkplugPayload(random)),
      };
    }
  }
}

/**
 * A JSON telemetry block of `bytes` bytes whose every value breaks the schema: a bad date, a
 * negative interval, a foreign unit and quality, a negative seq, and values that are out of range,
 * strings, booleans or null, far beyond the 5,000 allowed. Judged in full, each value is a schema
 * error of its own.
 */
export function schemaBreakingBlockPayload(bytes: number): Buffer {
  const head =
    '{"t0":"yesterday","dtMs":-1,"unit":"furlongs","quality":"awful","seq":-1,"values":[';
  const tail = '-1]}';
  const unit = '-1,"NaN",1e9,true,null,';
  const room = bytes - head.length - tail.length;
  if (room < 0) throw new Error(`a schema-breaking block needs at least ${bytes - room} bytes`);
  const body = unit.repeat(Math.floor(room / unit.length));
  return Buffer.from(head + body + ' '.repeat(room - body.length) + tail);
}

function schemaBreakingBlock(random: SeededRandom, bytes: number): Draft {
  const signal = random.pick(SIGNALS);
  return {
    kind: 'schema-breaking-block',
    topic: `${assetPath(random.pick(HOSTILE_CELLS))}/telemetry/${signal}`,
    payload: schemaBreakingBlockPayload(bytes),
  };
}

/** A payload of exactly `bytes` bytes: random bytes, an oversized block, or a huge string. */
function hugePayload(random: SeededRandom, bytes: number, variant: number): Draft {
  const topic = `${assetPath(random.pick(HOSTILE_CELLS))}/telemetry/arc_current`;
  let payload: Buffer;
  if (variant % 3 === 0) {
    payload = random.bytes(bytes);
  } else if (variant % 3 === 1) {
    const head = `{"t0":"2026-01-01T00:00:00.000Z","dtMs":1,"unit":"A","seq":0,"values":[`;
    const tail = '212.5]}';
    const room = bytes - head.length - tail.length;
    const values = '212.5,'.repeat(Math.floor(room / 6));
    payload = Buffer.from(head + values + ' '.repeat(room - values.length) + tail);
  } else {
    const head = '{"t0":"2026-01-01T00:00:00.000Z","dtMs":1,"values":[1],"seq":0,"unit":"';
    payload = Buffer.from(head + 'A'.repeat(bytes - head.length - 2) + '"}');
  }
  return { kind: 'huge-payload', topic, payload };
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}
