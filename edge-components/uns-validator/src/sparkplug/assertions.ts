import type { VerdictError } from '../verdict';

/**
 * Sparkplug B 3.0 specification assertion ids ("tck-id-...") named by the rules in this folder,
 * kept in one place so each rule cites exactly one id.
 */
export const ASSERTION = {
  topicStructure: 'tck-id-topic-structure',
  namespace: 'tck-id-topic-structure-namespace-a',
  validGroupId: 'tck-id-topic-structure-namespace-valid-group-id',
  validEdgeNodeId: 'tck-id-topic-structure-namespace-valid-edge-node-id',
  validDeviceId: 'tck-id-topic-structure-namespace-valid-device-id',
  deviceIdRequired: 'tck-id-topic-structure-namespace-device-id-associated-message-types',
  deviceIdForbidden: 'tck-id-topic-structure-namespace-device-id-non-associated-message-types',
  stateBirthTopic: 'tck-id-host-topic-phid-birth-topic',
  stateBirthPayload: 'tck-id-host-topic-phid-birth-payload',
  stateDeathPayload: 'tck-id-host-topic-phid-death-payload',

  nbirthSeq: 'tck-id-payloads-nbirth-seq',
  nbirthSeqZero: 'tck-id-payloads-sequence-num-zero-nbirth',
  nbirthTimestamp: 'tck-id-payloads-nbirth-timestamp',
  nbirthBdSeq: 'tck-id-payloads-nbirth-bdseq',
  nbirthRebirth: 'tck-id-payloads-nbirth-rebirth-req',
  nbirthMetrics: 'tck-id-topics-nbirth-metrics',
  nbirthValues: 'tck-id-operational-behavior-data-publish-nbirth-values',
  nbirthHasAllNodeMetrics: 'tck-id-operational-behavior-data-publish-nbirth',

  dbirthSeq: 'tck-id-payloads-dbirth-seq',
  dbirthSeqInc: 'tck-id-payloads-dbirth-seq-inc',
  dbirthTimestamp: 'tck-id-payloads-dbirth-timestamp',
  dbirthAfterNbirth: 'tck-id-message-flow-device-birth-publish-nbirth-wait',
  dbirthMetrics: 'tck-id-topics-dbirth-metrics',
  dbirthValues: 'tck-id-operational-behavior-data-publish-dbirth-values',
  dbirthHasAllDeviceMetrics: 'tck-id-operational-behavior-data-publish-dbirth',

  ndataSeq: 'tck-id-payloads-ndata-seq',
  ndataSeqInc: 'tck-id-payloads-ndata-seq-inc',
  ndataTimestamp: 'tck-id-payloads-ndata-timestamp',
  ndataOrder: 'tck-id-payloads-ndata-order',

  ddataSeq: 'tck-id-payloads-ddata-seq',
  ddataSeqInc: 'tck-id-payloads-ddata-seq-inc',
  ddataTimestamp: 'tck-id-payloads-ddata-timestamp',
  ddataOrder: 'tck-id-payloads-ddata-order',

  ddeathSeq: 'tck-id-payloads-ddeath-seq',
  ddeathSeqInc: 'tck-id-payloads-ddeath-seq-inc',
  ddeathTimestamp: 'tck-id-payloads-ddeath-timestamp',
  birthFirst: 'tck-id-principles-birth-certificates-order',

  ndeathSeq: 'tck-id-payloads-ndeath-seq',
  ndeathBdSeq: 'tck-id-payloads-ndeath-bdseq',

  ncmdSeq: 'tck-id-payloads-ncmd-seq',
  ncmdTimestamp: 'tck-id-payloads-ncmd-timestamp',
  ncmdValue: 'tck-id-operational-behavior-data-commands-ncmd-metric-value',
  dcmdSeq: 'tck-id-payloads-dcmd-seq',
  dcmdTimestamp: 'tck-id-payloads-dcmd-timestamp',
  dcmdValue: 'tck-id-operational-behavior-data-commands-dcmd-metric-value',

  nameRequired: 'tck-id-payloads-name-requirement',
  aliasUniqueness: 'tck-id-payloads-alias-uniqueness',
  aliasOnlyInDataAndCommands: 'tck-id-payloads-alias-data-cmd-requirement',
  datatypeRequired: 'tck-id-payloads-metric-datatype-req',
  datatypeValue: 'tck-id-payloads-metric-datatype-value',
} as const;

/** One of the assertion ids above. */
export type SparkplugAssertion = (typeof ASSERTION)[keyof typeof ASSERTION];

/** A `sparkplug-rule` verdict error citing `assertion`. */
export function ruleError(
  path: string,
  message: string,
  assertion: SparkplugAssertion,
): VerdictError {
  return { kind: 'sparkplug-rule', path, message, assertion };
}
