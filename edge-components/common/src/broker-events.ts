/** The logging this module needs (pino's `Logger` fits). */
export interface BrokerLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** The part of an MQTT.js client that {@link watchBrokerConnection} listens to. */
export interface BrokerEventSource {
  on(event: 'connect' | 'close' | 'offline', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** What a component does when its broker connection comes and goes. */
export interface BrokerConnectionHandlers {
  /** Connected (again): subscribe, set the connected gauge. */
  connected(): void;
  /** The connection closed: the subscriptions are gone until the next `connected`. */
  disconnected(): void;
}

/**
 * Logs a component's UNS broker connection the same way in every component (connected, unreachable
 * and reconnecting, client errors) and calls `handlers` as it comes and goes.
 */
export function watchBrokerConnection(
  client: BrokerEventSource,
  url: string,
  logger: BrokerLogger,
  handlers: BrokerConnectionHandlers,
): void {
  client.on('connect', () => {
    logger.info({ broker: url }, 'connected to the UNS broker');
    handlers.connected();
  });
  client.on('close', () => {
    handlers.disconnected();
  });
  client.on('offline', () => {
    logger.warn({ broker: url }, 'UNS broker unreachable; reconnecting');
  });
  client.on('error', (error) => {
    logger.error({ err: error }, 'MQTT error');
  });
}
