import { type ChildProcess, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { freePort, onFreePorts } from './ports';
import { launchService, terminate } from './process';

/** A single-node Apache Kafka (KRaft) broker of the test's own, on a loopback port. */
export interface KafkaBroker {
  readonly port: number;
  /** `127.0.0.1:<port>`, the bootstrap address for clients. */
  readonly bootstrap: string;
  /** Stops the broker process (SIGTERM, SIGKILL after 15 s); its port and data are kept. */
  halt(): Promise<void>;
  /**
   * Starts the broker again after {@link halt}, on the same port and data directory; resolves
   * once it serves topics again.
   */
  start(): Promise<void>;
  /** Stops the broker for good and deletes its directory. */
  stop(): Promise<void>;
}

/** Options of {@link startKafka}. */
export interface KafkaOptions {
  /** Partitions of topics created automatically on first use (default 3). */
  partitions?: number;
  /** Maximum Java heap (default `512m`: the machine is small and shared). */
  heap?: string;
  /**
   * Run the JVM for sustained throughput (both JIT tiers, parallel GC, the heap reserved up
   * front) instead of a fast start (C1 only, serial GC): for benchmarks. Default false.
   */
  throughput?: boolean;
  /**
   * Create a topic on first use (a produce or metadata request names it). False writes
   * `auto.create.topics.enable=false`, as on MSK: the test creates its topics with the admin client.
   * Default true.
   */
  autoCreateTopics?: boolean;
}

const POM = join(__dirname, '..', 'kafka', 'pom.xml');
const JAVA = process.env.JAVA_BIN ?? 'java';
/** The deadline for a JVM start and the KRaft quorum to form, for a loaded machine. */
const READY_TIMEOUT_MS = 120_000;
/** The topic that readiness checks produce to (internal, `__`: topic listings leave it out). */
const READINESS_TOPIC = '__test-services-readiness';

/**
 * The directory holding Kafka's jars and their dependencies, resolved from Maven Central with
 * `mvn dependency:copy-dependencies` on first use and cached under `~/.cache/uns-mlops/` by the
 * hash of `kafka/pom.xml` (set `KAFKA_LIBS_DIR` to use other jars). Safe to call from several
 * processes at once: each resolves into a directory of its own and the first rename wins.
 */
export function kafkaLibs(): string {
  if (process.env.KAFKA_LIBS_DIR !== undefined) return process.env.KAFKA_LIBS_DIR;
  const pomHash = createHash('sha256').update(readFileSync(POM)).digest('hex').slice(0, 12);
  const cache = join(homedir(), '.cache', 'uns-mlops');
  const libs = join(cache, `kafka-libs-${pomHash}`);
  if (existsSync(join(libs, '.complete'))) return libs;
  mkdirSync(cache, { recursive: true });
  const staging = mkdtempSync(join(cache, 'kafka-libs-staging-'));
  execFileSync(
    'mvn',
    [
      '-B',
      '-q',
      '-f',
      POM,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${staging}`,
      '-DincludeScope=runtime',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  writeFileSync(join(staging, '.complete'), '');
  try {
    renameSync(staging, libs);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(libs, '.complete'))) throw error;
  }
  return libs;
}

/**
 * Starts Apache Kafka (the jars of `kafka/pom.xml`, run by the machine's Java 17) as a combined
 * broker and controller in KRaft mode, on free 127.0.0.1 ports, with its data in a temporary
 * directory: storage is formatted once, so {@link KafkaBroker.halt} and
 * {@link KafkaBroker.start} simulate an outage of the same cluster. Topics are created on first
 * use. Resolves once the broker answers a metadata request with its controller and takes a
 * record on a topic it has created (an open port alone may still refuse both). JVM start costs
 * seconds: start one broker per test file.
 */
export async function startKafka(options: KafkaOptions = {}): Promise<KafkaBroker> {
  return onFreePorts(async () => startKafkaOn(await freePort(), await freePort(), options));
}

async function startKafkaOn(
  port: number,
  controllerPort: number,
  options: KafkaOptions,
): Promise<KafkaBroker> {
  const classpath = join(kafkaLibs(), '*');
  const directory = mkdtempSync(join(tmpdir(), 'kafka-'));
  const configFile = join(directory, 'server.properties');
  writeFileSync(
    configFile,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name=PLAINTEXT',
      `log.dirs=${join(directory, 'data')}`,
      `num.partitions=${options.partitions ?? 3}`,
      `auto.create.topics.enable=${options.autoCreateTopics ?? true}`,
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'share.coordinator.state.topic.replication.factor=1',
      'share.coordinator.state.topic.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      '',
    ].join('\n'),
  );
  const jvm = [
    `-Xmx${options.heap ?? '512m'}`,
    ...(options.throughput === true
      ? [`-Xms${options.heap ?? '512m'}`, '-XX:+UseParallelGC']
      : ['-Xms128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1']),
    '-Djava.awt.headless=true',
    '-cp',
    classpath,
  ];
  const clusterId = randomBytes(16).toString('base64url');
  // `=`: a base64url id may start with `-`.
  execFileSync(
    JAVA,
    [...jvm, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', configFile],
    { stdio: 'ignore' },
  );

  const bootstrap = `127.0.0.1:${port}`;
  let broker: ChildProcess | undefined;
  const launch = async () => {
    broker = await launchService({
      name: `Kafka on ${bootstrap}`,
      command: JAVA,
      args: [...jvm, 'kafka.Kafka', configFile],
      ready: () => servesTopics(bootstrap),
      timeoutMs: READY_TIMEOUT_MS,
    });
  };
  const halt = async () => {
    if (broker !== undefined) await terminate(broker, 15_000);
    broker = undefined;
  };
  try {
    await launch();
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    bootstrap,
    halt,
    start: launch,
    stop: async () => {
      await halt();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * One readiness check: a metadata request that names the controller, then a record produced
 * (all replicas acknowledging) to a topic the check creates if it is missing. Throws while the
 * broker cannot do either; every request has a timeout and no retries of its own.
 */
async function servesTopics(bootstrap: string): Promise<void> {
  const kafka = new Kafka({
    clientId: 'test-services-ready',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 5_000,
    requestTimeout: 10_000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  try {
    await admin.connect();
    const { controller } = await admin.describeCluster();
    if (controller === null || controller < 0) throw new Error('no controller yet');
    await admin.createTopics({ topics: [{ topic: READINESS_TOPIC, numPartitions: 1 }] });
    await producer.connect();
    await producer.send({ topic: READINESS_TOPIC, acks: -1, messages: [{ value: 'ready' }] });
  } finally {
    await producer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
