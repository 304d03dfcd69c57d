import type { SparkplugDataType } from './datatypes';

/** Metric name to the datatype its birth declared (undefined when the birth's datatype was invalid). */
export type MetricNames = Map<string, SparkplugDataType | undefined>;

/** The metric a birth bound an alias to. */
export interface AliasBinding {
  /** `''` for the edge node's own metrics, the device id for a device's metrics. */
  readonly scope: string;
  readonly name: string | undefined;
  readonly datatype: SparkplugDataType | undefined;
}

/** Where the metrics of a message belong: the edge node itself (`id` `''`) or one device. */
export interface MetricScope {
  readonly id: string;
  readonly names: MetricNames;
  /** Where a birth records the aliases it binds (devices only: an NBIRTH clears them all). */
  readonly aliases?: number[];
}

/** What the tracker remembers of one device of an open edge-node session. */
export class DeviceState implements MetricScope {
  /** False after its DDEATH, until its next DBIRTH. */
  alive = true;
  readonly names: MetricNames = new Map();
  /** The aliases its DBIRTH bound, to release them when it is born again. */
  readonly aliases: number[] = [];

  constructor(readonly id: string) {}
}

/** One edge node's session as plain, structured-cloneable data (see {@link EdgeNodeSession.snapshot}). */
export interface EdgeNodeSnapshot {
  /** `group_id/edge_node_id`. */
  readonly edgeNode: string;
  readonly open: boolean;
  readonly bdSeq: number | bigint | undefined;
  readonly lastSeq: number | undefined;
  readonly lastSeenAt: number;
  readonly names: ReadonlyMap<string, SparkplugDataType | undefined>;
  readonly aliases: ReadonlyMap<number, AliasBinding>;
  readonly devices: readonly {
    readonly id: string;
    readonly alive: boolean;
    readonly names: ReadonlyMap<string, SparkplugDataType | undefined>;
    readonly aliases: readonly number[];
  }[];
}

/**
 * What the tracker remembers of one edge node (group_id/edge_node_id): whether its session is open,
 * the NBIRTH's bdSeq, the last seq, and the metrics and aliases its births defined.
 */
export class EdgeNodeSession {
  /** NBIRTH seen and no matching NDEATH since. */
  open = false;
  /** The bdSeq metric value of the NBIRTH that opened the session. */
  bdSeq: number | bigint | undefined;
  /** The last valid seq from the edge node; undefined when unknown (resynchronizes silently). */
  lastSeq: number | undefined;
  /** `receivedAt` of its latest message. */
  lastSeenAt: number;
  readonly names: MetricNames = new Map();
  readonly aliases = new Map<number, AliasBinding>();
  readonly devices = new Map<string, DeviceState>();
  /** The scope of the edge node's own metrics. */
  readonly nodeScope: MetricScope = { id: '', names: this.names };

  constructor(receivedAt: number) {
    this.lastSeenAt = receivedAt;
  }

  /** The session as plain data, to move it to another thread (structured-cloneable). */
  snapshot(edgeNode: string): EdgeNodeSnapshot {
    return {
      edgeNode,
      open: this.open,
      bdSeq: this.bdSeq,
      lastSeq: this.lastSeq,
      lastSeenAt: this.lastSeenAt,
      names: this.names,
      aliases: this.aliases,
      devices: [...this.devices.values()].map(({ id, alive, names, aliases }) => ({
        id,
        alive,
        names,
        aliases,
      })),
    };
  }

  /** A session rebuilt from its {@link snapshot}. */
  static restore(snapshot: EdgeNodeSnapshot): EdgeNodeSession {
    const session = new EdgeNodeSession(snapshot.lastSeenAt);
    session.open = snapshot.open;
    session.bdSeq = snapshot.bdSeq;
    session.lastSeq = snapshot.lastSeq;
    for (const [name, datatype] of snapshot.names) session.names.set(name, datatype);
    for (const [alias, binding] of snapshot.aliases) session.aliases.set(alias, binding);
    for (const device of snapshot.devices) {
      const state = new DeviceState(device.id);
      state.alive = device.alive;
      for (const [name, datatype] of device.names) state.names.set(name, datatype);
      state.aliases.push(...device.aliases);
      session.devices.set(device.id, state);
    }
    return session;
  }

  /** Forgets every metric, alias and device (on a new NBIRTH and on NDEATH). */
  clear(): void {
    this.names.clear();
    this.aliases.clear();
    this.devices.clear();
  }

  /** A fresh, alive device state for a DBIRTH, releasing the aliases of its previous birth. */
  rebirthDevice(deviceId: string): DeviceState {
    const previous = this.devices.get(deviceId);
    if (previous !== undefined) for (const alias of previous.aliases) this.aliases.delete(alias);
    const device = new DeviceState(deviceId);
    this.devices.set(deviceId, device);
    return device;
  }
}
