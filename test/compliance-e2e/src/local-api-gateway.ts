/**
 * The compliance API's function behind a local HTTP server, as API Gateway's HTTP API calls it
 * once its JWT authorizer accepted a token: each request becomes a payload v2 event whose
 * `requestContext.authorizer.jwt.claims` are those of the signed-in user the server stands for
 * (token checks are API Gateway's, asserted on the synthesized stack). The same origin serves the
 * built dashboard and a `config.json` pointing it at this API, without sign-in.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readStaticAsset } from '@uns-mlops/uns-validator/src/api/static-assets';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';

/** The function's handler as Lambda calls it. */
export type HttpApiHandler = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** What the local gateway serves. */
export interface LocalApiGatewayOptions {
  readonly handler: HttpApiHandler;
  /** The claims of the signed-in user, as the JWT authorizer hands them over. */
  readonly claims: Readonly<Record<string, string>>;
  /** The built dashboard (`dashboard/dist`). */
  readonly dashboardDir: string;
}

/** A running gateway: `url` is `http://127.0.0.1:<port>`. */
export interface LocalApiGateway {
  readonly url: string;
  close(): Promise<void>;
}

const API_PREFIX = '/api/';
const DASHBOARD_CONFIG = { complianceApiBase: '', anomalyApiBase: null, refreshSeconds: 2 };

/** Starts the gateway on a free loopback port. */
export async function startLocalApiGateway(
  options: LocalApiGatewayOptions,
): Promise<LocalApiGateway> {
  const server: Server = createServer((request, response) => {
    void answer(options, request, response).catch((error: unknown) => {
      response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`local gateway: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}

async function answer(
  options: LocalApiGatewayOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname.startsWith(API_PREFIX)) {
    const result = await options.handler(httpApiEvent(request, url, options.claims));
    response.writeHead(result.statusCode ?? 200, headerValues(result.headers));
    response.end(result.body ?? '');
    return;
  }
  if (url.pathname === '/config.json') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(DASHBOARD_CONFIG));
    return;
  }
  const asset = await readStaticAsset(options.dashboardDir, url.pathname);
  if (asset === undefined) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { 'content-type': asset.contentType });
  response.end(asset.body);
}

function headerValues(
  headers: APIGatewayProxyStructuredResultV2['headers'],
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]),
  );
}

/** A payload v2 event of the HTTP API's `GET /api/v1/compliance/{proxy+}` route. */
function httpApiEvent(
  request: IncomingMessage,
  url: URL,
  claims: Readonly<Record<string, string>>,
): APIGatewayProxyEventV2WithJWTAuthorizer {
  const method = request.method ?? 'GET';
  const now = new Date();
  return {
    version: '2.0',
    routeKey: 'GET /api/v1/compliance/{proxy+}',
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers: Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [
        name,
        Array.isArray(value) ? value.join(',') : (value ?? ''),
      ]),
    ),
    ...(url.search !== '' && { queryStringParameters: Object.fromEntries(url.searchParams) }),
    pathParameters: { proxy: url.pathname.slice('/api/v1/compliance/'.length) },
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: request.headers['user-agent'] ?? '',
      },
      requestId: `local-${String(now.getTime())}-${Math.random().toString(36).slice(2)}`,
      routeKey: 'GET /api/v1/compliance/{proxy+}',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: { claims: { ...claims }, scopes: [] },
      },
    },
  };
}
