/**
 * The dashboard's HTTP API, as TypeScript: the one place its types live. `openapi.yaml` beside
 * the package documents the same shapes (the validator's API tests check every response against
 * it); the validator's compliance handlers and the dashboard's client both use these types.
 * Times are ISO 8601 strings in UTC.
 */

/** What the validator does with a channel's messages beyond recording the verdict. */
export type EnforcementMode = 'monitor' | 'quarantine' | 'filter';

/** An error answer (HTTP 4xx/5xx). */
export interface ApiError {
  readonly error: string;
  /** HTTP 500 only: the id under which the component logged the failure. */
  readonly requestId?: string;
}

/** Valid and invalid messages of a slice of the UNS. */
export interface ComplianceCounts {
  readonly valid: number;
  readonly invalid: number;
  /** `valid / (valid + invalid)`, `null` when no message was counted. */
  readonly validShare: number | null;
}

/** Counts of one (site, area, line, channel, contract version); `''` stands for "unknown". */
export interface ComplianceGroup extends ComplianceCounts {
  readonly site: string;
  readonly area: string;
  readonly line: string;
  /** AsyncAPI channel id, `''` for topics no channel matches. */
  readonly channel: string;
  /** `info.version` of the judging contract, `''` when none judged (unknown topic). */
  readonly contractVersion: string;
}

/** Invalid messages of one error kind (of their first error). */
export interface ErrorKindCount {
  readonly errorKind: string;
  readonly invalid: number;
}

/** Counts of one step of the trend. */
export interface TrendPoint extends ComplianceCounts {
  /** Start of the step. */
  readonly bucketStart: string;
}

/** A (site, area, line, channel) with invalid messages, ranked by their number. */
export interface Offender {
  readonly site: string;
  readonly area: string;
  readonly line: string;
  readonly channel: string;
  readonly valid: number;
  readonly invalid: number;
  /** `invalid / (valid + invalid)`. */
  readonly invalidShare: number;
  /** The error kind with the most invalid messages here (ties: alphabetical). */
  readonly topErrorKind: string;
}

/** `GET /api/v1/compliance/overview`. */
export interface ComplianceOverview {
  readonly range: {
    readonly since: string;
    readonly until: string;
    /** Length of a trend step, seconds. */
    readonly stepSeconds: number;
    /** The site filter, `null` for every site. */
    readonly site: string | null;
  };
  readonly totals: ComplianceCounts;
  /** Ordered by site, area, line, channel, contract version. */
  readonly groups: readonly ComplianceGroup[];
  /** Most invalid first. */
  readonly byErrorKind: readonly ErrorKindCount[];
  /** Steps with messages only, oldest first. */
  readonly trend: readonly TrendPoint[];
  /** At most `offenders` entries (default 10), most invalid first. */
  readonly worstOffenders: readonly Offender[];
}

/** A stored sample of an invalid message, described by its first error. */
export interface Violation {
  readonly id: number;
  readonly receivedAt: string;
  readonly topic: string;
  readonly site: string;
  readonly channel: string;
  readonly contractVersion: string;
  readonly errorKind: string;
  /** How many errors the verdict held (only the first is described). */
  readonly errorCount: number;
  /** JSON Pointer of the failing keyword in the schema, `''` when no schema failed. */
  readonly schemaPath: string;
  /** JSON Pointer of the failing value in the payload, `''` for the whole payload or the topic. */
  readonly payloadPath: string;
  readonly message: string;
  /** Sparkplug B assertion id of a `sparkplug-rule` error, `''` otherwise. */
  readonly assertion: string;
  /** Size of the whole payload in bytes. */
  readonly payloadSize: number;
  /** `utf8`: the excerpt is the payload's text; `base64`: the payload is binary. */
  readonly payloadEncoding: 'utf8' | 'base64';
  /** The payload's first bytes (at most 2 KB as stored). */
  readonly payloadExcerpt: string;
}

/** `GET /api/v1/compliance/violations`: newest first. */
export interface ViolationPage {
  readonly items: readonly Violation[];
  /** Pass as `before` for the next (older) page; `null` on the last page. */
  readonly nextCursor: string | null;
}

