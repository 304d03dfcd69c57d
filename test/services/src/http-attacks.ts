/**
 * Malformed and hostile HTTP requests as raw bytes, and a client that sends bytes on a socket of
 * their own and reads only the status line of the answer: what a fuzz test or benchmark throws
 * at an edge component's HTTP port (fetch could not send most of them).
 */
import { connect } from 'node:net';

/** One request of {@link MALFORMED_HTTP_REQUESTS}. */
export interface MalformedHttpRequest {
  /** What is wrong with it, as a test names its case. */
  readonly name: string;
  /** Everything written on the connection (which is ended after them). */
  readonly bytes: Buffer;
}

/** What {@link sendRawRequest} saw. */
export interface RawAnswer {
  /** The status code of the first answer's status line; `undefined` without a readable one. */
  readonly statusCode: number | undefined;
  /** The server closed (or reset) the connection without sending a byte. */
  readonly closedWithoutAnswer: boolean;
}

/** Bytes as written: every character of `text` is one byte (latin1), control bytes included. */
function bytes(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/** A request line, a `Host` header and `headers`, then the empty line and `body`. */
function request(line: string, headers: readonly string[] = [], body = ''): Buffer {
  return bytes([line, 'Host: localhost', ...headers, '', body].join('\r\n'));
}

/** `GET <target> HTTP/1.1` with a `Host` header. */
function get(target: string, headers: readonly string[] = [], body = ''): Buffer {
  return request(`GET ${target} HTTP/1.1`, headers, body);
}

/** A request target whose query parameters an API must refuse with 400. */
export interface MalformedQuery {
  readonly name: string;
  /** Path and query string, percent-encoded as sent. */
  readonly target: string;
  /** The parameter at fault, which the answer's reason starts with. */
  readonly parameter: string;
}

/**
 * Query parameters the validator's compliance API (`/api/v1/compliance/...`) and the inference
 * runtime's anomaly API (`/api/v1/anomalies/...`) must refuse with 400 before they reach a store:
 * control characters, text that is not UTF-8, dates outside the years 1 to 9999 or not ISO 8601,
 * cursors and numbers out of range.
 */
export const MALFORMED_QUERY_PARAMETERS: readonly MalformedQuery[] = [
  {
    name: 'NUL byte in site',
    target: '/api/v1/compliance/violations?site=a%00b',
    parameter: 'site',
  },
  {
    name: 'NUL byte in channel',
    target: '/api/v1/compliance/violations?channel=%00',
    parameter: 'channel',
  },
  {
    name: 'NUL byte in errorKind',
    target: '/api/v1/compliance/violations?errorKind=schema%00',
    parameter: 'errorKind',
  },
  {
    name: 'escape character in site',
    target: '/api/v1/compliance/overview?site=%1B%5B2J',
    parameter: 'site',
  },
  {
    name: 'invalid UTF-8 in site',
    target: '/api/v1/compliance/violations?site=%C0%80',
    parameter: 'site',
  },
  {
    name: 'year 0 as since',
    target: '/api/v1/compliance/overview?since=0000-01-01T00:00:00Z',
    parameter: 'since',
  },
  {
    name: 'expanded year as until',
    target: '/api/v1/compliance/overview?until=%2B275760-09-13T00:00:00.000Z',
    parameter: 'until',
  },
  {
    name: 'bare number as until',
    target: '/api/v1/compliance/overview?until=99999',
    parameter: 'until',
  },
  {
    name: 'cursor beyond the year 9999',
    target: '/api/v1/compliance/violations?before=999999999999999.999999999999999',
    parameter: 'before',
  },
  {
    name: 'step beyond 2^31',
    target: '/api/v1/compliance/overview?step=4294967296',
    parameter: 'step',
  },
  {
    name: 'limit as an exponent',
    target: '/api/v1/compliance/violations?limit=1e2',
    parameter: 'limit',
  },
  {
    name: 'year 0 as anomaly since',
    target: '/api/v1/anomalies/scores?since=0000-01-01T00:00:00Z',
    parameter: 'since',
  },
  {
    name: 'bare number as anomaly since',
    target: '/api/v1/anomalies/scores?since=99999',
    parameter: 'since',
  },
  {
    name: 'NUL byte in anomaly asset',
    target: '/api/v1/anomalies/scores?asset=a/b/c/d/e/%00',
    parameter: 'asset',
  },
  {
    name: 'anomaly limit beyond any number',
    target: '/api/v1/anomalies/events?limit=1e309',
    parameter: 'limit',
  },
  {
    name: 'fractional anomaly limit',
    target: '/api/v1/anomalies/events?limit=1.5',
    parameter: 'limit',
  },
];

/**
 * Requests no edge component may answer with 5xx or die of: broken request lines and targets,
 * control bytes in paths and headers, oversized and conflicting heads, broken bodies, methods
 * other than GET, broken percent-encoding, the bad query parameters of the APIs, pipelining and
 * truncation. Each is written on a fresh connection, which the client then ends.
 */
export const MALFORMED_HTTP_REQUESTS: readonly MalformedHttpRequest[] = [
  // Request lines and targets.
  { name: 'invalid URL in the request line', bytes: get('http://[::1/health') },
  { name: 'absolute-form target', bytes: get('http://localhost/health') },
  { name: 'absolute-form target with another scheme', bytes: get('ftp://localhost/health') },
  { name: 'authority-form target', bytes: get('localhost:80') },
  { name: 'asterisk-form target', bytes: request('OPTIONS * HTTP/1.1') },
  { name: 'asterisk target on GET', bytes: get('*') },
  { name: 'NUL byte in the path', bytes: get('/hea\x00lth') },
  { name: 'control byte in the path', bytes: get('/hea\x01lth') },
  { name: 'CR in the path', bytes: get('/hea\rlth') },
  { name: 'LF in the path', bytes: get('/hea\nlth') },
  { name: 'invalid UTF-8 bytes in the path', bytes: get('/health\xc3\x28\xff') },
  { name: 'HTTP/9.9', bytes: request('GET /health HTTP/9.9') },
  { name: 'HTTP/2 connection preface', bytes: bytes('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n') },
  { name: 'HTTP/0.9 request', bytes: bytes('GET /\r\n') },
  { name: 'no Host header on HTTP/1.1', bytes: bytes('GET /health HTTP/1.1\r\n\r\n') },
  { name: 'two Host headers', bytes: get('/health', ['Host: elsewhere']) },
  { name: 'bare LF line ends', bytes: bytes('GET /health HTTP/1.1\nHost: localhost\n\n') },
  { name: 'not HTTP at all (a TLS client hello)', bytes: Buffer.from([0x16, 3, 1, 0, 0xa5, 1]) },
  { name: '10 KB path', bytes: get(`/${'a'.repeat(10 * 1024)}`) },
  { name: '64 KB path', bytes: get(`/${'a'.repeat(64 * 1024)}`) },
  // Methods.
  { name: 'lowercase method', bytes: request('get /health HTTP/1.1') },
  { name: 'unknown method', bytes: request('BREW /health HTTP/1.1') },
  { name: 'HEAD', bytes: request('HEAD /health HTTP/1.1') },
  { name: 'POST', bytes: request('POST /health HTTP/1.1', ['Content-Length: 2'], '{}') },
  { name: 'PUT', bytes: request('PUT /health HTTP/1.1', ['Content-Length: 2'], '{}') },
  { name: 'DELETE', bytes: request('DELETE /health HTTP/1.1') },
  { name: 'OPTIONS', bytes: request('OPTIONS /health HTTP/1.1') },
  { name: 'TRACE', bytes: request('TRACE /health HTTP/1.1') },
  { name: 'PROPFIND', bytes: request('PROPFIND /health HTTP/1.1') },
  { name: 'CONNECT', bytes: request('CONNECT localhost:443 HTTP/1.1') },
  // Headers.
  { name: 'NUL byte in a header value', bytes: get('/health', ['X-Test: a\x00b']) },
  { name: 'control byte in a header value', bytes: get('/health', ['X-Test: a\x01b']) },
  { name: 'CR in a header value', bytes: get('/health', ['X-Test: a\rb']) },
  { name: 'LF in a header value', bytes: get('/health', ['X-Test: a\nb']) },
  { name: 'invalid UTF-8 bytes in a header value', bytes: get('/health', ['X-Test: \xc3\x28']) },
  { name: 'header without a colon', bytes: get('/health', ['NoColonHere']) },
  { name: 'space in a header name', bytes: get('/health', ['X Test: a']) },
  { name: 'folded header line', bytes: get('/health', ['X-Test: a', ' b']) },
  { name: '1 MB header', bytes: get('/health', [`X-Big: ${'a'.repeat(1024 * 1024)}`]) },
  {
    name: '10,000 headers',
    bytes: get(
      '/health',
      Array.from({ length: 10_000 }, () => 'X-A: b'),
    ),
  },
  { name: 'unknown Expect', bytes: get('/health', ['Expect: bananas']) },
  {
    name: 'upgrade to WebSocket',
    bytes: get('/health', ['Connection: Upgrade', 'Upgrade: websocket']),
  },
  // Bodies.
  {
    name: 'duplicate Content-Length',
    bytes: get('/health', ['Content-Length: 1', 'Content-Length: 2'], 'ab'),
  },
  {
    name: 'Content-Length with Transfer-Encoding',
    bytes: get('/health', ['Content-Length: 5', 'Transfer-Encoding: chunked'], '0\r\n\r\n'),
  },
  { name: 'negative Content-Length', bytes: get('/health', ['Content-Length: -1']) },
  {
    name: 'Content-Length overflow',
    bytes: get('/health', ['Content-Length: 99999999999999999999999']),
  },
  {
    name: 'chunk size that is no number',
    bytes: get('/health', ['Transfer-Encoding: chunked'], 'zz\r\nabc\r\n0\r\n\r\n'),
  },
  {
    name: 'chunk size overflow',
    bytes: get(
      '/health',
      ['Transfer-Encoding: chunked'],
      'ffffffffffffffffffff\r\nabc\r\n0\r\n\r\n',
    ),
  },
  { name: 'body on GET', bytes: get('/health', ['Content-Length: 11'], 'hello world') },
  {
    name: 'chunked body on GET',
    bytes: get('/health', ['Transfer-Encoding: chunked'], '5\r\nhello\r\n0\r\n\r\n'),
  },
  {
    name: '10 MB body declared on GET',
    bytes: get('/health', ['Content-Length: 10485760'], 'a'.repeat(1024)),
  },
  {
    name: 'body shorter than its Content-Length',
    bytes: get('/health', ['Content-Length: 100'], 'short'),
  },
  // Percent-encoding.
  { name: '%zz in the path', bytes: get('/health%zz') },
  { name: 'overlong UTF-8 %C0%80 in the path', bytes: get('/%C0%80') },
  { name: '%00 in the path', bytes: get('/health%00') },
  { name: '%zz in the query', bytes: get('/health?x=%zz') },
  { name: 'overlong UTF-8 %C0%80 in the query', bytes: get('/health?x=%C0%80') },
  { name: '%00 in the query', bytes: get('/health?x=%00') },
  ...MALFORMED_QUERY_PARAMETERS.map(({ name, target }) => ({ name, bytes: get(target) })),
  // Connections.
  { name: 'truncated request line, then the end of the stream', bytes: bytes('GET /hea') },
  {
    name: 'truncated head, then the end of the stream',
    bytes: bytes('GET /health HTTP/1.1\r\nHost: loc'),
  },
  {
    name: 'pipelined requests',
    bytes: Buffer.concat([get('/health'), get('/nothing'), request('POST /health HTTP/1.1')]),
  },
  {
    name: 'empty lines before the request',
    bytes: Buffer.concat([bytes('\r\n\r\n'), get('/health')]),
  },
  { name: 'nothing at all', bytes: Buffer.alloc(0) },
];

/**
 * Connects to `port`, writes `bytes`, ends its side of the connection and resolves with the
 * status code of the first answer's status line as soon as it arrived, or with
 * `closedWithoutAnswer` when the server closes (or resets) the connection without a byte.
 * Rejects when the connection cannot be made (nothing listens: the process died) or, as a safety
 * net, when neither happened within `timeoutMs` (default 15 s).
 */
export function sendRawRequest(
  port: number,
  bytes: Buffer,
  options: { host?: string; timeoutMs?: number } = {},
): Promise<RawAnswer> {
  const { host = '127.0.0.1', timeoutMs = 15_000 } = options;
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host });
    let received = Buffer.alloc(0);
    let connected = false;
    let settled = false;
    const settle = (settleWith: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      socket.destroy();
      settleWith();
    };
    const deadline = setTimeout(() => {
      settle(() => {
        reject(new Error(`no answer from ${host}:${String(port)} within ${String(timeoutMs)} ms`));
      });
    }, timeoutMs);
    socket.once('connect', () => {
      connected = true;
      socket.end(bytes);
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const lineEnd = received.indexOf('\r\n');
      if (lineEnd >= 0) {
        settle(() => {
          resolve({
            statusCode: statusCodeOf(received.subarray(0, lineEnd)),
            closedWithoutAnswer: false,
          });
        });
      }
    });
    socket.on('error', (error) => {
      // Once connected, a reset or a broken pipe is the server closing: 'close' follows.
      if (!connected) {
        settle(() => {
          reject(error);
        });
      }
    });
    socket.on('close', () => {
      settle(() => {
        resolve({
          statusCode: received.length === 0 ? undefined : statusCodeOf(received),
          closedWithoutAnswer: received.length === 0,
        });
      });
    });
  });
}

