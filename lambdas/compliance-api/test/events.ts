import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';

/** What a test request is: the path with its query string, the caller's claims, the method. */
export interface TestRequest {
  /** `/api/v1/compliance/...?...`, as the browser asks it. */
  readonly url: string;
  /**
   * The claims of the access token, as the JWT authorizer hands them over.
   * @default - no authorizer on the route: no claims at all.
   */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** @default 'GET' */
  readonly method?: string;
}

let requests = 0;

/**
 * The payload v2 event the HTTP API sends the function for `request` once its JWT authorizer
 * accepted the token: `rawPath`, `rawQueryString` as sent, `queryStringParameters` with repeated
 * parameters joined by commas (as API Gateway joins them), the claims under
 * `requestContext.authorizer.jwt`, a request id of its own.
 */
export function httpApiEvent(request: TestRequest): APIGatewayProxyEventV2WithJWTAuthorizer {
  const url = new URL(request.url, 'https://api.example');
  const method = request.method ?? 'GET';
  const parameters: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    parameters[name] = name in parameters ? `${parameters[name] ?? ''},${value}` : value;
  }
  requests += 1;
  return {
    version: '2.0',
    routeKey: 'GET /api/v1/compliance/{proxy+}',
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers: { host: url.host, authorization: 'Bearer <checked by API Gateway>' },
    ...(url.search !== '' && { queryStringParameters: parameters }),
    pathParameters: { proxy: url.pathname.replace(/^\/api\/v1\/compliance\//, '') },
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'test',
      domainName: url.host,
      domainPrefix: 'api',
      http: {
        method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: '192.0.2.1',
        userAgent: 'jest',
      },
      requestId: `request-${String(requests)}`,
      routeKey: 'GET /api/v1/compliance/{proxy+}',
      stage: '$default',
      time: '02/Mar/2026:09:00:00 +0000',
      timeEpoch: Date.parse('2026-03-02T09:00:00Z'),
      ...(request.claims !== undefined && {
        authorizer: {
          principalId: '',
          integrationLatency: 0,
          jwt: { claims: request.claims as Record<string, string>, scopes: [] },
        },
      }),
    } as APIGatewayProxyEventV2WithJWTAuthorizer['requestContext'],
  };
}
