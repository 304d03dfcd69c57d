import { disableNagle, mqttConnectionOptions } from '@uns-mlops/edge-common';
import { connect, type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { BridgeConfig } from '../config/config';
import { DeferredAcks, type Release } from './deferred-acks';

/** Receives one message; `release` sends its PUBACK and must be called once it is durable. */
export type MessageHandler = (
  topic: string,
  payload: Buffer,
  packet: IPublishPacket,
  release: Release,
) => void;

/**
 * The bridge's MQTT session: a fixed client id with a persistent session (`clean: false`, and on
 * MQTT 5 a session expiry), so the broker queues QoS 1 messages while the bridge is away and
 * redelivers those it never acknowledged. Subscribes with QoS 1 on every connection (on MQTT 5
 * with retain handling 1: retained messages only for a new subscription, not again after each
 * restart).
 */
export class UnsSubscriber {
  readonly client: MqttClient;
  private subscribedFlag = false;

  constructor(
    private readonly config: BridgeConfig['mqtt'],
    private readonly logger: Logger,
    onMessage: MessageHandler,
    private readonly onConnectionChange: (connected: boolean) => void = () => undefined,
  ) {
    this.client = connect(config.url, clientOptions(config));
    const acks = new DeferredAcks(this.client);
    this.client.on('message', (topic, payload, packet) => {
      onMessage(topic, payload, packet, acks.defer(packet.messageId, packet.qos));
    });
    this.client.on('connect', (connack) => {
      disableNagle(this.client.stream);
      this.onConnectionChange(true);
      logger.info({ sessionPresent: connack.sessionPresent }, 'connected to the UNS broker');
      this.subscribe();
    });
    this.client.on('close', () => {
      if (this.subscribedFlag) logger.warn('disconnected from the UNS broker; reconnecting');
      this.subscribedFlag = false;
      this.onConnectionChange(false);
    });
    this.client.on('error', (error) => {
      logger.warn({ err: error }, 'UNS broker connection error');
    });
  }

  /** Connected, and every topic filter was granted. */
  get subscribed(): boolean {
    return this.subscribedFlag && this.client.connected;
  }

  /** Ends the session's connection (the broker keeps the session and queues for it). */
  async close(): Promise<void> {
    this.subscribedFlag = false;
    await this.client.endAsync();
  }

  private subscribe(): void {
    const options =
      this.config.protocolVersion === 5 ? { qos: 1 as const, rh: 1 } : { qos: 1 as const };
    this.client.subscribe(this.config.topics, options, (error, granted) => {
      const refused = (granted ?? []).filter((grant) => grant.qos > 2);
      if (error !== null || refused.length > 0) {
        this.logger.error(
          { err: error, refused: refused.map((grant) => grant.topic) },
          'subscription refused by the UNS broker',
        );
        return;
      }
      this.subscribedFlag = true;
      this.logger.info({ topics: this.config.topics }, 'subscribed');
    });
  }
}

function clientOptions(config: BridgeConfig['mqtt']): IClientOptions {
  return {
    ...mqttConnectionOptions(config),
    clean: false,
    resubscribe: false,
    ...(config.protocolVersion === 5 && {
      properties: {
        sessionExpiryInterval: config.sessionExpirySeconds,
        receiveMaximum: config.receiveMaximum,
      },
    }),
  };
}
