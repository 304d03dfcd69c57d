export * from './uns-streaming';
export * from './streaming-props';
export { UnsKafkaCluster, MSK_IAM_PORT } from './kafka-cluster';
export type { KafkaToLakehouseProps } from './lakehouse-delivery';
export {
  TelemetryDelivery,
  TELEMETRY_PREFIX,
  TELEMETRY_ERROR_PREFIX,
  TELEMETRY_REJECTS_PREFIX,
  TELEMETRY_CONSUMER_GROUP,
} from './telemetry-delivery';
export * from './topics';
export {
  UnsClassDeliveries,
  type UnsClassDeliveriesProps,
  type UnsClassFlattener,
  UNS_CLASS_FLATTENERS,
} from './uns-class-deliveries';
export { ServerlessTopics, SERVERLESS_TOPICS_RESOURCE_TYPE } from './serverless-topics';
export { streamingSettingsProblems } from './validate-props';
