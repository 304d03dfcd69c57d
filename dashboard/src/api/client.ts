/** The typed client of the dashboard's API (see `openapi.yaml`; types in `./types`). */
import type { Session } from '../auth/session';
import type { DashboardConfig } from '../config';
import type { operations } from './openapi';
import type {
  AnomalyDrift,
  AnomalyEvents,
  AnomalyScores,
  AnomalyStatus,
  ComplianceOverview,
  ContractsReport,
  FacilitiesReport,
  ModelLoopReport,
  SiteList,
  ViolationFacets,
  ViolationPage,
} from './types';

/** The query parameters of an operation of `openapi.yaml`, by its `operationId`. */
type QueryOf<Id extends keyof operations> = NonNullable<operations[Id]['parameters']['query']>;

/** Query parameters; `undefined` ones are left out. */
type Query = Readonly<Record<string, string | number | undefined>>;

/** An answer other than HTTP 200, or no answer. */
export class ApiRequestError extends Error {
  constructor(
    message: string,
    /** HTTP status, `undefined` when the server could not be reached. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

/**
 * One method per endpoint; each takes an `AbortSignal` so a page can cancel what it left. With a
 * signed-in {@link Session}, every compliance request carries its access token; a 401 renews the
 * token and tries once more, then signs in again.
 */
export class ApiClient {
  constructor(
    private readonly config: DashboardConfig,
    private readonly session?: Session,
  ) {}

  /** Whether the anomaly API exists here (`anomalyApiBase` is not `null`). */
  get hasAnomalyApi(): boolean {
    return this.config.anomalyApiBase !== null;
  }

  overview(query: QueryOf<'getComplianceOverview'>, signal?: AbortSignal) {
    return this.compliance<ComplianceOverview>('overview', query, signal);
  }

  sites(signal?: AbortSignal) {
    return this.compliance<SiteList>('sites', {}, signal);
  }

  facilities(query: QueryOf<'compareFacilities'>, signal?: AbortSignal) {
    return this.compliance<FacilitiesReport>('facilities', query, signal);
  }

  violations(query: QueryOf<'listViolations'>, signal?: AbortSignal) {
    return this.compliance<ViolationPage>('violations', query, signal);
  }

  facets(query: QueryOf<'getViolationFacets'>, signal?: AbortSignal) {
    return this.compliance<ViolationFacets>('facets', query, signal);
  }

  contracts(query: QueryOf<'getContracts'>, signal?: AbortSignal) {
    return this.compliance<ContractsReport>('contracts', query, signal);
  }

  anomalyStatus(signal?: AbortSignal) {
    return this.edge<AnomalyStatus>('anomalies/status', {}, signal);
  }

  anomalyScores(query: QueryOf<'listAnomalyScores'>, signal?: AbortSignal) {
    return this.edge<AnomalyScores>('anomalies/scores', query, signal);
  }

  anomalyEvents(query: QueryOf<'listAnomalyEvents'>, signal?: AbortSignal) {
    return this.edge<AnomalyEvents>('anomalies/events', query, signal);
  }

  anomalyDrift(query: QueryOf<'listAnomalyDrift'>, signal?: AbortSignal) {
    return this.edge<AnomalyDrift>('anomalies/drift', query, signal);
  }

  /**
   * The local plant's model loop and model history, from the anomaly API's origin; `null` where
   * that server has none (HTTP 404: not the local plant), which is no error.
   */
  async modelLoop(signal?: AbortSignal): Promise<ModelLoopReport | null> {
    try {
      return await this.edge<ModelLoopReport>('models', {}, signal);
    } catch (error) {
      if (error instanceof ApiRequestError && error.status === 404) return null;
      throw error;
    }
  }

  private async compliance<T>(path: string, query: Query, signal?: AbortSignal): Promise<T> {
    const url = this.url(this.config.complianceApiBase, `compliance/${path}`, query);
    const { session } = this;
    if (session === undefined) return this.get<T>(url, query, signal);
    const send = async () =>
      this.get<T>(url, query, signal, `Bearer ${await session.accessToken()}`);
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof ApiRequestError) || error.status !== 401) throw error;
    }
    await session.renewRejectedToken();
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof ApiRequestError) || error.status !== 401) throw error;
      return session.signInAgain('The compliance API refused your sign-in (HTTP 401)');
    }
  }

  /** A request to the edge's own APIs: the anomaly runtime's, and the local plant's model loop. */
  private edge<T>(path: string, query: Query, signal?: AbortSignal): Promise<T> {
    const base = this.config.anomalyApiBase;
    if (base === null) return Promise.reject(new ApiRequestError('there is no anomaly API here'));
    return this.get<T>(this.url(base, path, query), query, signal);
  }

  private url(base: string, path: string, query: Query): string {
    const parameters = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) parameters.set(name, String(value));
    }
    const search = parameters.size > 0 ? `?${parameters.toString()}` : '';
    return `${base}/api/v1/${path}${search}`;
  }

  private async get<T>(
    url: string,
    query: Query,
    signal?: AbortSignal,
    authorization?: string,
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (authorization !== undefined) headers.authorization = authorization;
    let response: Response;
    try {
      response = await fetch(url, { signal, headers });
    } catch (error) {
      if (signal?.aborted === true) throw error;
      throw new ApiRequestError(`${url} could not be reached`);
    }
    if (response.status === 403) {
      // The caller's groups do not allow the site it named, or any site (see openapi.yaml).
      const { site } = query;
      throw new ApiRequestError(
        typeof site === 'string'
          ? `You may not read site “${site}”. Choose another site above.`
          : 'You may not read any site: your account belongs to no site group.',
        403,
      );
    }
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { error?: unknown };
      const reason = typeof body.error === 'string' ? body.error : response.statusText;
      throw new ApiRequestError(
        `${url}: HTTP ${String(response.status)} ${reason}`,
        response.status,
      );
    }
    return (await response.json()) as T;
  }
}
