/** Text stored with a violation sample: the start of the payload, and NUL-free strings. */

/** A payload excerpt: text when the payload is UTF-8 text, else base64 of its first bytes. */
export interface PayloadExcerpt {
  readonly encoding: 'utf8' | 'base64';
  readonly text: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The first `maxBytes` bytes of `payload`: as text when they are valid UTF-8 without NUL (which
 * PostgreSQL's `text` cannot hold), cut before a character the limit splits; else as base64.
 */
export function payloadExcerpt(payload: Uint8Array, maxBytes: number): PayloadExcerpt {
  let head = payload.subarray(0, maxBytes);
  if (head.byteLength < payload.byteLength) head = head.subarray(0, completeUtf8Length(head));
  const text = decodeUtf8(head);
  if (text !== undefined && !text.includes('\u0000')) return { encoding: 'utf8', text };
  const bytes = payload.subarray(0, maxBytes);
  return {
    encoding: 'base64',
    text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
  };
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** The length of `bytes` without a trailing UTF-8 sequence the cut left incomplete. */
function completeUtf8Length(bytes: Uint8Array): number {
  let start = bytes.byteLength - 1;
  // Step back over continuation bytes (10xxxxxx) to the last sequence's lead byte.
  while (start > 0 && bytes.byteLength - start < 4 && ((bytes[start] ?? 0) & 0xc0) === 0x80)
    start--;
  const lead = bytes[start] ?? 0;
  const sequenceLength = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return bytes.byteLength - start < sequenceLength ? start : bytes.byteLength;
}

/**
 * `text` with NUL characters replaced by U+FFFD: PostgreSQL's `text` rejects NUL, and one such
 * string (e.g. a JSON Pointer to a key containing `\u0000`) would fail every retry of its batch.
 */
export function storableText(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}
