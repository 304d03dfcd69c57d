import type { VerdictError } from '../verdict';
import { ASSERTION, ruleError, type SparkplugAssertion } from './assertions';

/** The topic namespace of Sparkplug B (`spBv1.0`), the first topic level of every message. */
export const SPARKPLUG_B_NAMESPACE = 'spBv1.0';

/** The message types an edge node or a host publishes under `spBv1.0/{group_id}/...`. */
export type SparkplugMessageType =
  'NBIRTH' | 'NDEATH' | 'NDATA' | 'NCMD' | 'DBIRTH' | 'DDEATH' | 'DDATA' | 'DCMD';

/** `spBv1.0/{group_id}/{message_type}/{edge_node_id}[/{device_id}]`; `deviceId` exactly on D* types. */
export interface EdgeNodeTopic {
  readonly kind: 'edge-node';
  readonly groupId: string;
  readonly messageType: SparkplugMessageType;
  readonly edgeNodeId: string;
  readonly deviceId?: string;
}

/** `spBv1.0/STATE/{host_id}`: a host application's birth or death certificate (JSON payload). */
export interface StateTopic {
  readonly kind: 'state';
  readonly hostId: string;
}

/** A well-formed Sparkplug B 3.0 topic. */
export type SparkplugTopic = EdgeNodeTopic | StateTopic;

/** The topic when it is well-formed, otherwise every rule it breaks (at least one). */
export type TopicParseResult =
  | { readonly ok: true; readonly topic: SparkplugTopic }
  | { readonly ok: false; readonly errors: readonly VerdictError[] };

const MESSAGE_TYPES: ReadonlySet<string> = new Set<SparkplugMessageType>([
  'NBIRTH',
  'NDEATH',
  'NDATA',
  'NCMD',
  'DBIRTH',
  'DDEATH',
  'DDATA',
  'DCMD',
]);

function isMessageType(level: string): level is SparkplugMessageType {
  return MESSAGE_TYPES.has(level);
}

/** Whether the message type concerns a device (D*) rather than the edge node itself (N*). */
export function isDeviceMessageType(type: SparkplugMessageType): boolean {
  return type.charCodeAt(0) === 68; // 'D'
}

/** Reason an id level is not a valid Sparkplug id (non-empty, no `+` or `#`), or undefined. */
function idProblem(id: string): string | undefined {
  if (id.length === 0) return 'must not be empty';
  if (id.includes('+') || id.includes('#')) return `'${id}' must not contain '+' or '#'`;
  return undefined;
}

function checkId(
  id: string,
  label: string,
  assertion: SparkplugAssertion,
  errors: VerdictError[],
): void {
  const problem = idProblem(id);
  if (problem !== undefined) errors.push(ruleError('', `${label} ${problem}`, assertion));
}

function parseStateTopic(levels: readonly string[]): TopicParseResult {
  const hostId = levels[2];
  if (levels.length !== 3 || hostId === undefined) {
    const message = `STATE topic must be '${SPARKPLUG_B_NAMESPACE}/STATE/<host_id>' (3 levels), got ${levels.length} levels`;
    return { ok: false, errors: [ruleError('', message, ASSERTION.stateBirthTopic)] };
  }
  const problem = idProblem(hostId);
  if (problem !== undefined) {
    return { ok: false, errors: [ruleError('', `host_id ${problem}`, ASSERTION.stateBirthTopic)] };
  }
  return { ok: true, topic: { kind: 'state', hostId } };
}

function namespaceError(first: string): VerdictError {
  if (first === 'STATE') {
    const message = `'STATE/<host_id>' is the Sparkplug 2.x form; Sparkplug 3.0 uses '${SPARKPLUG_B_NAMESPACE}/STATE/<host_id>'`;
    return ruleError('', message, ASSERTION.stateBirthTopic);
  }
  const message = `namespace must be '${SPARKPLUG_B_NAMESPACE}', got '${first}'`;
  return ruleError('', message, ASSERTION.namespace);
}

/**
 * Parses a topic as Sparkplug B 3.0 and checks its structure: the `spBv1.0` namespace, a known
 * message type, valid group, edge node, device and host ids, the device id present on D* and
 * absent on N* message types, and STATE only as `spBv1.0/STATE/<host_id>`.
 */
export function parseSparkplugTopic(topic: string): TopicParseResult {
  const levels = topic.split('/');
  const first = levels[0] ?? '';
  if (first !== SPARKPLUG_B_NAMESPACE) return { ok: false, errors: [namespaceError(first)] };
  if (levels[1] === 'STATE') return parseStateTopic(levels);

  const [, groupId, type, edgeNodeId, deviceId] = levels;
  if (
    groupId === undefined ||
    type === undefined ||
    edgeNodeId === undefined ||
    levels.length > 5
  ) {
    const message = `topic must be '${SPARKPLUG_B_NAMESPACE}/group_id/message_type/edge_node_id[/device_id]', got ${levels.length} levels`;
    return { ok: false, errors: [ruleError('', message, ASSERTION.topicStructure)] };
  }
  const errors: VerdictError[] = [];
  checkId(groupId, 'group_id', ASSERTION.validGroupId, errors);
  checkId(edgeNodeId, 'edge_node_id', ASSERTION.validEdgeNodeId, errors);
  if (deviceId !== undefined) checkId(deviceId, 'device_id', ASSERTION.validDeviceId, errors);
  if (type === 'STATE') {
    const message = `STATE is only valid as '${SPARKPLUG_B_NAMESPACE}/STATE/<host_id>'`;
    errors.push(ruleError('', message, ASSERTION.stateBirthTopic));
  } else if (!isMessageType(type)) {
    const message = `unknown message type '${type}' (expected one of ${[...MESSAGE_TYPES].join(', ')})`;
    errors.push(ruleError('', message, ASSERTION.topicStructure));
  } else if (isDeviceMessageType(type) && deviceId === undefined) {
    errors.push(
      ruleError('', `${type} topics must end with a device_id`, ASSERTION.deviceIdRequired),
    );
  } else if (!isDeviceMessageType(type) && deviceId !== undefined) {
    const message = `${type} topics must not include a device_id (got '${deviceId}')`;
    errors.push(ruleError('', message, ASSERTION.deviceIdForbidden));
  }
  if (errors.length > 0 || !isMessageType(type)) return { ok: false, errors };
  const parsed: EdgeNodeTopic =
    deviceId === undefined
      ? { kind: 'edge-node', groupId, messageType: type, edgeNodeId }
      : { kind: 'edge-node', groupId, messageType: type, edgeNodeId, deviceId };
  return { ok: true, topic: parsed };
}
