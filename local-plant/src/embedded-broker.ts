import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';

/** An in-process MQTT broker (aedes) listening on a TCP port. */
export interface EmbeddedBroker {
  /** `mqtt://host:port` of the broker. */
  readonly url: string;
  /** Stops accepting connections, disconnects every client and closes the broker. */
  close(): Promise<void>;
}

/**
 * Starts an aedes broker on `host:port` (port 0 picks a free one). aedes keeps QoS 1 messages of
 * persistent sessions in memory, which is what a local plant needs.
 *
 * @throws when the port is taken, with a message that says which and how to choose another.
 */
export async function startEmbeddedBroker(host: string, port: number): Promise<EmbeddedBroker> {
  // aedes is an ES module; a dynamic import keeps this package loadable as CommonJS (jest, tsx).
  const { Aedes } = await import('aedes');
  const aedes = await Aedes.createBroker();
  const server: Server = createServer((socket) => {
    aedes.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      aedes.close();
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `port ${String(port)} of the in-process MQTT broker is taken: set --broker-port (UNS_PLANT_BROKER_PORT) or give --broker-url of the broker already running there`,
            )
          : error,
      );
    });
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `mqtt://${host}:${String(address.port)}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        aedes.close(() => {
          resolve();
        });
      });
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}