/** The status code of an HTTP/1.x status line, or `undefined` when `line` is none. */
function statusCodeOf(line: Buffer): number | undefined {
  const match = /^HTTP\/\d\.\d (\d{3})(?: |$)/.exec(line.toString('latin1'));
  return match === null ? undefined : Number(match[1]);
}

/** What one request of {@link MALFORMED_HTTP_REQUESTS} got, and the health check after it. */
export interface MalformedRequestOutcome extends RawAnswer {
  readonly name: string;
  /** The status of `GET /health` sent right after, on a connection of its own. */
  readonly healthStatus: number | undefined;
}

/**
 * Sends every request of {@link MALFORMED_HTTP_REQUESTS} to `port`, one after the other, each
 * followed by `GET /health`: a fuzz test asserts over the outcomes that no answer was 5xx and that
 * every health check got 200 (the process lives and answers the next request).
 */
export async function sendMalformedRequests(
  port: number,
  options: { host?: string; timeoutMs?: number } = {},
): Promise<MalformedRequestOutcome[]> {
  const outcomes: MalformedRequestOutcome[] = [];
  for (const { name, bytes: attack } of MALFORMED_HTTP_REQUESTS) {
    const answer = await sendRawRequest(port, attack, options);
    const health = await sendRawRequest(port, get('/health'), options);
    outcomes.push({ name, ...answer, healthStatus: health.statusCode });
  }
  return outcomes;
}
