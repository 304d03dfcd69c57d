/**
 * A TCP proxy in front of PostgreSQL that loses the acknowledgement of a commit: the server's
 * answer to the next COMMIT (its CommandComplete message) is not passed on; both connections are
 * cut instead, after the server has committed. What a client sees when the network fails at
 * exactly the wrong moment.
 */
import { createConnection, createServer, type Socket } from 'node:net';

/** A running proxy; point a client at {@link CommitAckDropper.url}. */
export interface CommitAckDropper {
  /** `databaseUrl` with host and port replaced by the proxy's. */
  readonly url: string;
  /** Loses the acknowledgement of the next COMMIT any connection sends. */
  dropNextCommitAck(): void;
  /** Acknowledgements lost so far. */
  readonly dropped: number;
  close(): Promise<void>;
}

/** Header of a backend message: a type byte, then its length (itself included) as int32. */
const HEADER_BYTES = 5;
const COMMIT_COMPLETE = Buffer.from('COMMIT\0');

/** Starts a proxy on a free loopback port for the server of `databaseUrl`. */
export async function startCommitAckDropper(databaseUrl: string): Promise<CommitAckDropper> {
  const target = new URL(databaseUrl);
  let armed = false;
  let dropped = 0;
  const sockets = new Set<Socket>();

  const server = createServer((client) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', cut);
    upstream.on('close', cut);
    client.pipe(upstream);
    let pending = Buffer.alloc(0);
    upstream.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      let forward = 0;
      while (pending.length - forward >= HEADER_BYTES) {
        const end = forward + 1 + pending.readInt32BE(forward + 1);
        if (end > pending.length) break;
        if (armed && isCommitComplete(pending.subarray(forward, end))) {
          armed = false;
          dropped++;
          client.write(pending.subarray(0, forward), cut);
          return;
        }
        forward = end;
      }
      client.write(pending.subarray(0, forward));
      pending = pending.subarray(forward);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  const url = new URL(databaseUrl);
  url.host = `127.0.0.1:${String(address.port)}`;

  return {
    url: url.toString(),
    dropNextCommitAck: () => {
      armed = true;
    },
    get dropped() {
      return dropped;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** A CommandComplete ('C') message whose tag is COMMIT. */
function isCommitComplete(message: Buffer): boolean {
  return message[0] === 0x43 && message.subarray(HEADER_BYTES).equals(COMMIT_COMPLETE);
}
