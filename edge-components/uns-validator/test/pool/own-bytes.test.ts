import { ownBytes } from '../../src/pool';

describe('ownBytes', () => {
  it('keeps a view that spans its whole buffer', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    expect(ownBytes(bytes)).toBe(bytes);
  });

  it('copies a slice of a larger buffer into a compact one', () => {
    const chunk = Buffer.alloc(65_536, 7);
    const payload = chunk.subarray(100, 160);
    const owned = ownBytes(payload);
    expect(owned.buffer.byteLength).toBe(60);
    expect(Buffer.from(owned).equals(payload)).toBe(true);
    expect(structuredClone(owned).buffer.byteLength).toBe(60);
  });
});
