import { decodeHeaders, mskEvent, mskRecord } from '../src';

const fields = {
  topic: 'uns.telemetry',
  key: 'acme/zwickau/body-shop/body-weld-1/cell-010/welder-1',
  value: '{"values":[1]}',
  headers: { 'uns-topic': 'acme/zwickau/x/telemetry/arc_current', 'uns-contract-version': 'ü 1.0' },
  partition: 3,
  offset: 7,
  timestamp: 1_700_000_000_000,
};

describe('MSK records', () => {
  it('decode their header bytes back to the text that was sent, UTF-8 included', () => {
    expect(Object.fromEntries(decodeHeaders(mskRecord(fields).headers))).toEqual(fields.headers);
  });

  it('decode no headers to an empty map', () => {
    expect(decodeHeaders(undefined).size).toBe(0);
  });

  it('carry key and value base64, as the event source mapping does', () => {
    const record = mskRecord(fields);
    expect(Buffer.from(record.key, 'base64').toString()).toBe(fields.key);
    expect(Buffer.from(record.value, 'base64').toString()).toBe(fields.value);
    expect(mskRecord({ ...fields, key: null }).key).toBeUndefined();
  });

  it('are grouped by topic and partition in an event', () => {
    const event = mskEvent([
      mskRecord(fields),
      mskRecord({ ...fields, offset: 8 }),
      mskRecord({ ...fields, partition: 4 }),
    ]);
    expect(Object.keys(event.records)).toEqual(['uns.telemetry-3', 'uns.telemetry-4']);
    expect(event.records['uns.telemetry-3']!.map((record) => record.offset)).toEqual([7, 8]);
  });
});
