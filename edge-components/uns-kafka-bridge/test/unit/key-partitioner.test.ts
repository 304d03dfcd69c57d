import { Partitioners, type PartitionerArgs } from 'kafkajs';
import { cachingKeyPartitioner } from '../../src/kafka/key-partitioner';

const partitions = (count: number): PartitionerArgs['partitionMetadata'] =>
  Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: 1,
    partitionErrorCode: 0,
    replicas: [1],
    isr: [1],
  }));
const keys = Array.from(
  { length: 200 },
  (_, i) => `acme/zwickau/body-shop/line-${i % 7}/cell-${i}`,
);

describe('caching key partitioner', () => {
  it('puts every key on the partition the default (Java-compatible murmur2) partitioner picks', () => {
    const cached = cachingKeyPartitioner()();
    const reference = Partitioners.DefaultPartitioner();
    for (const count of [1, 3, 12]) {
      for (const key of [...keys, ...keys]) {
        const args = {
          topic: 'uns.telemetry',
          partitionMetadata: partitions(count),
          message: { key, value: 'v' },
        };
        expect(cached(args)).toBe(reference(args));
      }
    }
  });

  it('keeps an explicit partition and spreads keyless records like the default partitioner', () => {
    const cached = cachingKeyPartitioner()();
    const args = (message: PartitionerArgs['message']) => ({
      topic: 'uns.telemetry',
      partitionMetadata: partitions(3),
      message,
    });
    expect(cached(args({ key: 'k', value: 'v', partition: 2 }))).toBe(2);
    const keyless = new Set(Array.from({ length: 30 }, () => cached(args({ value: 'v' }))));
    expect(keyless.size).toBe(3);
  });

  it('forgets its keys past the bound and still answers the same', () => {
    const cached = cachingKeyPartitioner(10)();
    const reference = Partitioners.DefaultPartitioner();
    for (const key of [...keys, ...keys.slice(0, 20)]) {
      const args = { topic: 't', partitionMetadata: partitions(5), message: { key, value: 'v' } };
      expect(cached(args)).toBe(reference(args));
    }
  });
});
