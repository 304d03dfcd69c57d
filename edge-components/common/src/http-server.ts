import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

/** A readiness or liveness answer: HTTP 200 when `ok`, 503 otherwise, with the checks as JSON. */
export interface Probe {
  readonly ok: boolean;
  readonly checks: Readonly<Record<string, boolean | number | string>>;
}

/** An HTTP answer. */
export interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string | Buffer;
  /** `Cache-Control` value; default `no-store`. */
  readonly cacheControl?: string;
  /** Further response headers. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A GET handler of one path, given the query string. */
export type Route = (query: URLSearchParams) => Reply | Promise<Reply>;

/** Answers the GET requests of paths no route serves (static files, say) by their path. */
export type FallbackRoute = (pathname: string, query: URLSearchParams) => Promise<Reply>;

/** A request the client got wrong: answered with HTTP 400 and the message. */
export class BadRequestError extends Error {}

/** A running HTTP server. */
export interface RunningHttpServer {
  readonly port: number;
  close(): Promise<void>;
}

/** The request a route failed on, as {@link HttpErrorListener} is told about it. */
export interface FailedRequest {
  /** The id the client got in the answer's body and `x-request-id` header. */
  readonly requestId: string;
  readonly method: string;
  /** The path of the request, without the query string. */
  readonly path: string;
}

/**
 * Told about a failure that a client got only a generic HTTP 500 for (with the request), or of
 * the server itself, such as a connection it could not accept (without).
 */
export type HttpErrorListener = (error: unknown, request: FailedRequest | undefined) => void;

/** Where {@link startHttpServer} listens, and whom it tells about failures. */
export interface HttpServerOptions {
  readonly host: string;
  /** The port; 0 lets the system pick a free one ({@link RunningHttpServer.port} says which). */
  readonly port: number;
  /**
   * Told about every failure of a route or fallback other than a {@link BadRequestError}, with
   * the request id the client got (components pass {@link httpErrorLogger}).
   * @default none - the client still gets a 500 without the failure's text, nobody else hears of it.
   */
  readonly onError?: HttpErrorListener;
  /**
   * Milliseconds a client has from connecting (or from the end of its previous request) to the
   * end of the request's head; then it gets a 408 and the connection is closed.
   * @default HTTP_LIMITS.headersTimeoutMs - 10 s, plenty for a request line and a few headers.
   */
  readonly headersTimeoutMs?: number;
  /**
   * Milliseconds a client has to send a whole request, body included; then it gets a 408 and the
   * connection is closed. At least {@link headersTimeoutMs}.
   * @default HTTP_LIMITS.requestTimeoutMs - 30 s.
   */
  readonly requestTimeoutMs?: number;
}

/** What {@link startHttpServer} accepts from a client, and how long it waits for it. */
export const HTTP_LIMITS = {
  /** Longest request target (path and query string); a longer one is answered with 414. */
  maxUrlLength: 8_192,
  /**
   * Largest request head (request line and headers together); a larger one is answered with 431
   * as soon as the limit is passed, whichever part is long (so a request line longer than this
   * gets 431, not 414).
   */
  maxHeadBytes: 16_384,
  /**
   * Largest request body read (and thrown away: no route takes one). A larger `Content-Length`
   * is answered with 413 and the connection closed; a chunked body that grows beyond it ends the
   * connection.
   */
  maxIgnoredBodyBytes: 65_536,
  /** Default of {@link HttpServerOptions.headersTimeoutMs}. */
  headersTimeoutMs: 10_000,
  /** Default of {@link HttpServerOptions.requestTimeoutMs}. */
  requestTimeoutMs: 30_000,
  /** An idle keep-alive connection is closed after this many milliseconds. */
  keepAliveTimeoutMs: 5_000,
  /** How often connections are checked against the timeouts, ms (the timeouts' precision). */
  timeoutCheckIntervalMs: 1_000,
} as const;

/** What a component's logger needs to offer {@link httpErrorLogger} (a pino logger does). */
export interface ErrorLogger {
  error(details: object, message: string): void;
}

