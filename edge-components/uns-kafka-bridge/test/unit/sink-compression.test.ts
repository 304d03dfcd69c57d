import { gunzipSync, gzipSync } from 'node:zlib';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import pino from 'pino';
import { DEFAULT_CONFIG } from '../../src/config/config';
import { KafkaSink } from '../../src/kafka/sink';

/** A record batch's bytes as kafkajs hands them to its codec (an Encoder's `buffer`). */
const records = {
  buffer: Buffer.from(
    Array.from({ length: 200 }, (_, seq) =>
      JSON.stringify({ seq, values: [181.5, 183, 184.5, 186], quality: 'good' }),
    ).join(''),
  ),
};

async function gzipThroughKafkajs(): Promise<Buffer> {
  const codec = (
    CompressionCodecs[CompressionTypes.GZIP] as () => {
      compress: (encoder: { buffer: Buffer }) => Promise<Buffer>;
    }
  )();
  return codec.compress(records);
}

describe('the Kafka sink compression', () => {
  it.each([1, 9])('gzips record batches at kafka.gzipLevel %i', async (gzipLevel) => {
    new KafkaSink({ ...DEFAULT_CONFIG.kafka, gzipLevel }, {}, pino({ level: 'silent' }));
    const compressed = await gzipThroughKafkajs();
    expect(compressed.equals(gzipSync(records.buffer, { level: gzipLevel }))).toBe(true);
    expect(gunzipSync(compressed).equals(records.buffer)).toBe(true);
  });
});
