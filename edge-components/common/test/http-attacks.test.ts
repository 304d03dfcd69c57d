/**
 * The shared HTTP server against malformed and hostile requests sent on raw sockets: each is
 * answered with the 4xx that names its problem (or served, when it is a valid request after all),
 * never 5xx, and the server answers the next request.
 */
import {
  sendMalformedRequests,
  sendRawRequest,
  type MalformedRequestOutcome,
} from '@uns-mlops/test-services';
import { monitoringRoutes, type RunningHttpServer, startHttpServer } from '../src/http-server';

/** The answer each request gets from a server with the monitoring routes and no fallback. */
const EXPECTED_STATUS: Readonly<Record<string, number | 'closed'>> = {
  'invalid URL in the request line': 400,
  'absolute-form target': 200,
  'absolute-form target with another scheme': 400,
  'authority-form target': 400,
  'asterisk-form target': 400,
  'asterisk target on GET': 400,
  'NUL byte in the path': 400,
  'control byte in the path': 400,
  'CR in the path': 400,
  'LF in the path': 400,
  'invalid UTF-8 bytes in the path': 400,
  'HTTP/9.9': 400,
  'HTTP/2 connection preface': 400,
  'HTTP/0.9 request': 400,
  'no Host header on HTTP/1.1': 400,
  'two Host headers': 400,
  'bare LF line ends': 400,
  '10 KB path': 414,
  '64 KB path': 431,
  'lowercase method': 405,
  'unknown method': 405,
  HEAD: 405,
  POST: 405,
  PUT: 405,
  DELETE: 405,
  OPTIONS: 405,
  TRACE: 405,
  PROPFIND: 405,
  CONNECT: 405,
  'NUL byte in a header value': 400,
  'control byte in a header value': 400,
  'CR in a header value': 400,
  'LF in a header value': 400,
  'invalid UTF-8 bytes in a header value': 200,
  'header without a colon': 400,
  'space in a header name': 400,
  'folded header line': 400,
  '1 MB header': 431,
  '10,000 headers': 431,
  'unknown Expect': 417,
  'upgrade to WebSocket': 200,
  'duplicate Content-Length': 400,
  'Content-Length with Transfer-Encoding': 400,
  'negative Content-Length': 400,
  'Content-Length overflow': 400,
  'body on GET': 200,
  'chunked body on GET': 200,
  '10 MB body declared on GET': 413,
  'body shorter than its Content-Length': 200,
  '%zz in the path': 404,
  'overlong UTF-8 %C0%80 in the path': 404,
  '%00 in the path': 404,
  '%zz in the query': 200,
  'overlong UTF-8 %C0%80 in the query': 200,
  '%00 in the query': 200,
  'truncated request line, then the end of the stream': 400,
  'truncated head, then the end of the stream': 400,
  'pipelined requests': 200,
  'empty lines before the request': 200,
  'nothing at all': 'closed',
};

/** An outcome as a status to compare with {@link EXPECTED_STATUS}. */
function statusOf(outcome: MalformedRequestOutcome): number | 'closed' | undefined {
  return outcome.closedWithoutAnswer ? 'closed' : outcome.statusCode;
}

describe('the HTTP server under malformed requests', () => {
  let server: RunningHttpServer;
  let outcomes: MalformedRequestOutcome[];

  beforeAll(async () => {
    server = await startHttpServer(
      { host: '127.0.0.1', port: 0 },
      monitoringRoutes({
        component: 'demo-component',
        health: () => ({ ok: true, checks: {} }),
        readiness: () => ({ ok: true, checks: {} }),
        metrics: () => Promise.resolve({ contentType: 'text/plain', body: '' }),
      }),
    );
    outcomes = await sendMalformedRequests(server.port);
  }, 60_000);

  afterAll(async () => {
    await server.close();
  });

  it('answers none of them with 5xx', () => {
    expect(outcomes.filter((outcome) => (outcome.statusCode ?? 0) >= 500)).toEqual([]);
  });

  it('answers GET /health with 200 after each', () => {
    expect(outcomes.filter((outcome) => outcome.healthStatus !== 200)).toEqual([]);
  });

  it('answers each with the status that names its problem', () => {
    const named = outcomes.filter(({ name }) => name in EXPECTED_STATUS);
    expect(Object.fromEntries(named.map((outcome) => [outcome.name, statusOf(outcome)]))).toEqual(
      EXPECTED_STATUS,
    );
  });

  it('answers broken chunked bodies with no more than a 4xx', () => {
    const chunked = outcomes.filter(({ name }) => name.startsWith('chunk size'));
    expect(chunked.map(statusOf)).toEqual([expect.any(Number), expect.any(Number)]);
    expect(chunked.every(({ statusCode }) => statusCode === 200 || statusCode === 400)).toBe(true);
  });

  it('answers the request line that once ended the process with 400', async () => {
    const answer = await sendRawRequest(
      server.port,
      Buffer.from('GET http://[::1/health HTTP/1.1\r\nHost: localhost\r\n\r\n'),
    );

    expect(answer).toEqual({ statusCode: 400, closedWithoutAnswer: false });
  });
});
