/** The validator as a library, for hosts that run it in-process (the local plant). */
export { ValidatorService, type VerdictEvent } from './service/validator-service';
export { ConfigError, DEFAULT_CONFIG, loadConfig, type ValidatorConfig } from './service/config';
export { ComplianceSummaries, type SummaryMessage } from './service/compliance-summaries';
// What the validator publishes besides summaries, so that consumers' tests use the real builders.
export { ViolationSamples, type ViolationSampleMessage } from './service/violation-samples';
export {
  ContractsPublication,
  contractsInForce,
  type ContractsMessage,
} from './service/contracts-in-force';
export { loadContracts } from './contract/load-contracts';
export type { ErrorKind, Verdict } from './verdict';
