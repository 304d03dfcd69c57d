/**
 * Where the dashboard finds its APIs, how often it refreshes and how users sign in, read from
 * `config.json` beside `index.html` (a deployment writes that file: one build, every environment).
 */
export interface DashboardConfig {
  /** Origin (and path prefix) of the compliance API; `''` is the dashboard's own origin. */
  readonly complianceApiBase: string;
  /**
   * Origin (and path prefix) of the anomaly API; `''` is the dashboard's own origin, `null` means
   * there is none (the cloud): the Anomalies page is left out.
   */
  readonly anomalyApiBase: string | null;
  /** Seconds between two refreshes of a page's data. */
  readonly refreshSeconds: number;
  /**
   * Sign-in with the Amazon Cognito hosted UI; `undefined` (the local plant) means no sign-in and
   * no token on API calls.
   */
  readonly auth: AuthConfig | undefined;
}

/** The Cognito user pool and app client the dashboard signs users in with. */
export interface AuthConfig {
  /** OpenID issuer: `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`. */
  readonly authority: string;
  /** The user pool's app client id (a public client: no secret, authorization code + PKCE). */
  readonly clientId: string;
  /** The hosted UI's origin, `https://<prefix>.auth.<region>.amazoncognito.com` (sign-out). */
  readonly hostedUiDomain: string;
  /** OAuth scopes requested, space-separated; must include `openid`. */
  readonly scope: string;
}

/** Same origin for both APIs, refreshed every 5 s, no sign-in: what the local plant needs. */
export const DEFAULT_CONFIG: DashboardConfig = {
  complianceApiBase: '',
  anomalyApiBase: '',
  refreshSeconds: 5,
  auth: undefined,
};

/** Scopes asked for when `auth.scope` is left out. */
export const DEFAULT_SCOPE = 'openid email profile';

const AUTH_KEYS = ['authority', 'clientId', 'hostedUiDomain', 'scope'] as const;

/**
 * Reads `config.json` next to `index.html`; keys it lacks keep their defaults.
 *
 * @throws when the file cannot be read or {@link parseConfig} rejects it.
 */
export async function loadConfig(): Promise<DashboardConfig> {
  const response = await fetch('config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: HTTP ${String(response.status)}`);
  return parseConfig(await response.json());
}

/**
 * Checks the contents of `config.json` and fills in the defaults.
 *
 * @throws one error listing every problem (a key of the wrong type, an unknown `auth` key, a URL
 *   that is not one).
 */
export function parseConfig(file: unknown): DashboardConfig {
  if (!isRecord(file)) throw new Error('config.json: must hold a JSON object');
  const problems: string[] = [];
  const base = (key: 'complianceApiBase' | 'anomalyApiBase'): string | null => {
    const value = file[key];
    if (value === undefined) return DEFAULT_CONFIG[key];
    if (value === null && key === 'anomalyApiBase') return null;
    if (typeof value === 'string') return value.replace(/\/+$/, '');
    problems.push(`${key} must be a string${key === 'anomalyApiBase' ? ' or null' : ''}`);
    return '';
  };
  const complianceApiBase = base('complianceApiBase') ?? '';
  const anomalyApiBase = base('anomalyApiBase');
  const refreshSeconds = file.refreshSeconds ?? DEFAULT_CONFIG.refreshSeconds;
  if (typeof refreshSeconds !== 'number' || !(refreshSeconds >= 1)) {
    problems.push('refreshSeconds must be a number of at least 1');
  }
  const auth = file.auth === undefined || file.auth === null ? undefined : parseAuth(file.auth);
  if (Array.isArray(auth)) problems.push(...auth);
  if (problems.length > 0) throw new Error(`config.json: ${problems.join('; ')}`);
  return {
    complianceApiBase,
    anomalyApiBase,
    refreshSeconds: refreshSeconds as number,
    auth: auth as AuthConfig | undefined,
  };
}

/** The `auth` object, or the problems found in it. */
function parseAuth(auth: unknown): AuthConfig | string[] {
  if (!isRecord(auth)) return ['auth must be an object (or left out for no sign-in)'];
  const problems = Object.keys(auth)
    .filter((key) => !(AUTH_KEYS as readonly string[]).includes(key))
    .map((key) => `auth.${key} is not a setting (expected ${AUTH_KEYS.join(', ')})`);
  const text = (key: (typeof AUTH_KEYS)[number]): string => {
    const value = auth[key];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    problems.push(`auth.${key} must be a non-empty string`);
    return '';
  };
  const origin = (key: 'authority' | 'hostedUiDomain'): string => {
    const value = text(key).replace(/\/+$/, '');
    if (value !== '' && !isSecureUrl(value)) {
      problems.push(
        `auth.${key} must be an https:// URL (http:// only on localhost), not ${value}`,
      );
    }
    return value;
  };
  const authority = origin('authority');
  const clientId = text('clientId');
  const hostedUiDomain = origin('hostedUiDomain');
  const scope = auth.scope === undefined ? DEFAULT_SCOPE : text('scope');
  if (scope !== '' && !scope.split(/\s+/).includes('openid')) {
    problems.push(`auth.scope must include openid, not "${scope}"`);
  }
  return problems.length > 0 ? problems : { authority, clientId, hostedUiDomain, scope };
}

/** `https:` anywhere, `http:` only on the loopback (a development identity provider). */
function isSecureUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    url.protocol === 'https:' ||
    (url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname))
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
