export { startMosquitto, type MosquittoBroker, type MosquittoOptions } from './mosquitto';
export { createTestCertificates, type TestCertificates } from './certificates';
export { startPostgres, type PostgresServer } from './postgres';
export { kafkaLibs, startKafka, type KafkaBroker, type KafkaOptions } from './kafka';
export {
  executeImmediate,
  startTrino,
  trinoAt,
  trinoServer,
  type TrinoClient,
  type TrinoResult,
  type TrinoServer,
} from './trino';
export { freePort } from './ports';
export { OPENAPI_FILE, schemaProblems } from './openapi';
export { waitUntil } from './wait';
export { seededRandom } from './seeded-random';
export { makeOnceUnderLock } from './lock-file';
export { runComponent, type ComponentLaunch, type ComponentProcess } from './component';
export {
  componentDirectory,
  runComponentFromSource,
  type EdgeComponentName,
  type SourceLaunch,
} from './component-source';
export {
  buildArtifact,
  mallocTrimFromArtifact,
  unpackLikeGreengrass,
  useArtifact,
  type BuiltArtifact,
} from './artifact';
export {
  ensureTrainedModelBundle,
  runInRepository,
  TEST_MODEL_CHANNELS,
  trainedModelBundleDir,
} from './model-bundle';
export {
  MALFORMED_HTTP_REQUESTS,
  MALFORMED_QUERY_PARAMETERS,
  sendMalformedRequests,
  sendRawRequest,
  type MalformedHttpRequest,
  type MalformedQuery,
  type MalformedRequestOutcome,
  type RawAnswer,
} from './http-attacks';
export {
  channelTopic,
  conforming,
  contractAccepts,
  contractExample,
  unsContract,
  type UnsContractDocument,
} from './uns-contract';
