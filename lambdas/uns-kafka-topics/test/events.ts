import type {
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceEvent,
} from 'aws-lambda';

export const CLUSTER_ARN =
  'arn:aws:kafka:eu-central-1:111111111111:cluster/uns-mlops/0b6f3a52-8c1e-4d2b-9f1a-3c5d7e9f1a2b-s1';

/** The topics and partitions of the dev environment, as CloudFormation passes them: strings. */
export const DEV_TOPICS = [
  { Name: 'uns.telemetry', Partitions: '6' },
  ...[
    'uns.state',
    'uns.alarm',
    'uns.inspection',
    'uns.ml',
    'uns.validation',
    'uns.sparkplug',
    'uns.heartbeat',
  ].map((name) => ({ Name: name, Partitions: '3' })),
];

const COMMON = {
  ServiceToken: 'arn:aws:lambda:eu-central-1:111111111111:function:provider-framework-onEvent',
  ResponseURL: 'https://cloudformation-custom-resource-response-eucentral1.s3.amazonaws.com/x',
  StackId: 'arn:aws:cloudformation:eu-central-1:111111111111:stack/UnsMlops-Dev-Streaming/1',
  RequestId: 'a1b2c3d4',
  LogicalResourceId: 'StreamingTopicsResource',
  ResourceType: 'Custom::UnsKafkaTopics',
};

/** A Create or Update event of the provider framework for the given resource properties. */
export function topicsEvent(
  requestType: 'Create' | 'Update',
  properties: Record<string, unknown> = { ClusterArn: CLUSTER_ARN, Topics: DEV_TOPICS },
): CloudFormationCustomResourceEvent {
  const ResourceProperties = { ServiceToken: COMMON.ServiceToken, ...properties };
  return requestType === 'Create'
    ? { ...COMMON, RequestType: 'Create', ResourceProperties }
    : {
        ...COMMON,
        RequestType: 'Update',
        PhysicalResourceId: `${CLUSTER_ARN}/uns-topics`,
        ResourceProperties,
        OldResourceProperties: ResourceProperties,
      };
}

/** A Delete event for the resource created by {@link topicsEvent}. */
export function deleteEvent(): CloudFormationCustomResourceDeleteEvent {
  return {
    ...COMMON,
    RequestType: 'Delete',
    PhysicalResourceId: `${CLUSTER_ARN}/uns-topics`,
    ResourceProperties: {
      ServiceToken: COMMON.ServiceToken,
      ClusterArn: CLUSTER_ARN,
      Topics: DEV_TOPICS,
    },
  };
}
