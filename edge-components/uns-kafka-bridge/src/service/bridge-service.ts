import {
  monitoringRoutes,
  type Probe,
  type RunningHttpServer,
  startHttpServer,
} from '@uns-mlops/edge-common';
import type { Logger } from 'pino';
import { Forwarder, forwarderOptions } from '../bridge/forwarder';
import { Heartbeat } from '../bridge/heartbeat';
import { Intake } from '../bridge/intake';
import type { BridgeConfig } from '../config/config';
import { readContractVersion } from '../config/contract-version';
import { kafkaSecurityOptions } from '../kafka/auth';
import { KafkaSink } from '../kafka/sink';
import { Router } from '../mapping/router';
import { UnsSubscriber } from '../mqtt/subscriber';
import { Spool } from '../spool/spool';
import { BridgeMetrics } from './metrics';

/**
 * The running bridge: UNS subscription → intake (mapping, headers) → forwarder (Kafka, or the
 * disk spool while Kafka fails) → PUBACK; plus heartbeats and the HTTP endpoints.
 */
export class BridgeService {
  private http: RunningHttpServer | undefined;

  private constructor(
    readonly metrics: BridgeMetrics,
    private readonly config: BridgeConfig,
    private readonly logger: Logger,
    private readonly spool: Spool,
    private readonly sink: KafkaSink,
    private readonly forwarder: Forwarder,
    private readonly subscriber: UnsSubscriber,
    private readonly heartbeat: Heartbeat,
  ) {}

  /** Port the HTTP endpoints listen on. */
  get httpPort(): number {
    return this.http?.port ?? 0;
  }

  static async start(config: BridgeConfig, logger: Logger): Promise<BridgeService> {
    const contractVersion = readContractVersion(config.contract);
    const router = new Router(config.mapping.routes, config.mapping.fallbackTopic);
    const intake = new Intake(router, contractVersion);
    const metrics = new BridgeMetrics();
    const spool = await Spool.open({
      ...config.spool,
      onCorrupt: (message, records) => {
        logger.error({ records }, message);
        metrics.dropped.inc({ reason: 'spool_corrupt' }, records);
      },
    });
    const sink = new KafkaSink(config.kafka, kafkaSecurityOptions(config.kafka.security), logger);
    const forwarder = new Forwarder(
      spool,
      sink,
      metrics,
      forwarderOptions(config, (error) => {
        // The messages are not acknowledged; a new connection gets them redelivered.
        logger.error({ err: error }, 'spool write failed: reconnecting to get the messages again');
        subscriber.client.stream.destroy();
      }),
      logger,
    );
    const subscriber = new UnsSubscriber(
      config.mqtt,
      logger,
      (topic, payload, packet, release) => {
        const record = intake.record(topic, payload, packet.dup);
        metrics.count('received', record.topic);
        if (Intake.size(record) > config.kafka.maxRecordBytes) {
          metrics.dropped.inc({ reason: 'too_large' });
          logger.warn(
            { topic, bytes: payload.length },
            'message larger than kafka.maxRecordBytes: dropped',
          );
          release();
          return;
        }
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
      forwarder,
      subscriber,
      heartbeat,
    );
    service.http = await startHttpServer(
      config.http,
      monitoringRoutes({
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

  /** Unhealthy when UNS messages have waited `stallAfterMs` with nothing produced to Kafka. */
  health(): Probe {
    const stalledForMs = this.forwarder.stalledForMs();
    return {
      ok: stalledForMs <= this.config.health.stallAfterMs,
      checks: {
        stalledForMs,
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
    this.heartbeat.stop();
    await this.forwarder.close();
    await this.spool.close();
    await this.subscriber.close();
    await this.sink.close();
    await this.http?.close();
    this.logger.info('stopped');
  }
}
