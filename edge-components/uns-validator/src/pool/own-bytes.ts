/** Cheap cross-thread payloads. */

/**
 * Returns `bytes` itself when it spans its whole `ArrayBuffer`, else a compact `Uint8Array` copy. Structured
 * cloning (every `postMessage`) copies the entire buffer behind a view: a 60-byte MQTT payload that
 * is a `Buffer` slice of a 64 KiB socket chunk (or of Node's 8 KiB buffer pool) would otherwise
 * cross the thread boundary as 64 KiB. Call it on payloads before putting them in a task.
 */
export function ownBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes
    : new Uint8Array(bytes); // Not `slice()`: `Buffer#slice` returns a view, not a copy.
}