/**
 * `GET /api/v1/compliance/facets`: the values the violation drill-down can be filtered by, i.e.
 * those of the stored samples, alphabetical.
 */
export interface ViolationFacets {
  readonly sites: readonly string[];
  readonly errorKinds: readonly string[];
}

/** A channel of a contract in force. */
export interface ChannelInForce {
  readonly id: string;
  /** Address template, e.g. `{enterprise}/{site}/_validation`. */
  readonly address: string;
  readonly enforcement: EnforcementMode;
}

/**
 * A problem of a contract in force that leaves what it accepts unchanged: an example that
 * contradicts its own schema (examples are not payload rules).
 */
export interface ContractWarning {
  /** The AsyncAPI parser's rule, e.g. `asyncapi2-message-examples`. */
  readonly rule: string;
  /** Where in the document, as a dotted path. */
  readonly path: string;
  /** 1-based line in the document. */
  readonly line: number;
  readonly message: string;
}

/** A contract the validator judges messages by now. */
export interface ContractInForce {
  readonly title: string;
  /** `info.version`, as in the counts' `contractVersion`. */
  readonly version: string;
  /** AsyncAPI version of the document, e.g. `3.0.0`. */
  readonly asyncapiVersion: string;
  readonly source: string;
  readonly channels: readonly ChannelInForce[];
  /** Empty when the contract has none. */
  readonly warnings: readonly ContractWarning[];
}

/** A contract the store has a record of (in force now or earlier). */
export interface ContractRecord {
  readonly title: string;
  readonly version: string;
  readonly source: string;
  readonly channels: readonly string[];
  readonly firstLoadedAt: string;
  readonly lastLoadedAt: string;
}

/** `GET /api/v1/compliance/contracts`. */
export interface ContractsReport {
  readonly enforcement: {
    /** Mode of channels without their own. */
    readonly defaultMode: EnforcementMode;
    readonly quarantinePrefix: string;
    readonly validatedPrefix: string;
  };
  /** In load order (on topics several match, the first wins). */
  readonly inForce: readonly ContractInForce[];
  /** Every contract ever loaded, most recently loaded first. */
  readonly history: readonly ContractRecord[];
}

/** The model scoring live windows. */
export interface ServingModel {
  readonly modelName: string;
  readonly modelVersion: string;
  readonly threshold: number;
  readonly loadedAt: string;
}

/** A candidate model scored beside the serving one, without acting on its scores. */
export interface ShadowModel {
  readonly modelName: string;
  readonly modelVersion: string;
  readonly threshold: number;
  /** Share of compared windows where both models agreed, `null` before the first comparison. */
  readonly agreement: number | null;
  readonly windowsCompared: number;
}

/** A model bundle the runtime refused to load. */
export interface ModelRefusal {
  readonly at: string;
  readonly modelVersion: string | null;
  readonly reason: string;
}

/** `GET /api/v1/anomalies/status`. */
export interface AnomalyStatus {
  readonly serving: ServingModel | null;
  readonly shadow: ShadowModel | null;
  /** Model swaps since the runtime started. */
  readonly swaps: number;
  readonly refusals: readonly ModelRefusal[];
}

/** The anomaly score of one window of one asset's telemetry. */
export interface AnomalyScore {
  /** `enterprise/site/area/line/cell/asset`. */
  readonly asset: string;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly score: number;
  readonly threshold: number;
  readonly anomaly: boolean;
  readonly modelVersion: string;
  /** Scored by the shadow model (not acted on). */
  readonly shadow: boolean;
}

/** `GET /api/v1/anomalies/scores`. */
export interface AnomalyScores {
  readonly items: readonly AnomalyScore[];
}

/** Consecutive anomalous windows of one asset. */
export interface AnomalyEvent {
  readonly asset: string;
  readonly start: string;
  readonly end: string;
  readonly peakScore: number;
  readonly windows: number;
  readonly modelVersion: string;
}

/** `GET /api/v1/anomalies/events`: newest first. */
export interface AnomalyEvents {
  readonly items: readonly AnomalyEvent[];
}
