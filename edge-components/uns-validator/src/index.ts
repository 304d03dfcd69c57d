/** The validator as a library, for hosts that run it in-process (the local plant). */
export { ValidatorService, type VerdictEvent } from './service/validator-service';
export { ConfigError, DEFAULT_CONFIG, loadConfig, type ValidatorConfig } from './service/config';
export { ComplianceSummaries, type SummaryMessage } from './service/compliance-summaries';
export type { ErrorKind, Verdict } from './verdict';
