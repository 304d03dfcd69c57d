import { KafkaJSConnectionError } from 'kafkajs';
import { rejectionOf } from '../../src/kafka/rejection';
import { brokerError, retriesExceeded } from './kafka-errors';

describe('which Kafka errors refuse records for good', () => {
  it.each([
    ['TOPIC_AUTHORIZATION_FAILED', 'topic'],
    ['INVALID_TOPIC_EXCEPTION', 'topic'],
    ['UNKNOWN_TOPIC_OR_PARTITION', 'topic'],
    ['MESSAGE_TOO_LARGE', 'records'],
    ['RECORD_LIST_TOO_LARGE', 'records'],
    ['INVALID_RECORD', 'records'],
    ['INVALID_TIMESTAMP', 'records'],
  ])('takes %s as a refusal of the %s, named in lower case', (type, scope) => {
    expect(rejectionOf(brokerError(type))).toEqual({ reason: type.toLowerCase(), scope });
  });

  it('finds the broker’s error behind kafkajs’s wrapper for exhausted retries', () => {
    const unknown = retriesExceeded(brokerError('UNKNOWN_TOPIC_OR_PARTITION', true));
    expect(rejectionOf(unknown)).toEqual({
      reason: 'unknown_topic_or_partition',
      scope: 'topic',
    });
  });

  it.each([
    ['a leader moving', brokerError('NOT_LEADER_FOR_PARTITION', true)],
    ['a broker timeout', retriesExceeded(brokerError('REQUEST_TIMED_OUT', true))],
    ['a refusal of the whole cluster', brokerError('CLUSTER_AUTHORIZATION_FAILED')],
    ['a lost connection', new KafkaJSConnectionError('Connection error: ECONNREFUSED')],
    ['the bridge’s own timeout', new Error('Kafka did not acknowledge within 5000 ms')],
  ])('leaves %s to the retry', (_, error) => {
    expect(rejectionOf(error)).toBeUndefined();
  });
});
