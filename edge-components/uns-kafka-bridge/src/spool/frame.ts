import { crc32 } from 'node:zlib';
import type { BridgeRecord } from '../bridge/record';

/**
 * On-disk framing of spooled records: `u32 body length | u32 CRC-32 of body | body`, the body
 * holding (all big-endian, strings UTF-8 with u16 lengths) a format version, the timestamp (f64),
 * topic, key, the headers (u8 count, name/value pairs) and the value (u32 length + bytes). The CRC
 * finds a torn write at the end of a segment after a crash.
 */
export const FRAME_HEADER_BYTES = 8;
const FORMAT_VERSION = 1;

/** Encodes a record into one frame. */
export function encodeFrame(record: BridgeRecord): Buffer {
  const topic = Buffer.from(record.topic, 'utf8');
  const key = Buffer.from(record.key, 'utf8');
  const headers = Object.entries(record.headers).flatMap(([name, value]) => [
    Buffer.from(name, 'utf8'),
    Buffer.from(value, 'utf8'),
  ]);
  const strings = [topic, key, ...headers];
  const bodyLength =
    1 + 8 + 1 + strings.reduce((sum, bytes) => sum + 2 + bytes.length, 0) + 4 + record.value.length;
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + bodyLength);
  frame.writeUInt32BE(bodyLength, 0);
  let at = FRAME_HEADER_BYTES;
  at = frame.writeUInt8(FORMAT_VERSION, at);
  at = frame.writeDoubleBE(record.timestamp, at);
  const writeString = (bytes: Buffer) => {
    if (bytes.length > 0xffff) throw new RangeError('spooled strings are at most 65535 bytes');
    at = frame.writeUInt16BE(bytes.length, at);
    at += bytes.copy(frame, at);
  };
  writeString(topic);
  writeString(key);
  at = frame.writeUInt8(headers.length / 2, at);
  for (const bytes of headers) writeString(bytes);
  at = frame.writeUInt32BE(record.value.length, at);
  record.value.copy(frame, at);
  frame.writeUInt32BE(crc32(frame.subarray(FRAME_HEADER_BYTES)), 4);
  return frame;
}

/** A frame read from a buffer: the record and the bytes it took, or why none could be read. */
export type DecodedFrame =
  | { readonly ok: true; readonly record: BridgeRecord; readonly bytes: number }
  | { readonly ok: false; readonly reason: 'incomplete' | 'corrupt' };

/** Decodes the frame starting at `offset` of `buffer`. */
export function decodeFrame(buffer: Buffer, offset: number): DecodedFrame {
  if (buffer.length - offset < FRAME_HEADER_BYTES) return { ok: false, reason: 'incomplete' };
  const bodyLength = buffer.readUInt32BE(offset);
  const end = offset + FRAME_HEADER_BYTES + bodyLength;
  if (end > buffer.length) return { ok: false, reason: 'incomplete' };
  const body = buffer.subarray(offset + FRAME_HEADER_BYTES, end);
  if (crc32(body) !== buffer.readUInt32BE(offset + 4) || body[0] !== FORMAT_VERSION)
    return { ok: false, reason: 'corrupt' };
  let at = 1;
  const timestamp = body.readDoubleBE(at);
  at += 8;
  const readString = () => {
    const length = body.readUInt16BE(at);
    at += 2;
    const text = body.toString('utf8', at, at + length);
    at += length;
    return text;
  };
  const topic = readString();
  const key = readString();
  const headerCount = body.readUInt8(at);
  at += 1;
  const headers: Record<string, string> = {};
  for (let index = 0; index < headerCount; index += 1) {
    const name = readString();
    headers[name] = readString();
  }
  const valueLength = body.readUInt32BE(at);
  at += 4;
  const value = Buffer.from(body.subarray(at, at + valueLength));
  return { ok: true, record: { topic, key, value, timestamp, headers }, bytes: end - offset };
}
