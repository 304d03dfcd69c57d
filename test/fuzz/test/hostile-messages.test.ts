import {
  fuzzMessages,
  HOSTILE_KINDS,
  LONG_TOPIC_BYTES,
  planSize,
  schemaBreakingBlockPayload,
  VALID_KINDS,
  type FuzzMessage,
  type FuzzPlan,
} from '../src/hostile-messages';
import { matchesAny, PUBLISHED_FILTERS } from '../src/uns-layout';

const MIB = 2 ** 20;
const PLAN: FuzzPlan = {
  seed: 3,
  hostile: 6_000,
  valid: 3_000,
  heavyBlockBytes: [MIB, 1.5 * MIB],
  hugePayloadBytes: [2 * MIB, 3 * MIB, 4 * MIB],
  publishers: 4,
};
const messages: FuzzMessage[] = [...fuzzMessages(PLAN)];
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Whether `text` has one of U+0000 to U+001F and U+007F to U+009F (a broker refuses them). */
function hasControlCharacter(text: string): boolean {
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

describe('the hostile message stream', () => {
  it('produces the same messages from the same seed', () => {
    const again = [...fuzzMessages(PLAN)];
    expect(again.length).toBe(messages.length);
    for (const [i, message] of messages.entries()) {
      expect(again[i]?.topic).toBe(message.topic);
      expect(again[i]?.payload.equals(message.payload)).toBe(true);
    }
  });

  it('interleaves exactly the planned numbers of hostile and valid messages, indexed in order', () => {
    const valid = messages.filter((m) => (VALID_KINDS as readonly string[]).includes(m.kind));
    expect(messages.length).toBe(planSize(PLAN));
    expect(valid.length).toBe(PLAN.valid);
    expect(messages.map((m) => m.index)).toEqual(messages.map((_, i) => i));
  });

  it('has every hostile kind', () => {
    const kinds = new Set(messages.map((m) => m.kind));
    for (const kind of [...HOSTILE_KINDS, ...VALID_KINDS]) expect(kinds).toContain(kind);
  });

  it('makes the heavy blocks and the huge payloads exactly as large as planned', () => {
    const sizes = (kind: string) =>
      messages.filter((m) => m.kind === kind).map((m) => m.payload.length);
    expect(sizes('schema-breaking-block')).toEqual(PLAN.heavyBlockBytes);
    expect(sizes('huge-payload')).toEqual(PLAN.hugePayloadBytes);
  });

  it('publishes only on topic names a broker accepts, all of them on the subscribed filters', () => {
    for (const { topic } of messages) {
      const bytes = Buffer.from(topic);
      expect(UTF8.decode(bytes)).toBe(topic);
      expect(bytes.length).toBeGreaterThan(0);
      expect(bytes.length).toBeLessThanOrEqual(65_535);
      // No wildcard, no NUL or other control character (Mosquitto refuses them), few levels.
      expect(topic).not.toMatch(/[+#]/);
      expect(hasControlCharacter(topic)).toBe(false);
      expect(topic.split('/').length).toBeLessThanOrEqual(200);
      expect(matchesAny(PUBLISHED_FILTERS, topic)).toBe(true);
    }
    const longest = Math.max(...messages.map((m) => Buffer.byteLength(m.topic)));
    expect(longest).toBe(LONG_TOPIC_BYTES);
  });

  it('keeps each valid stream on one publisher, so its blocks arrive in order', () => {
    const publisherOf = new Map<string, number>();
    for (const message of messages.filter((m) => m.kind === 'valid-telemetry')) {
      expect(publisherOf.get(message.topic) ?? message.publisher).toBe(message.publisher);
      publisherOf.set(message.topic, message.publisher);
    }
    expect(new Set(publisherOf.values()).size).toBe(PLAN.publishers);
  });

  it('numbers the blocks of each valid stream 0, 1, 2, … in publishing order', () => {
    const next = new Map<string, number>();
    for (const message of messages.filter((m) => m.kind === 'valid-telemetry')) {
      const { seq } = JSON.parse(message.payload.toString()) as { seq: number };
      expect(seq).toBe(next.get(message.topic) ?? 0);
      next.set(message.topic, seq + 1);
    }
  });

  it('builds schema-breaking blocks of the exact size in which no value is a valid sample', () => {
    const payload = schemaBreakingBlockPayload(MIB);
    const block = JSON.parse(payload.toString()) as { values: unknown[] };
    expect(payload.length).toBe(MIB);
    expect(block.values.length).toBeGreaterThan(5_000);
    // 0 to 40 lies within the range of every signal.
    expect(block.values.filter((v) => typeof v === 'number' && v >= 0 && v <= 40)).toEqual([]);
  });
});
