/**
 * The intake: what record a received message becomes. Payloads are bytes and stay bytes; a
 * message over `kafka.maxRecordBytes` becomes a dead letter without its payload, which says why,
 * how large the payload was and where it came from.
 */
import { randomBytes } from 'node:crypto';
import { HEADERS, Intake, RECORD_TOO_LARGE } from '../../src/bridge/intake';
import { DEFAULT_CONFIG } from '../../src/config/config';
import { Router } from '../../src/mapping/router';

const ASSET = 'acme/zwickau/body-shop/body-weld-1/cell-1/welder-1';
const DEAD_LETTER = DEFAULT_CONFIG.mapping.fallbackTopic;
const MAX_RECORD_BYTES = 10_000;

const intake = new Intake(new Router(DEFAULT_CONFIG.mapping), {
  contractVersion: '1.2.3',
  maxRecordBytes: MAX_RECORD_BYTES,
  deadLetterTopic: DEAD_LETTER,
});

it('forwards any payload byte for byte, never decoding it: empty, random, broken UTF-8, a byte-order mark', () => {
  for (const payload of [
    Buffer.alloc(0),
    randomBytes(4096),
    Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0x80]),
    Buffer.from('\uFEFF{"a":1}'),
  ]) {
    const record = intake.record(`${ASSET}/state`, payload, false);
    expect(record?.topic).toBe('uns.state');
    expect(record?.value.equals(payload)).toBe(true);
  }
});

it('forwards a record of exactly kafka.maxRecordBytes as it is', () => {
  const probe = intake.record(`${ASSET}/state`, Buffer.alloc(0), false)!;
  const payload = randomBytes(MAX_RECORD_BYTES - Intake.size(probe));
  const record = intake.record(`${ASSET}/state`, payload, false)!;
  expect(Intake.size(record)).toBe(MAX_RECORD_BYTES);
  expect(record.topic).toBe('uns.state');
  expect(record.value.equals(payload)).toBe(true);
});

it('turns a message one byte over kafka.maxRecordBytes into a dead letter without its payload, with the reason, the payload size, the MQTT topic and the intended Kafka topic', () => {
  const probe = intake.record(`${ASSET}/state`, Buffer.alloc(0), false)!;
  const payload = randomBytes(MAX_RECORD_BYTES - Intake.size(probe) + 1);
  const record = intake.record(`${ASSET}/state`, payload, true)!;
  expect(record).toMatchObject({
    topic: DEAD_LETTER,
    key: ASSET,
    headers: {
      [HEADERS.topic]: `${ASSET}/state`,
      [HEADERS.deadLetterReason]: RECORD_TOO_LARGE,
      [HEADERS.originalBytes]: String(payload.length),
      [HEADERS.intendedTopic]: 'uns.state',
      [HEADERS.contractVersion]: '1.2.3',
      [HEADERS.redelivered]: 'true',
    },
  });
  expect(record.value).toHaveLength(0);
  expect(record.headers[HEADERS.messageId]).toMatch(/^[0-9a-f]{12}-\d+$/);
});

it('dead-letters an oversized unmapped message as too large, keyed by its topic, with no intended topic', () => {
  const record = intake.record('plant/notes/large', randomBytes(2 * MAX_RECORD_BYTES), false)!;
  expect(record).toMatchObject({
    topic: DEAD_LETTER,
    key: 'plant/notes/large',
    headers: {
      [HEADERS.deadLetterReason]: RECORD_TOO_LARGE,
      [HEADERS.originalBytes]: String(2 * MAX_RECORD_BYTES),
    },
  });
  expect(record.headers[HEADERS.intendedTopic]).toBeUndefined();
  expect(record.value).toHaveLength(0);
});

it('keeps the dead letter of a 16 MB payload on a 64 KB topic to the size of its key and headers', () => {
  const topic = `${ASSET}/telemetry/${'x'.repeat(65_535 - ASSET.length - 11)}`;
  expect(Buffer.byteLength(topic)).toBe(65_535);
  const record = intake.record(topic, Buffer.alloc(16 * 1024 ** 2), false)!;
  expect(record.topic).toBe(DEAD_LETTER);
  expect(record.headers[HEADERS.topic]).toBe(topic);
  expect(Intake.size(record)).toBeLessThan(65_535 + 1024);
});
