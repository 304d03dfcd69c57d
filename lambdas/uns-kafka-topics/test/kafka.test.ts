import { GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import { Logger } from '@aws-lambda-powertools/logger';
import { startKafka, type KafkaBroker } from '@uns-mlops/test-services';
import { mockClient } from 'aws-sdk-client-mock';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { createHandler } from '../src/handler';
import { mskBootstrapBrokers } from '../src/msk';
import { CLUSTER_ARN, DEV_TOPICS, deleteEvent, topicsEvent } from './events';

// The handler against a real Kafka broker (plaintext, no IAM): only the MSK API is stubbed, and
// it answers with the local broker as the cluster's bootstrap. The broker's default partition
// count is 1, so a topic with the configured partitions was created by the handler, not by
// auto-creation.
let broker: KafkaBroker;
let observer: Admin;
const msk = mockClient(KafkaClient);
const logger = new Logger({ serviceName: 'uns-kafka-topics-test', logLevel: 'SILENT' });

beforeAll(async () => {
  broker = await startKafka({ partitions: 1 });
  observer = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await observer.connect();
}, 180_000);

afterAll(async () => {
  // Both are set unless beforeAll failed, which jest reports on its own.
  await (observer as Admin | undefined)?.disconnect();
  await (broker as KafkaBroker | undefined)?.stop();
});

beforeEach(() => {
  msk.reset();
  msk.on(GetBootstrapBrokersCommand).resolves({ BootstrapBrokerStringSaslIam: broker.bootstrap });
});

/** The handler on the local broker; `requests` collects the Kafka API names its admin sends. */
function localHandler(requests: string[] = []) {
  return createHandler({
    bootstrapBrokers: mskBootstrapBrokers(new KafkaClient({ region: 'eu-central-1' })),
    kafka: (brokers) => {
      const kafka = new Kafka({
        clientId: 'uns-kafka-topics-test',
        brokers,
        logLevel: logLevel.NOTHING,
      });
      return {
        admin: (config) => {
          const admin = kafka.admin(config);
          admin.on(admin.events.REQUEST, (event) => requests.push(event.payload.apiName));
          return admin;
        },
      };
    },
    logger,
  });
}

/** Partitions of each topic on the broker, by name, internal topics left out. */
async function partitionsOnBroker(): Promise<Record<string, number>> {
  const { topics } = await observer.fetchTopicMetadata();
  return Object.fromEntries(
    topics
      .filter((topic) => !topic.name.startsWith('__'))
      .map((topic) => [topic.name, topic.partitions.length]),
  );
}

const EXPECTED = {
  'uns.telemetry': 6,
  'uns.state': 3,
  'uns.alarm': 3,
  'uns.inspection': 3,
  'uns.ml': 3,
  'uns.validation': 3,
  'uns.sparkplug': 3,
  'uns.heartbeat': 3,
};

describe('UNS topics on a real Kafka broker', () => {
  it('creates every missing topic with its configured partitions on Create', async () => {
    const response = await localHandler()(topicsEvent('Create'));
    expect(response).toEqual({
      PhysicalResourceId: `${CLUSTER_ARN}/uns-topics`,
      Data: { Created: Object.keys(EXPECTED).join(','), Existing: '' },
    });
    expect(await partitionsOnBroker()).toEqual(EXPECTED);
    expect(msk.commandCalls(GetBootstrapBrokersCommand)[0]!.args[0].input.ClusterArn).toBe(
      CLUSTER_ARN,
    );
  });

  it('is a no-op the second time: no CreateTopics request, the topics unchanged', async () => {
    const requests: string[] = [];
    const response = await localHandler(requests)(topicsEvent('Create'));
    expect(response.Data).toEqual({ Created: '', Existing: Object.keys(EXPECTED).join(',') });
    expect(requests).toContain('Metadata');
    expect(requests).not.toContain('CreateTopics');
    expect(await partitionsOnBroker()).toEqual(EXPECTED);
  });

  it('creates only a newly listed topic on Update and leaves an existing one with other partitions as it is', async () => {
    const warn = jest.spyOn(logger, 'warn');
    const topics = [
      { Name: 'uns.telemetry', Partitions: '12' },
      ...DEV_TOPICS.slice(1),
      { Name: 'uns.audit', Partitions: '2' },
    ];
    const response = await localHandler()(
      topicsEvent('Update', { ClusterArn: CLUSTER_ARN, Topics: topics }),
    );
    expect(response.Data?.Created).toBe('uns.audit');
    expect(await partitionsOnBroker()).toEqual({ ...EXPECTED, 'uns.audit': 2 });
    expect(warn).toHaveBeenCalledWith('Topic exists with another partition count; left unchanged', {
      topic: 'uns.telemetry',
      configured: 12,
      actual: 6,
    });
    warn.mockRestore();
  });

  it('keeps the topics and their records on Delete', async () => {
    const producer = new Kafka({
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
    }).producer();
    await producer.connect();
    await producer.send({
      topic: 'uns.state',
      messages: [{ key: 'acme/site/area/line/cell/a', value: '{}' }],
    });
    await producer.disconnect();
    const requests: string[] = [];

    await localHandler(requests)(deleteEvent());

    expect(requests).toEqual([]);
    expect(await partitionsOnBroker()).toEqual({ ...EXPECTED, 'uns.audit': 2 });
    const offsets = await observer.fetchTopicOffsets('uns.state');
    expect(offsets.reduce((sum, partition) => sum + Number(partition.high), 0)).toBe(1);
  });
});
