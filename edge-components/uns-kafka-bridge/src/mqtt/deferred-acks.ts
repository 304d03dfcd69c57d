import type { MqttClient, Packet } from 'mqtt';
import { generate } from 'mqtt-packet';

type SendPacket = (packet: Packet, cb?: (error?: Error) => void, ...rest: unknown[]) => void;

/** Sends one message's PUBACK; a no-op after a reconnect (the broker redelivers instead). */
export type Release = () => void;

/**
 * Holds back the PUBACK of QoS 1 messages until the bridge releases it (once the message is
 * durable), while MQTT.js goes on reading the next packets.
 *
 * MQTT.js handles incoming packets one at a time and sends a PUBACK as soon as its `handleMessage`
 * hook calls back, so delaying that callback (or `customHandleAcks`) would stall all reading until
 * Kafka acknowledged each message in turn. Instead, the PUBACK packet MQTT.js hands to its packet
 * writer (`_sendPacket`, an internal of mqtt 5.x, pinned in package.json) is kept and reported as
 * sent; {@link Release} sends it later. A PUBACK held over a disconnect is dropped: packet ids
 * belong to one connection's session, and the broker redelivers unacknowledged messages.
 *
 * PUBACKs released together (a Kafka acknowledgement releases a whole batch) go to the socket as
 * one write, encoded by mqtt-packet as MQTT.js would: MQTT.js writes each packet in several
 * pieces, which cost the bridge a twentieth of its CPU at 30,000 msg/s.
 */
export class DeferredAcks {
  private readonly send: SendPacket;
  /** PUBACKs of the current connection, by packet id: held packet, or `released` if early. */
  private held = new Map<number, Packet | 'released' | 'waiting'>();
  /** PUBACKs released since the last write, written together once the releasing code is done. */
  private released: Packet[] = [];

  constructor(private readonly client: MqttClient) {
    const internals = client as unknown as { _sendPacket: SendPacket };
    this.send = internals._sendPacket.bind(client);
    internals._sendPacket = (packet, cb, ...rest) => {
      if (packet.cmd === 'puback' && packet.messageId !== undefined) {
        const state = this.held.get(packet.messageId);
        if (state === 'waiting') {
          this.held.set(packet.messageId, packet);
          cb?.();
          return;
        }
        this.held.delete(packet.messageId);
      }
      this.send(packet, cb, ...rest);
    };
    client.on('close', () => {
      this.held = new Map();
      this.released = [];
    });
  }

  /**
   * Takes over the PUBACK of a message being delivered (call from the `message` event, which
   * MQTT.js emits before it acknowledges). QoS 0 messages have none: their release does nothing.
   */
  defer(messageId: number | undefined, qos: number): Release {
    if (qos === 0 || messageId === undefined) return noop;
    const held = this.held;
    held.set(messageId, 'waiting');
    return () => {
      if (held !== this.held) return;
      const state = held.get(messageId);
      if (state === 'waiting') held.set(messageId, 'released');
      else if (state !== undefined && state !== 'released') {
        held.delete(messageId);
        if (this.released.length === 0) queueMicrotask(this.writeReleased);
        this.released.push(state);
      }
    };
  }

  private readonly writeReleased = (): void => {
    const packets = this.released;
    this.released = [];
    if (packets.length === 0 || !this.client.connected) return;
    const options = this.client.options;
    this.client.stream.write(Buffer.concat(packets.map((packet) => generate(packet, options))));
  };
}

function noop(): void {
  // QoS 0: nothing to acknowledge.
}
