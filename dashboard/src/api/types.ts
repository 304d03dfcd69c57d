/**
 * The dashboard's HTTP API, as TypeScript, by the names the code uses. Every type is generated
 * from `openapi.yaml` (`npm run generate:api -w @uns-mlops/dashboard` writes `./openapi.ts`;
 * `npm test` fails when that file is stale), so the dashboard's client, the edge validator and the
 * cloud compliance API cannot drift from the document. Times are ISO 8601 strings in UTC.
 */
import type { components } from './openapi';

type Schemas = components['schemas'];

/** What the validator does with a channel's messages beyond recording the verdict. */
export type EnforcementMode = Schemas['EnforcementMode'];
/** An error answer (HTTP 4xx). */
export type ApiError = Schemas['ApiError'];
/** An HTTP 500 answer: no internal text, the id of the logged failure. */
export type ServerError = Schemas['ServerError'];
/** Valid and invalid messages of a slice of the UNS. */
export type ComplianceCounts = Schemas['ComplianceCounts'];
/** Counts of one (site, area, line, channel, contract version); `''` stands for "unknown". */
export type ComplianceGroup = Schemas['ComplianceGroup'];
/** Invalid messages of one error kind (of their first error). */
export type ErrorKindCount = Schemas['ErrorKindCount'];
/** Counts of one step of the trend. */
export type TrendPoint = Schemas['TrendPoint'];
/** A (site, area, line, channel) with invalid messages, ranked by their number. */
export type Offender = Schemas['Offender'];
/** `GET /api/v1/compliance/overview`. */
export type ComplianceOverview = Schemas['ComplianceOverview'];
/** `GET /api/v1/compliance/sites`. */
export type SiteList = Schemas['SiteList'];
/** `GET /api/v1/compliance/facilities`. */
export type FacilitiesReport = Schemas['FacilitiesReport'];
/** One site's compliance in the facilities comparison. */
export type FacilityComparison = Schemas['FacilityComparison'];
/** A stored sample of an invalid message, described by its first error. */
export type Violation = Schemas['Violation'];
/** `GET /api/v1/compliance/violations`. */
export type ViolationPage = Schemas['ViolationPage'];
/** `GET /api/v1/compliance/facets`. */
export type ViolationFacets = Schemas['ViolationFacets'];
/** A problem of a contract that leaves what it accepts unchanged. */
export type ContractWarning = Schemas['ContractWarning'];
/** A contract judging messages now. */
export type ContractInForce = Schemas['ContractInForce'];
/** A channel of a contract in force. */
export type ChannelInForce = ContractInForce['channels'][number];
/** A contract ever loaded, from the store. */
export type ContractRecord = Schemas['ContractRecord'];
/** `GET /api/v1/compliance/contracts`. */
export type ContractsReport = Schemas['ContractsReport'];
/** `GET /api/v1/anomalies/status`. */
export type AnomalyStatus = Schemas['AnomalyStatus'];
/** The model scoring live windows. */
export type ServingModel = NonNullable<AnomalyStatus['serving']>;
/** A candidate model scored beside the serving one, without acting on its scores. */
export type ShadowModel = NonNullable<AnomalyStatus['shadow']>;
/** A model bundle the runtime refused to load. */
export type ModelRefusal = AnomalyStatus['refusals'][number];
/** The anomaly score of one window of one asset's telemetry. */
export type AnomalyScore = Schemas['AnomalyScore'];
/** `GET /api/v1/anomalies/scores`. */
export type AnomalyScores = Schemas['AnomalyScores'];
/** Consecutive anomalous windows of one asset. */
export type AnomalyEvent = Schemas['AnomalyEvent'];
/** `GET /api/v1/anomalies/events`. */
export type AnomalyEvents = Schemas['AnomalyEvents'];
/** Whether the serving model's drift is computed, and why not. */
export type DriftAvailability = Schemas['DriftAvailability'];
/** `GET /api/v1/anomalies/drift`. */
export type AnomalyDrift = Schemas['AnomalyDrift'];
/** The latest drift of one asset: its `ModelDrift` message, the asset and the baseline used. */
export type AssetDrift = Schemas['AssetDrift'];
/** The drift of one input channel over the window. */
export type ChannelDrift = Schemas['ChannelDrift'];
/** The drift of one distribution (the anomaly scores) over the window. */
export type DriftValue = Schemas['DriftValue'];
/** Which histograms of the bundle's baseline an asset is judged against. */
export type BaselineUse = Schemas['BaselineUse'];
/** `GET /api/v1/models` (local plant only). */
export type ModelLoopReport = Schemas['ModelLoopReport'];
/** The local plant's model loop: its phase, the serving model, any candidate in shadow. */
export type ModelLoopStatus = Schemas['ModelLoopStatus'];
/** What the loop is doing. */
export type ModelLoopPhase = ModelLoopStatus['phase'];
/** A candidate's anomaly flags against the serving model's on the same windows. */
export type ShadowFigures = Schemas['ShadowFigures'];
/** What happened to a model. */
export type ModelHistoryEvent = Schemas['ModelHistoryEvent'];
/** One event of the model history. */
export type ModelHistoryEntry = Schemas['ModelHistoryEntry'];
