import { KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';

/** The broker's error `type`, as kafkajs throws it. */
export function brokerError(type: string, retriable = false): KafkaJSProtocolError {
  return new KafkaJSProtocolError(Object.assign(new Error(type), { type, retriable }));
}

/** kafkajs's error once its retries are used up, with the broker's error as the cause. */
export function retriesExceeded(cause: Error): KafkaJSNumberOfRetriesExceeded {
  return Object.assign(new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 2, retryTime: 1 }), {
    cause,
  });
}
