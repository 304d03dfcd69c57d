/** Where the dashboard finds its APIs and how often it refreshes, read from `config.json`. */
export interface DashboardConfig {
  /** Origin (and path prefix) of the compliance API; `''` is the dashboard's own origin. */
  readonly complianceApiBase: string;
  /** Origin (and path prefix) of the anomaly API; `''` is the dashboard's own origin. */
  readonly anomalyApiBase: string;
  /** Seconds between two refreshes of a page's data. */
  readonly refreshSeconds: number;
}

/** Same origin for both APIs, refreshed every 5 s. */
export const DEFAULT_CONFIG: DashboardConfig = {
  complianceApiBase: '',
  anomalyApiBase: '',
  refreshSeconds: 5,
};

/**
 * Reads `config.json` next to `index.html` (a deployment replaces that file to point the
 * dashboard elsewhere); keys it lacks keep their defaults.
 *
 * @throws when the file cannot be read or holds a key of the wrong type.
 */
export async function loadConfig(): Promise<DashboardConfig> {
  const response = await fetch('config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: HTTP ${String(response.status)}`);
  const file = (await response.json()) as Partial<Record<keyof DashboardConfig, unknown>>;
  const text = (key: 'complianceApiBase' | 'anomalyApiBase'): string => {
    const value = file[key] ?? DEFAULT_CONFIG[key];
    if (typeof value !== 'string') throw new Error(`config.json: ${key} must be a string`);
    return value.replace(/\/+$/, '');
  };
  const refreshSeconds = file.refreshSeconds ?? DEFAULT_CONFIG.refreshSeconds;
  if (typeof refreshSeconds !== 'number' || !(refreshSeconds >= 1)) {
    throw new Error('config.json: refreshSeconds must be a number of at least 1');
  }
  return {
    complianceApiBase: text('complianceApiBase'),
    anomalyApiBase: text('anomalyApiBase'),
    refreshSeconds,
  };
}
