/** The typed client of the dashboard's API (see `openapi.yaml`; types in `./types`). */
import type { DashboardConfig } from '../config';
import type {
  AnomalyEvents,
  AnomalyScores,
  AnomalyStatus,
  ComplianceOverview,
  ContractsReport,
  ViolationFacets,
  ViolationPage,
} from './types';

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

/** One method per endpoint; each takes an `AbortSignal` so a page can cancel what it left. */
export class ApiClient {
  constructor(private readonly config: DashboardConfig) {}

  overview(query: { since: string; until?: string }, signal?: AbortSignal) {
    return this.get<ComplianceOverview>(
      this.config.complianceApiBase,
      'compliance/overview',
      query,
      signal,
    );
  }

  violations(
    query: { limit: number; site?: string; errorKind?: string; before?: string },
    signal?: AbortSignal,
  ) {
    return this.get<ViolationPage>(
      this.config.complianceApiBase,
      'compliance/violations',
      query,
      signal,
    );
  }

  facets(signal?: AbortSignal) {
    return this.get<ViolationFacets>(
      this.config.complianceApiBase,
      'compliance/facets',
      {},
      signal,
    );
  }

  contracts(signal?: AbortSignal) {
    return this.get<ContractsReport>(
      this.config.complianceApiBase,
      'compliance/contracts',
      {},
      signal,
    );
  }

  anomalyStatus(signal?: AbortSignal) {
    return this.get<AnomalyStatus>(this.config.anomalyApiBase, 'anomalies/status', {}, signal);
  }

  anomalyScores(query: { since: string; asset?: string }, signal?: AbortSignal) {
    return this.get<AnomalyScores>(this.config.anomalyApiBase, 'anomalies/scores', query, signal);
  }

  anomalyEvents(query: { limit: number }, signal?: AbortSignal) {
    return this.get<AnomalyEvents>(this.config.anomalyApiBase, 'anomalies/events', query, signal);
  }

  private async get<T>(base: string, path: string, query: Query, signal?: AbortSignal): Promise<T> {
    const parameters = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) parameters.set(name, String(value));
    }
    const search = parameters.size > 0 ? `?${parameters.toString()}` : '';
    const url = `${base}/api/v1/${path}${search}`;
    let response: Response;
    try {
      response = await fetch(url, { signal, headers: { accept: 'application/json' } });
    } catch (error) {
      if (signal?.aborted === true) throw error;
      throw new ApiRequestError(`${url} could not be reached`);
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