/** What the monitoring endpoints every component serves answer with. */
export interface MonitoringHandlers {
  /**
   * The component's name (e.g. `uns-validator`), put into every probe's answer so that a caller
   * sees which component answered on a port.
   */
  readonly component: string;
  /** `GET /health`: the process is alive and its loops run. */
  health(): Probe;
  /** `GET /ready`: the component does its work. */
  readiness(): Probe;
  /** `GET /metrics`: Prometheus text exposition. */
  metrics(): Promise<{ contentType: string; body: string }>;
}

/** `value` as JSON. */
export function jsonReply(value: unknown, status = 200): Reply {
  return { status, contentType: 'application/json', body: JSON.stringify(value) };
}

/** A probe as JSON: 200 when it is ok, 503 otherwise; named after `component` when given. */
export function probeReply(probe: Probe, component?: string): Reply {
  return jsonReply(component === undefined ? probe : { component, ...probe }, probe.ok ? 200 : 503);
}

/** The routes of `/health`, `/ready` and `/metrics`. */
export function monitoringRoutes(handlers: MonitoringHandlers): Record<string, Route> {
  return {
    '/health': () => probeReply(handlers.health(), handlers.component),
    '/ready': () => probeReply(handlers.readiness(), handlers.component),
    '/metrics': async () => ({ status: 200, ...(await handlers.metrics()) }),
  };
}

/**
 * An {@link HttpErrorListener} that logs each failure at error level with the request id, method
 * and path (pino prints the error's stack under `err`), so that the id a client reports finds it.
 */
export function httpErrorLogger(logger: ErrorLogger): HttpErrorListener {
  return (error, request) => {
    if (request === undefined) logger.error({ err: error }, 'HTTP server failed');
    else logger.error({ err: error, ...request }, 'HTTP request failed');
  };
}

/**
 * Serves GET routes by exact path, and the other paths by `fallback` when given. Nothing a client
 * sends can stop the server or reach a route unchecked; every answer carries an `x-request-id`
 * header, and every refusal is a JSON `{"error": "<reason>"}`:
 * - a request the HTTP parser cannot read (bad request line, version, header syntax, control
 *   bytes, conflicting or bad `Content-Length`, bad chunk sizes) is 400, an unknown method 405,
 *   a head beyond {@link HTTP_LIMITS}`.maxHeadBytes` 431, a head or request not received within
 *   the timeouts 408; these are written on the raw socket, which is closed after;
 * - an HTTP/1.1 request without one `Host` header is 400, a target longer than
 *   {@link HTTP_LIMITS}`.maxUrlLength` 414, a target that is neither a path (`/...`) nor an
 *   `http(s)://` URL (`*`, `host:port`, an invalid URL) 400, a declared body beyond
 *   {@link HTTP_LIMITS}`.maxIgnoredBodyBytes` 413 (a smaller body is read and ignored);
 * - unknown paths are 404 (without a fallback, before the method is looked at), methods other
 *   than GET (CONNECT and `Expect` headers other than `100-continue` included) 405 and 417;
 * - a {@link BadRequestError} of a route is 400 with its message, any other failure 500 with
 *   only `{"error": "internal error", "requestId": "..."}`: the failure itself goes to
 *   `options.onError` with that request id.
 */
