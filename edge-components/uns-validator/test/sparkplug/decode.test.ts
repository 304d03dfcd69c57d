import { decodeSparkplugPayload, type DecodedPayload } from '../../src/sparkplug';
import { T0, encode, encodeRaw, nbirth } from './fixtures';

function decoded(bytes: Uint8Array): DecodedPayload {
  const result = decodeSparkplugPayload(bytes);
  if ('error' in result) throw new Error(result.error.message);
  return result.payload;
}

describe('decodeSparkplugPayload', () => {
  it('decodes timestamp, seq and metrics with 64-bit fields as numbers', () => {
    const payload = decoded(nbirth({ bdSeq: 7 }));
    expect(payload.timestamp).toBe(T0);
    expect(payload.seq).toBe(0);
    expect(payload.metrics[0]).toEqual({
      name: 'bdSeq',
      alias: undefined,
      datatype: 'UInt64',
      value: 7,
      isNull: false,
    });
    expect(payload.metrics[2]).toEqual({
      name: 'Temperature',
      alias: 1,
      datatype: 'Double',
      value: 21.5,
      isNull: false,
    });
  });

  it('reads Int8/16/32 and Int64 as signed, and uint64 beyond 2^53 as bigint', () => {
    const payload = decoded(
      encodeRaw({
        metrics: [
          { alias: 1, datatype: 1, intValue: 0xffffffff },
          { alias: 2, datatype: 4, longValue: { low: -2, high: -1, unsigned: true } as never },
          { alias: 3, datatype: 8, longValue: { low: -1, high: -1, unsigned: true } as never },
          { alias: 4, datatype: 5, intValue: 200 },
        ],
      }),
    );
    expect(payload.metrics.map((metric) => metric.value)).toEqual([-1, -2, 2n ** 64n - 1n, 200]);
  });

  it('gives null for is_null, undefined for no value, and the raw code for an unknown datatype', () => {
    const payload = decoded(encode({ metrics: [{ name: 'Empty', type: 'Float', value: null }] }));
    expect(payload.metrics[0]).toMatchObject({ value: null, isNull: true });
    const raw = decoded(encodeRaw({ metrics: [{ name: 'Odd', datatype: 99 }] }));
    expect(raw.metrics[0]).toMatchObject({ datatype: 99, value: undefined });
    expect(raw.timestamp).toBeUndefined();
    expect(raw.seq).toBeUndefined();
  });

  it('never throws: empty, truncated and random bytes give unparseable-payload', () => {
    const birth = nbirth();
    for (const bytes of [
      new Uint8Array(0),
      birth.subarray(0, birth.length / 2),
      Uint8Array.from([0xff, 0xff, 0xff]),
    ]) {
      const result = decodeSparkplugPayload(bytes);
      expect('error' in result ? result.error : result).toMatchObject({
        kind: 'unparseable-payload',
        path: '',
      });
    }
    let seed = 42;
    const nextByte = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) & 0xff;
    for (let i = 0; i < 2_000; i++) {
      const bytes = Uint8Array.from({ length: 1 + (i % 64) }, nextByte);
      expect(() => decodeSparkplugPayload(bytes)).not.toThrow();
    }
  });
});
