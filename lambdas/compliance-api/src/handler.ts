import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import {
  BadRequestError,
  ComplianceQueries,
  type ComplianceRoute,
  complianceRoutes,
  ForbiddenError,
  NotFoundError,
  type SqlExecutor,
} from '@uns-mlops/validation-store';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import { groupsOf, QUALITY_GROUP, readableSites, SITE_GROUP_PREFIX } from './authorization';
import { SERVICE_NAME } from './config';

/** The Metrics instance of the function: the configured namespace, dimension `service`. */
export function createApiMetrics(namespace: string): Metrics {
  return new Metrics({ namespace, serviceName: SERVICE_NAME });
}

/** Dependencies of {@link createComplianceApiHandler}, so that tests pass a real database. */
export interface ApiDependencies {
  /** The compliance store (validation-store schema), read only. */
  readonly store: SqlExecutor;
  readonly logger: Logger;
  /** As {@link createApiMetrics} makes it. */
  readonly metrics: Metrics;
  /** @default - no subsegment (tests; Powertools disables tracing outside Lambda anyway) */
  readonly tracer?: Tracer;
  /**
   * The clock that ranges without `until` end at.
   * @default - `new Date()`.
   */
  readonly now?: () => Date;
}

/** The function as the HTTP API calls it (payload format 2.0, JWT authorizer). */
export type ComplianceApiHandler = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** An answer before it is serialized. */
interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The Lambda handler of the HTTP API's compliance routes (`GET /api/v1/compliance/...`, the
 * document `dashboard/openapi.yaml`): the routes and SQL of `@uns-mlops/validation-store`, each
 * caller limited to the sites its Cognito groups allow (`cognito:groups` of the JWT authorizer's
 * claims). A request naming a site outside them is 403 with the reason, and so is a caller of no
 * reader's group; without `site` an answer covers the caller's sites only. A bad parameter is 400
 * with the reason, an unknown path 404, another method than GET 405; any other failure is a 500
 * that says only its request id (API Gateway's), under which the failure is logged.
 */
export function createComplianceApiHandler(deps: ApiDependencies): ComplianceApiHandler {
  const routes = complianceRoutes({ queries: new ComplianceQueries(deps.store), now: deps.now });
  return async (event) => {
    const began = performance.now();
    const requestId = event.requestContext.requestId;
    const path = event.rawPath;
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    // The subsegment is named after a known path only (X-Ray restricts names; the path is the
    // client's).
    const answer = await traced(deps.tracer, route && path, () =>
      answerRequest(deps, route, event),
    );
    publish(deps, {
      path,
      status: answer.status,
      milliseconds: performance.now() - began,
      groups: groupsOf(claimsOf(event)),
    });
    return {
      statusCode: answer.status,
      headers: {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        'x-request-id': requestId,
        ...answer.headers,
      },
      body: JSON.stringify(answer.body),
    };
  };
}

/** The answer to `event`, by `route` (`undefined`: the path is no endpoint). */
async function answerRequest(
  deps: ApiDependencies,
  route: ComplianceRoute | undefined,
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
): Promise<Answer> {
  const path = event.rawPath;
  if (route === undefined) return refusal(404, `no such endpoint: ${path}`);
  if (event.requestContext.http.method !== 'GET') {
    return { ...refusal(405, 'only GET is supported'), headers: { allow: 'GET' } };
  }
  const scope = readableSites(groupsOf(claimsOf(event)));
  if (scope === undefined) {
    return refusal(
      403,
      `you belong to no group that may read compliance: ${QUALITY_GROUP} or ${SITE_GROUP_PREFIX}<site>`,
    );
  }
  try {
    return { status: 200, body: await route(new URLSearchParams(event.rawQueryString), scope) };
  } catch (error) {
    if (error instanceof BadRequestError) return refusal(400, error.message);
    if (error instanceof ForbiddenError) return refusal(403, error.message);
    if (error instanceof NotFoundError) return refusal(404, error.message);
    const requestId = event.requestContext.requestId;
    deps.logger.error('Request failed', { requestId, path, error });
    return { status: 500, body: { error: 'internal error', requestId } };
  }
}

/**
 * The claims of the caller's access token; none when the route has no JWT authorizer (a wiring
 * mistake, which then reads nothing: 403).
 */
function claimsOf(
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
): Readonly<Record<string, unknown>> | undefined {
  const { authorizer } = event.requestContext as Partial<typeof event.requestContext>;
  return authorizer?.jwt.claims;
}

function refusal(status: number, message: string): Answer {
  return { status, body: { error: message } };
}

/** What one request did, for its metrics and its log line. */
interface RequestOutcome {
  readonly path: string;
  readonly status: number;
  readonly milliseconds: number;
  readonly groups: readonly string[];
}

/**
 * One EMF document per request: `Requests`, `Latency`, and `ClientErrors` (4xx), `Forbidden`
 * (403) and `ServerErrors` (5xx) when they apply; one log line.
 */
function publish(deps: ApiDependencies, outcome: RequestOutcome): void {
  const { metrics, logger } = deps;
  const { Count, Milliseconds } = MetricUnit;
  metrics.addMetric('Requests', Count, 1);
  metrics.addMetric('Latency', Milliseconds, outcome.milliseconds);
  if (outcome.status >= 400 && outcome.status < 500) metrics.addMetric('ClientErrors', Count, 1);
  if (outcome.status === 403) metrics.addMetric('Forbidden', Count, 1);
  if (outcome.status >= 500) metrics.addMetric('ServerErrors', Count, 1);
  metrics.publishStoredMetrics();
  logger.info('Request answered', {
    path: outcome.path,
    status: outcome.status,
    milliseconds: Math.round(outcome.milliseconds),
    groups: outcome.groups,
  });
}

/**
 * Runs `work` in an X-Ray subsegment named after the endpoint's path (`undefined`: no endpoint)
 * when tracing is on.
 */
async function traced(
  tracer: Tracer | undefined,
  path: string | undefined,
  work: () => Promise<Answer>,
): Promise<Answer> {
  const parent = tracer?.isTracingEnabled() ? tracer.getSegment() : undefined;
  if (tracer === undefined || parent === undefined) return work();
  tracer.annotateColdStart();
  tracer.addServiceNameAnnotation();
  const subsegment = parent.addNewSubsegment(`### ${path ?? 'no such endpoint'}`);
  tracer.setSegment(subsegment);
  try {
    const answer = await work();
    subsegment.addAnnotation('status', answer.status);
    return answer;
  } finally {
    subsegment.close();
    tracer.setSegment(parent);
  }
}