export async function startHttpServer(
  options: HttpServerOptions,
  routes: Readonly<Record<string, Route>>,
  fallback?: FallbackRoute,
): Promise<RunningHttpServer> {
  /**
   * The latest response of each connection: a parse error found while it is being written (in a
   * request's body, say) ends the connection without a second answer corrupting the first.
   */
  const latestResponses = new WeakMap<Duplex, ServerResponse>();

  const report = (error: unknown, request: FailedRequest | undefined): void => {
    try {
      options.onError?.(error, request);
    } catch {
      // A listener that fails cannot be told about it; the client's answer must go out anyway.
    }
  };

  const answer = async (request: IncomingMessage, requestId: string): Promise<Reply> => {
    const url = checkRequest(request);
    if (!(url instanceof URL)) return url;
    const route = routes[url.pathname];
    const serve =
      route !== undefined
        ? () => route(url.searchParams)
        : fallback !== undefined
          ? () => fallback(url.pathname, url.searchParams)
          : undefined;
    if (serve === undefined) return errorReply(404, `no such endpoint: ${url.pathname}`);
    if (request.method !== 'GET') return METHOD_NOT_ALLOWED;
    try {
      return await serve();
    } catch (error) {
      if (error instanceof BadRequestError) return errorReply(400, error.message);
      report(error, { requestId, method: request.method, path: url.pathname });
      return internalErrorReply(requestId);
    }
  };

  const server = createServer(
    {
      maxHeaderSize: HTTP_LIMITS.maxHeadBytes,
      // Answered by checkRequest, as JSON like every other refusal.
      requireHostHeader: false,
      headersTimeout: options.headersTimeoutMs ?? HTTP_LIMITS.headersTimeoutMs,
      requestTimeout: options.requestTimeoutMs ?? HTTP_LIMITS.requestTimeoutMs,
      keepAliveTimeout: HTTP_LIMITS.keepAliveTimeoutMs,
      connectionsCheckingInterval: HTTP_LIMITS.timeoutCheckIntervalMs,
    },
    (request, response) => {
      latestResponses.set(request.socket, response);
      const requestId = randomUUID();
      ignoreStreamErrors(request, response);
      discardBody(request);
      const failed = (error: unknown): void => {
        report(error, { requestId, method: request.method ?? '', path: request.url ?? '' });
      };
      void answer(request, requestId)
        .catch((error: unknown) => {
          failed(error);
          return internalErrorReply(requestId);
        })
        .then((reply) => {
          send(response, reply, requestId, failed);
        });
    },
  );
  server.on('clientError', (error: Error & { code?: string; reason?: string }, socket) => {
    const latest = latestResponses.get(socket);
    const answering = latest !== undefined && latest.headersSent && !latest.writableFinished;
    if (socket.writable && !answering) answerOnSocket(socket, clientErrorReply(error));
    socket.destroy();
  });
  server.on('connect', (_request, socket) => {
    answerOnSocket(socket, METHOD_NOT_ALLOWED);
    socket.destroy();
  });
  server.on('checkExpectation', (_request, response) => {
    send(response, errorReply(417, 'only Expect: 100-continue is understood'), randomUUID());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES'
          ? new Error(
              `cannot serve HTTP on ${options.host}:${String(options.port)} (${error.code}): ` +
                'another process holds the port, or it is not allowed; set http.port to a free one',
            )
          : error,
      );
    });
    server.listen(options.port, options.host, resolve);
  });
  // From now on, an error of the server itself (a connection it could not accept, say) is no
  // reason to stop the process: it is reported, and the server keeps listening.
  server.removeAllListeners('error');
  server.on('error', (error) => {
    report(error, undefined);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** `{"error": message}` with `status`. */
function errorReply(status: number, message: string): Reply {
  return jsonReply({ error: message }, status);
}

/** The answer to any method but GET. */
const METHOD_NOT_ALLOWED: Reply = {
  ...errorReply(405, 'only GET is supported'),
  headers: { allow: 'GET' },
};

/** The answer to a failure whose text is for the log, not the client. */
function internalErrorReply(requestId: string): Reply {
  return jsonReply({ error: 'internal error', requestId }, 500);
}

/**
 * The URL a request names, or the refusal of a request whose `Host` header, target or declared
 * body size is not acceptable.
 */
function checkRequest(request: IncomingMessage): URL | Reply {
  const hosts = request.headersDistinct.host ?? [];
  if (hosts.length > 1 || (hosts.length === 0 && request.httpVersion === '1.1')) {
    return errorReply(400, 'an HTTP/1.1 request needs exactly one Host header');
  }
  const target = request.url ?? '';
  if (target.length > HTTP_LIMITS.maxUrlLength) {
    return errorReply(
      414,
      `the request target is longer than ${String(HTTP_LIMITS.maxUrlLength)} characters`,
    );
  }
  const url = parseTarget(target);
  if (url === undefined) {
    return errorReply(400, 'the request target must be a path (/...) or an http(s) URL');
  }
  if (Number(request.headers['content-length'] ?? 0) > HTTP_LIMITS.maxIgnoredBodyBytes) {
    return {
      ...errorReply(
        413,
        `request bodies are ignored, and may be at most ${String(HTTP_LIMITS.maxIgnoredBodyBytes)} bytes`,
      ),
      headers: { connection: 'close' },
    };
  }
  return url;
}

/**
 * A request target in origin form (`/path?query`, kept as it is: `//x` is a path, not a host) or
 * absolute form (`http://host/path`); `undefined` for any other (`*`, `host:port`, an invalid
 * URL such as `http://[::1/health`).
 */
function parseTarget(target: string): URL | undefined {
  try {
    if (target.startsWith('/')) return new URL(`http://localhost${target}`);
    if (/^https?:\/\//i.test(target)) return new URL(target);
  } catch {
    // Not a URL: refused like the other targets.
  }
  return undefined;
}

/**
 * Reads and throws away a request's body (no route takes one), so that the next request of the
 * connection can be read; ends the connection once more than
 * {@link HTTP_LIMITS}`.maxIgnoredBodyBytes` arrived.
 */
function discardBody(request: IncomingMessage): void {
  let received = 0;
  request.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > HTTP_LIMITS.maxIgnoredBodyBytes) request.socket.destroy();
  });
}

