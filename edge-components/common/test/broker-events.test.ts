import { EventEmitter } from 'node:events';
import { watchBrokerConnection } from '../src/broker-events';

describe('watchBrokerConnection', () => {
  it('logs the connection as it comes and goes and calls the handlers in turn', () => {
    const client = new EventEmitter();
    const lines: string[] = [];
    const log = (level: string) => (fields: object, message: string) =>
      lines.push(`${level} ${message} ${JSON.stringify(fields)}`);
    const calls: string[] = [];
    watchBrokerConnection(
      client,
      'mqtt://plant:1883',
      { info: log('info'), warn: log('warn'), error: log('error') },
      { connected: () => calls.push('connected'), disconnected: () => calls.push('disconnected') },
    );
    client.emit('connect');
    client.emit('close');
    client.emit('offline');
    client.emit('error', new Error('refused'));
    client.emit('connect');
    expect(calls).toEqual(['connected', 'disconnected', 'connected']);
    expect(lines.map((line) => line.split(' {')[0])).toEqual([
      'info connected to the UNS broker',
      'warn UNS broker unreachable; reconnecting',
      'error MQTT error',
      'info connected to the UNS broker',
    ]);
    expect(lines[0]).toContain('mqtt://plant:1883');
  });
});
