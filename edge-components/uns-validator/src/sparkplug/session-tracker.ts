import type { VerdictError } from '../verdict';
import { decodeSparkplugPayload, type DecodedPayload } from './decode';
import { EdgeNodeSession, type EdgeNodeSnapshot } from './edge-node-session';
import { checkEnvelope } from './envelope';
import {
  onCommand,
  onDbirth,
  onDdata,
  onDdeath,
  onNbirth,
  onNdata,
  onNdeath,
  type SessionMessage,
} from './session-rules';
import { checkStatePayload } from './state-payload';
import { parseSparkplugTopic, type EdgeNodeTopic } from './topic';

/** Default cap on tracked edge nodes (see {@link SparkplugSessionTrackerOptions.maxEdgeNodes}). */
export const DEFAULT_MAX_EDGE_NODES = 10_000;

/** Options of {@link SparkplugSessionTracker}. */
export interface SparkplugSessionTrackerOptions {
  /**
   * How many edge nodes (group_id/edge_node_id) to remember, default 10,000. Past the cap the least
   * recently seen edge node is forgotten; its next data message is then reported as coming before
   * its NBIRTH, as for a tracker that started mid-session. Memory per edge node grows with the
   * number of metrics its births define.
   */
  readonly maxEdgeNodes?: number;
}

/** The Sparkplug verdict on one message. */
export interface SparkplugCheckResult {
  /** Empty when the message breaks no Sparkplug rule. */
  readonly errors: VerdictError[];
  /** The decoded protobuf payload, for further (e.g. schema) checks without decoding twice. */
  readonly payload?: DecodedPayload;
}

/**
 * Checks the passive Sparkplug B 3.0 rules, those an observer of the broker can check, on every
 * message of a Sparkplug namespace, fed in arrival order: topic structure, payload decoding,
 * STATE payloads, seq (0 on NBIRTH, then +1 per NDATA/DBIRTH/DDATA/DDEATH, 255 wrapping to 0),
 * bdSeq of NBIRTH and NDEATH, births before data, metric names, aliases, datatypes and values.
 * State is kept per edge node only, at most `maxEdgeNodes` of them (least recently seen evicted).
 * After a seq gap it resynchronizes on the received seq, so one gap is one error.
 */
export class SparkplugSessionTracker {
  private readonly sessions = new Map<string, EdgeNodeSession>();
  private readonly maxEdgeNodes: number;

  constructor(options: SparkplugSessionTrackerOptions = {}) {
    this.maxEdgeNodes = options.maxEdgeNodes ?? DEFAULT_MAX_EDGE_NODES;
    if (!Number.isInteger(this.maxEdgeNodes) || this.maxEdgeNodes < 1) {
      throw new RangeError(`maxEdgeNodes must be a positive integer, got ${this.maxEdgeNodes}`);
    }
  }

  /** How many edge nodes the tracker currently remembers. */
  get trackedEdgeNodes(): number {
    return this.sessions.size;
  }

  /**
   * Checks one message and updates the sender's session.
   * @param receivedAt arrival time in epoch milliseconds (default now), used by {@link evictIdle}.
   */
  check(topic: string, payload: Uint8Array, receivedAt: number = Date.now()): SparkplugCheckResult {
    const parsed = parseSparkplugTopic(topic);
    if (!parsed.ok) return { errors: [...parsed.errors] };
    if (parsed.topic.kind === 'state') return { errors: checkStatePayload(payload) };
    const decoded = decodeSparkplugPayload(payload);
    if ('error' in decoded) return { errors: [decoded.error] };
    const errors: VerdictError[] = [];
    this.observe(parsed.topic, decoded.payload, receivedAt, errors);
    return { errors, payload: decoded.payload };
  }

  /**
   * Forgets every edge node whose latest message arrived before `olderThan` (epoch ms), e.g. nodes
   * that vanished without an NDEATH. Scans from the least recently seen, so it is exact while
   * `receivedAt` never goes backwards. Returns how many were forgotten.
   */
  evictIdle(olderThan: number): number {
    let evicted = 0;
    for (const [key, session] of this.sessions) {
      if (session.lastSeenAt >= olderThan) break;
      this.sessions.delete(key);
      evicted++;
    }
    return evicted;
  }

  /**
   * Hands over the sessions of the edge nodes `belongsElsewhere` picks (all by default): they are
   * returned as snapshots and forgotten here. Used when the dispatcher moves edge nodes to another
   * thread, so that their sessions go with them.
   */
  takeSessions(belongsElsewhere: (edgeNode: string) => boolean = () => true): EdgeNodeSnapshot[] {
    const taken: EdgeNodeSnapshot[] = [];
    for (const [edgeNode, session] of this.sessions) {
      if (!belongsElsewhere(edgeNode)) continue;
      taken.push(session.snapshot(edgeNode));
      this.sessions.delete(edgeNode);
    }
    return taken;
  }

  /**
   * Adopts sessions handed over by {@link takeSessions} of another tracker, keeping the order of
   * recency (least recently seen first) and the cap.
   */
  adoptSessions(snapshots: readonly EdgeNodeSnapshot[]): void {
    const merged = [...this.sessions.entries()].concat(
      snapshots.map((snapshot) => [snapshot.edgeNode, EdgeNodeSession.restore(snapshot)] as const),
    );
    merged.sort(([, a], [, b]) => a.lastSeenAt - b.lastSeenAt);
    this.sessions.clear();
    for (const [edgeNode, session] of merged.slice(-this.maxEdgeNodes)) {
      this.sessions.set(edgeNode, session);
    }
  }

  private observe(
    topic: EdgeNodeTopic,
    payload: DecodedPayload,
    receivedAt: number,
    errors: VerdictError[],
  ): void {
    const type = topic.messageType;
    const seq = checkEnvelope(type, payload, errors);
    const edgeNode = `${topic.groupId}/${topic.edgeNodeId}`;
    const message: SessionMessage = { topic, edgeNode, payload, seq };
    const session = this.touch(edgeNode, receivedAt, type === 'NBIRTH');
    const deviceId = topic.deviceId ?? '';
    switch (type) {
      case 'NBIRTH':
        if (session !== undefined) onNbirth(message, session, errors);
        return;
      case 'NDEATH':
        onNdeath(message, session, errors);
        return;
      case 'NDATA':
        onNdata(message, session, errors);
        return;
      case 'DBIRTH':
        onDbirth(message, deviceId, session, errors);
        return;
      case 'DDATA':
        onDdata(message, deviceId, session, errors);
        return;
      case 'DDEATH':
        onDdeath(message, deviceId, session, errors);
        return;
      case 'NCMD':
      case 'DCMD':
        onCommand(message, topic.deviceId, session, errors);
        return;
    }
  }

  /** The edge node's session, moved to most recently seen; created (evicting past the cap) if asked. */
  private touch(
    edgeNode: string,
    receivedAt: number,
    create: boolean,
  ): EdgeNodeSession | undefined {
    const existing = this.sessions.get(edgeNode);
    if (existing !== undefined) {
      this.sessions.delete(edgeNode);
      this.sessions.set(edgeNode, existing);
      existing.lastSeenAt = receivedAt;
      return existing;
    }
    if (!create) return undefined;
    const created = new EdgeNodeSession(receivedAt);
    this.sessions.set(edgeNode, created);
    if (this.sessions.size > this.maxEdgeNodes) {
      const leastRecent = this.sessions.keys().next();
      if (leastRecent.done !== true) this.sessions.delete(leastRecent.value);
    }
    return created;
  }
}