/**
 * A client that goes away mid-request makes its streams emit errors: they end that request's
 * connection, never the process.
 */
function ignoreStreamErrors(request: IncomingMessage, response: ServerResponse): void {
  const ignore = (): void => undefined;
  request.on('error', ignore);
  response.on('error', ignore);
}

/**
 * Writes `reply`; when Node refuses it (a route's invalid status or header value), answers 500
 * instead if nothing was sent yet and tells `onFailure`.
 */
function send(
  response: ServerResponse,
  reply: Reply,
  requestId: string,
  onFailure: (error: unknown) => void = () => undefined,
): void {
  if (response.headersSent || response.destroyed) return;
  try {
    write(response, reply, requestId);
  } catch (error) {
    onFailure(error);
    try {
      write(response, internalErrorReply(requestId), requestId);
    } catch {
      // The head went out before the body failed: the connection is all that can be ended.
      response.destroy();
    }
  }
}

function write(response: ServerResponse, reply: Reply, requestId: string): void {
  const { status, contentType, body, cacheControl, headers } = reply;
  response.writeHead(status, {
    ...headers,
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': cacheControl ?? 'no-store',
    'x-request-id': requestId,
  });
  response.end(body);
}

/** The refusal of a request the HTTP parser could not read (or did not get in time). */
function clientErrorReply(error: { code?: string; reason?: string }): Reply {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return errorReply(
        431,
        `the request head is larger than ${String(HTTP_LIMITS.maxHeadBytes)} bytes`,
      );
    case 'HPE_INVALID_METHOD':
      return METHOD_NOT_ALLOWED;
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return errorReply(413, 'the chunk extensions are too large');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return errorReply(408, 'the request did not arrive in time');
    default:
      // llhttp's reasons are fixed texts ("Invalid header value char"), never the client's bytes.
      return errorReply(
        400,
        error.code?.startsWith('HPE_') === true && error.reason !== undefined
          ? `malformed request: ${error.reason}`
          : 'malformed request',
      );
  }
}

/** Writes `reply` as a whole HTTP/1.1 answer on a socket the HTTP server has given up on. */
function answerOnSocket(socket: Duplex, reply: Reply): void {
  const head: OutgoingHttpHeaders = {
    ...reply.headers,
    'content-type': reply.contentType,
    'content-length': Buffer.byteLength(reply.body),
    'cache-control': 'no-store',
    'x-request-id': randomUUID(),
    connection: 'close',
  };
  const lines = Object.entries(head).map(([name, value]) => `${name}: ${String(value)}`);
  socket.end(
    `HTTP/1.1 ${String(reply.status)} ${STATUS_CODES[reply.status] ?? ''}\r\n` +
      `${lines.join('\r\n')}\r\n\r\n${reply.body.toString()}`,
  );
}
