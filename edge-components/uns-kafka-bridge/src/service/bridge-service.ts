import {
  httpErrorLogger,
  type MemoryReclaimer,
  messageCount,
  monitoringRoutes,
  reclaimMemoryWhenQuiet,
  type Probe,
  type RunningHttpServer,
  startHttpServer,
} from '@uns-mlops/edge-common';
import type { Logger } from 'pino';
import { Forwarder, forwarderOptions } from '../bridge/forwarder';
import { Heartbeat } from '../bridge/heartbeat';
import { HEADERS, Intake, RECORD_TOO_LARGE } from '../bridge/intake';
import type { BridgeConfig } from '../config/config';
import { readContractVersion } from '../config/contract-version';
import { kafkaSecurityOptions } from '../kafka/auth';
import { DeadLetterSink } from '../kafka/dead-letter';
import { KafkaSink } from '../kafka/sink';
import { Router } from '../mapping/router';
import { UnsSubscriber } from '../mqtt/subscriber';
import { Spool } from '../spool/spool';
import { BridgeMetrics } from './metrics';

/**
 * The running bridge: UNS subscription → intake (mapping, headers) → forwarder (Kafka, or the
 * disk spool while Kafka fails; records Kafka refuses for their topic to the dead letter) →
 * PUBACK; plus heartbeats and the HTTP endpoints.
 */
export class BridgeService {
  private http: RunningHttpServer | undefined;
  /** Gives the memory of a burst of messages back once it is over. */
  private readonly reclaimer: MemoryReclaimer;

  private constructor(
    readonly metrics: BridgeMetrics,
    private readonly config: BridgeConfig,
    private readonly logger: Logger,
    private readonly spool: Spool,
    private readonly sink: KafkaSink,
    private readonly deadLetters: DeadLetterSink,
    private readonly forwarder: Forwarder,
    private readonly subscriber: UnsSubscriber,
    private readonly heartbeat: Heartbeat,
  ) {
    this.reclaimer = reclaimMemoryWhenQuiet(messageCount(subscriber.client), { logger });
  }

  /** Port the HTTP endpoints listen on. */
  get httpPort(): number {
    return this.http?.port ?? 0;
  }

  static async start(config: BridgeConfig, logger: Logger): Promise<BridgeService> {
    const contractVersion = readContractVersion(config.contract);
    const router = new Router(config.mapping);
    const intake = new Intake(router, {
      contractVersion,
      maxRecordBytes: config.kafka.maxRecordBytes,
      deadLetterTopic: config.mapping.fallbackTopic,
    });
    const metrics = new BridgeMetrics();
    const spool = await Spool.open({
      ...config.spool,
      onCorrupt: (message, records) => {
        logger.error({ records }, message);
        metrics.dropped.inc({ reason: 'spool_corrupt' }, records);
      },
    });
    const sink = new KafkaSink(config.kafka, kafkaSecurityOptions(config.kafka.security), logger);
    const deadLetters = new DeadLetterSink(
      sink,
      { topic: config.mapping.fallbackTopic, recheckAfterMs: config.kafka.rejectedTopicRecheckMs },
      metrics,
      logger,
    );
    const forwarder = new Forwarder(
      spool,
      deadLetters,
      metrics,
      forwarderOptions(config, (error) => {
        // The messages are not acknowledged; a new connection gets them redelivered.
        logger.error({ err: error }, 'spool write failed: reconnecting to get the messages again');
        subscriber.client.stream.destroy();
      }),
      logger,
    );
    const excluded = metrics.dropped.labels('excluded');
    let warnedTooLarge = false;
    /** Logs the first message over kafka.maxRecordBytes at warn, the others at debug. */
    const tooLarge = (topic: string, bytes: number) => {
      const details = { topic, bytes, maxRecordBytes: config.kafka.maxRecordBytes };
      if (warnedTooLarge) {
        logger.debug(details, 'message larger than kafka.maxRecordBytes: dead-lettered');
        return;
      }
      warnedTooLarge = true;
      logger.warn(
        details,
        'message larger than kafka.maxRecordBytes: dead-lettered without its payload (logged once; counted as uns_bridge_dead_lettered_total{reason="record-too-large"})',
      );
    };
    const subscriber = new UnsSubscriber(
      config.mqtt,
      logger,
      (topic, payload, packet, release) => {
        const record = intake.record(topic, payload, packet.dup);
        if (record === undefined) {
          excluded.inc();
          release();
          return;
        }
        metrics.count('received', record.topic);
        if (record.headers[HEADERS.deadLetterReason] === RECORD_TOO_LARGE)
          tooLarge(topic, payload.length);
        forwarder.accept({
          record,
          receivedAt: performance.now(),
          durable: release,
          fromUns: true,
        });
      },
      (connected) => {
        metrics.mqttConnected.set(connected ? 1 : 0);
      },
    );
    const heartbeat = new Heartbeat(
      { ...config.heartbeat, bridge: config.mqtt.clientId, contractVersion },
      forwarder,
      metrics,
      spool,
    );
    const service = new BridgeService(
      metrics,
      config,
      logger,
      spool,
      sink,
      deadLetters,
      forwarder,
      subscriber,
      heartbeat,
    );
    service.http = await startHttpServer(
      { ...config.http, onError: httpErrorLogger(logger) },
      monitoringRoutes({
        component: 'uns-kafka-bridge',
        health: () => service.health(),
        readiness: () => service.readiness(),
        metrics: async () => ({
          contentType: metrics.registry.contentType,
          body: await metrics.registry.metrics(),
        }),
      }),
    );
    return service;
  }

  /**
   * Unhealthy when UNS messages have waited `stallAfterMs` with nothing produced to Kafka, or
   * while Kafka refuses the dead-letter topic.
   */
  health(): Probe {
    const stalledForMs = this.forwarder.stalledForMs();
    const deadLetterRejected = this.deadLetters.deadLetterRejected;
    return {
      ok: stalledForMs <= this.config.health.stallAfterMs && !deadLetterRejected,
      checks: {
        stalledForMs,
        deadLetterRejected,
        spooling: this.forwarder.isSpooling,
        spoolBytes: this.spool.usedBytes,
        spoolRecords: this.spool.unsentRecords,
        mqttConnected: this.subscriber.client.connected,
      },
    };
  }

  /** Ready once subscribed to the UNS broker (Kafka may be away: the spool takes over). */
  readiness(): Probe {
    return { ok: this.subscriber.subscribed, checks: { subscribed: this.subscriber.subscribed } };
  }

  /**
   * Graceful stop: takes no more messages, makes every taken one durable (Kafka or spool) and
   * sends its PUBACK, persists the spool's state, then disconnects.
   */
  async stop(): Promise<void> {
    this.reclaimer.stop();
    this.heartbeat.stop();
    await this.forwarder.close();
    await this.spool.close();
    await this.subscriber.close();
    await this.sink.close();
    await this.http?.close();
    this.logger.info('stopped');
  }
}
