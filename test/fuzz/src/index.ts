export {
  edgeUnderFire,
  type FireOptions,
  type FireReport,
  type HeapFigures,
  type ProcessFigures,
} from './edge-under-fire';
export {
  fuzzMessages,
  HOSTILE_KINDS,
  planSize,
  VALID_KINDS,
  type FuzzMessage,
  type FuzzPlan,
  type HostileKind,
  type MessageKind,
} from './hostile-messages';
export { fuzzHttp, type HttpFuzzFinding, type HttpFuzzReport } from './http-fuzz';
export {
  startBridge,
  startInference,
  startValidator,
  type ComponentSetup,
  type ComponentUnderFire,
} from './edge-components';
export { publishPaced, type PacedPublishing, type PublishReport } from './paced-publisher';
export { INFERENCE_FILTERS, PUBLISHED_FILTERS, topicMatches } from './uns-layout';
