// The cluster controller (Kafka 2.x's KafkaController, ZooKeeper mode): one broker,
// elected through the ephemeral /controller znode, with an epoch in
// /controller_epoch that every write it makes is conditional on, so a deposed
// controller can change nothing. It alone writes partition leaders: states for
// new partitions, new leaders when brokers die or shut down, topic deletions.
// Brokers learn the results from the store's watches.
//
// Rather than Kafka's per-event state machines, it reconciles: after any change it
// walks every partition and writes what the rules say should differ. The rules are
// Kafka's: a new partition is led by its first live replica with every live replica
// in sync; a partition whose leader is gone is led by the first replica (in
// assignment order) that is live and in the ISR; with none, it stays leaderless
// unless unclean.leader.election.enable; dead followers leave the ISR, but the last
// member stays, so the partition can come back when it does.
import { randomBytes } from 'node:crypto';
import type { MetadataEvent, PartitionState, TopicMetadata } from './metadata-store.js';
import { Reassigner, type OngoingReassignment, type ReassignmentRequest, type ReassignmentResult } from './reassignment.js';
import {
  decodeControllerEpoch, decodeTopicAssignment, encodeController, encodeControllerEpoch, encodePartitionState, encodeTopicAssignment,
  zkPaths, type ZkPartitionState,
} from './zk-layout.js';
import type { ZkLogger, ZkMetadataStore } from './zk-metadata-store.js';
import { ZooKeeperError, type ZkOp } from './zookeeper-client.js';

export interface ControllerOptions {
  store: ZkMetadataStore;
  nodeId: number;
  log: ZkLogger;
  /** unclean.leader.election.enable of a topic (its override, else the broker's). */
  uncleanLeaderElection: (topic: string) => boolean;
  /** Absent: auto.leader.rebalance.enable is false. */
  leaderRebalance?: LeaderRebalanceOptions;
}

/** ElectLeaders: 0 elects the preferred replica, 1 a live replica when no in-sync one is left. */
export type ElectionType = 0 | 1;

export interface ElectionResult {
  topic: string;
  partition: number;
  /** ErrorCode name: NONE, ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE, ELIGIBLE_LEADERS_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION. */
  error: 'NONE' | 'ELECTION_NOT_NEEDED' | 'PREFERRED_LEADER_NOT_AVAILABLE' | 'ELIGIBLE_LEADERS_NOT_AVAILABLE' | 'UNKNOWN_TOPIC_OR_PARTITION';
  message: string | null;
}

/** auto.leader.rebalance.enable's check: how often, and the share of a broker's partitions led elsewhere that triggers it. */
export interface LeaderRebalanceOptions {
  intervalMs: number;
  imbalancePercentage: number;
}

/** The result of moving leadership off a broker that is shutting down. */
export interface ControlledShutdownResult {
  /** Partitions the broker still leads (no other in-sync replica could take them). */
  remaining: { topic: string; partition: number }[];
}

/** A request only the controller serves reached a broker that is not (or no longer) the controller. */
export class NotControllerError extends Error {
  override name = 'NotControllerError';
  constructor() {
    super('This broker is not the controller.');
  }
}

export class Controller {
  private epoch = -1;
  private epochZkVersion = -1;
  private active = false;
  private closed = false;
  private queue: Promise<void> = Promise.resolve();
  private reconcileQueued = false;
  /** Brokers in controlled shutdown: no partition is given to them. */
  private readonly shuttingDown = new Set<number>();

  private readonly reassigner: Reassigner;

  constructor(private readonly options: ControllerOptions) {
    const live = (): number[] => options.store.liveBrokers().map((b) => b.nodeId).filter((id) => !this.shuttingDown.has(id));
    this.reassigner = new Reassigner({
      store: options.store,
      log: options.log,
      controllerEpoch: () => this.epoch,
      fencedWrite: (ops) => this.fencedWrite(ops),
      usable: (id) => live().includes(id),
      liveBrokerIds: live,
    });
  }

  get isActive(): boolean {
    return this.active;
  }

  get controllerEpoch(): number {
    return this.epoch;
  }

  private rebalanceTimer: NodeJS.Timeout | undefined;

  start(): void {
    const { store } = this.options;
    const rebalance = this.options.leaderRebalance;
    if (rebalance) {
      this.rebalanceTimer = setInterval(() => {
        if (this.active) this.enqueue(() => this.rebalanceLeaders(rebalance.imbalancePercentage));
      }, rebalance.intervalMs);
      this.rebalanceTimer.unref();
    }
    store.onChange((e) => this.onMetadataChange(e));
    store.onNewSession(() => {
      this.active = false;
      this.enqueue(() => this.elect());
    });
    this.enqueue(() => this.elect());
  }

  close(): void {
    this.closed = true;
    this.active = false;
    clearInterval(this.rebalanceTimer);
  }

  private onMetadataChange(event: MetadataEvent): void {
    if (event.type === 'topic-configs' || event.type === 'broker-configs') return;
    if (!this.active) {
      if (event.type === 'brokers' && this.options.store.controllerId() === -1) this.enqueue(() => this.elect());
      return;
    }
    this.scheduleReconcile();
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(async () => {
      if (this.closed) return;
      try {
        await task();
      } catch (e) {
        this.options.log.warn(`controller: ${(e as Error).message}`);
        if (this.active) setTimeout(() => this.scheduleReconcile(), 1000).unref();
      }
    });
  }

  private scheduleReconcile(): void {
    if (this.reconcileQueued) return;
    this.reconcileQueued = true;
    this.enqueue(async () => {
      this.reconcileQueued = false;
      await this.reconcile();
    });
  }

  /** Tries to become the controller (KafkaZkClient.registerControllerAndIncrementControllerEpoch). */
  private async elect(): Promise<void> {
    const zk = this.options.store.zk;
    if (this.active || this.options.store.controllerId() !== -1 && this.options.store.controllerId() !== this.options.nodeId) return;
    let current: { data: Buffer; stat: { version: number } };
    try {
      current = await zk.getData(zkPaths.controllerEpoch);
    } catch (e) {
      if (!(e instanceof ZooKeeperError) || e.code !== 'NO_NODE') throw e;
      await zk.create(zkPaths.controllerEpoch, encodeControllerEpoch(0)).catch((c: unknown) => {
        if (!(c instanceof ZooKeeperError) || c.code !== 'NODE_EXISTS') throw c;
      });
      current = await zk.getData(zkPaths.controllerEpoch);
    }
    const epoch = decodeControllerEpoch(current.data) + 1;
    try {
      const results = await zk.multi([
        { op: 'create', path: zkPaths.controller, data: encodeController(this.options.nodeId, Date.now()), mode: 'ephemeral' },
        { op: 'setData', path: zkPaths.controllerEpoch, data: encodeControllerEpoch(epoch), version: current.stat.version },
      ]);
      this.epoch = epoch;
      this.epochZkVersion = results[1].stat!.version;
    } catch (e) {
      // Another broker won (the /controller watch tells us when it goes).
      if (e instanceof ZooKeeperError && (e.code === 'NODE_EXISTS' || e.code === 'BAD_VERSION')) return;
      throw e;
    }
    this.active = true;
    this.options.log.info(`broker ${this.options.nodeId} is the controller (epoch ${epoch})`);
    await this.watchTopicDeletions();
    await this.reconcile();
  }

  /** Multi with the check that this controller's epoch is still the current one; false (and resigned) when it is not. */
  private async fencedWrite(ops: ZkOp[]): Promise<boolean> {
    try {
      await this.options.store.zk.multi([{ op: 'check', path: zkPaths.controllerEpoch, version: this.epochZkVersion }, ...ops]);
      return true;
    } catch (e) {
      if (e instanceof ZooKeeperError && e.failedOp === 0) {
        this.options.log.warn(`controller epoch ${this.epoch} was superseded; resigning`);
        this.active = false;
        await this.releaseControllerZnode();
        return false;
      }
      // A state written by someone else meanwhile (a leader's ISR change): the next event reconciles again.
      if (e instanceof ZooKeeperError && (e.code === 'BAD_VERSION' || e.code === 'NODE_EXISTS' || e.code === 'NO_NODE')) return false;
      throw e;
    }
  }

  /**
   * The registered brokers, read from ZooKeeper now rather than from the store's view: the view
   * may not have applied a registration yet when a state change it caused (a leader adding the
   * new broker to an ISR) has arrived, and the controller must not take a live broker for dead.
   */
  private async liveBrokerIds(): Promise<Set<number>> {
    return new Set((await this.options.store.zk.getChildren(zkPaths.brokerIds)).map(Number));
  }

  /** A fenced controller whose /controller znode is still there removes it, so that an election follows (Kafka's triggerControllerMove). */
  private async releaseControllerZnode(): Promise<void> {
    const zk = this.options.store.zk;
    const stat = await zk.exists(zkPaths.controller);
    if (stat && stat.ephemeralOwner === BigInt(`0x${zk.sessionId}`)) await zk.delete(zkPaths.controller, stat.version).catch(() => {});
  }

  private async reconcile(): Promise<void> {
    if (!this.active) return;
    const { store } = this.options;
    const live = await this.liveBrokerIds();
    // A broker that shut down is new when it registers again.
    for (const id of this.shuttingDown) if (!live.has(id)) this.shuttingDown.delete(id);
    for (const topic of [...store.topics()]) {
      if (!this.active) return;
      if (topic.topicId.equals(Buffer.alloc(16))) await this.assignTopicId(topic);
      for (const state of topic.partitions) {
        if (!this.active) return;
        if (state.version < 0) await this.createState(topic, state, live);
        else await this.repairState(topic, state, live);
        if (this.active) await this.reassigner.maybeComplete(topic, state);
      }
    }
  }

  /** Topics written by Kafka before 2.8 get an id, as Kafka 2.8's controller gives them. */
  private async assignTopicId(topic: TopicMetadata): Promise<void> {
    const zk = this.options.store.zk;
    const got = await zk.getData(zkPaths.topic(topic.name));
    const id = randomBytes(16);
    if (await this.fencedWrite([{ op: 'setData', path: zkPaths.topic(topic.name), data: encodeTopicAssignment(decodeTopicAssignment(topic.name, got.data), id), version: got.stat.version }])) {
      this.options.log.info(`gave topic ${topic.name} the id ${id.toString('base64url')}`);
    }
  }

  private async createState(topic: TopicMetadata, state: PartitionState, live: ReadonlySet<number>): Promise<void> {
    const replicas = state.replicas.filter((r) => live.has(r) && !this.shuttingDown.has(r));
    if (replicas.length === 0) return;
    const zk = this.options.store.zk;
    await zk.createParents(zkPaths.partition(topic.name, state.partition));
    const data = encodePartitionState({ leader: replicas[0], leaderEpoch: 0, isr: replicas, controllerEpoch: this.epoch });
    await this.fencedWrite([{ op: 'create', path: zkPaths.partitionState(topic.name, state.partition), data }]);
  }

  /** Writes a new leader and ISR when the leader is gone or a dead broker is still in the ISR; the leader written, if any. */
  private async repairState(topic: TopicMetadata, state: PartitionState, live: ReadonlySet<number>): Promise<number | undefined> {
    const usable = (id: number): boolean => live.has(id) && !this.shuttingDown.has(id);
    const liveIsr = state.isr.filter(usable);
    let next: ZkPartitionState | null = null;
    let why: string | undefined;
    if (state.leader === -1 || !usable(state.leader)) {
      const leader = state.replicas.find((r) => liveIsr.includes(r));
      // A leader in controlled shutdown keeps what no other in-sync replica can take (Kafka's "remaining" partitions).
      if (leader === undefined && live.has(state.leader)) return undefined;
      if (leader !== undefined) {
        next = { leader, leaderEpoch: state.leaderEpoch + 1, isr: liveIsr, controllerEpoch: this.epoch };
        why = `elected ${leader} as leader of ${topic.name}-${state.partition} (was ${state.leader}), ISR ${liveIsr.join(',')}`;
      } else {
        const unclean = state.replicas.find(usable);
        if (unclean !== undefined && this.options.uncleanLeaderElection(topic.name)) {
          next = { leader: unclean, leaderEpoch: state.leaderEpoch + 1, isr: [unclean], controllerEpoch: this.epoch };
          why = `unclean election of ${unclean} as leader of ${topic.name}-${state.partition}: records not replicated to it are lost`;
        } else if (state.leader !== -1) {
          // No in-sync replica left: leaderless, the ISR kept (it names who may lead again).
          next = { leader: -1, leaderEpoch: state.leaderEpoch + 1, isr: state.isr, controllerEpoch: this.epoch };
          why = `${topic.name}-${state.partition} has no live in-sync replica and is offline`;
        }
      }
    } else if (liveIsr.length < state.isr.length) {
      next = { leader: state.leader, leaderEpoch: state.leaderEpoch + 1, isr: liveIsr, controllerEpoch: this.epoch };
    }
    if (!next) return undefined;
    const path = zkPaths.partitionState(topic.name, state.partition);
    if (!await this.fencedWrite([{ op: 'setData', path, data: encodePartitionState(next), version: state.version }])) return undefined;
    if (why) this.options.log.info(why);
    return next.leader;
  }

  private async watchTopicDeletions(): Promise<void> {
    const zk = this.options.store.zk;
    const names = await zk.getChildren(zkPaths.deleteTopics, () => {
      if (this.active) this.enqueue(() => this.watchTopicDeletions());
    });
    for (const name of names) {
      if (!this.active) return;
      await this.deleteTopic(name);
    }
  }

  /** Removes a topic's znodes (its replicas delete their logs when they see it gone), then the deletion request. */
  private async deleteTopic(name: string): Promise<void> {
    const zk = this.options.store.zk;
    const ops: ZkOp[] = [];
    const partitions = await zk.getChildren(zkPaths.partitions(name)).catch(() => [] as string[]);
    for (const p of partitions) {
      const states = await zk.getChildren(`${zkPaths.partitions(name)}/${p}`).catch(() => [] as string[]);
      for (const s of states) ops.push({ op: 'delete', path: `${zkPaths.partitions(name)}/${p}/${s}`, version: -1 });
      ops.push({ op: 'delete', path: `${zkPaths.partitions(name)}/${p}`, version: -1 });
    }
    if (await zk.exists(zkPaths.partitions(name))) ops.push({ op: 'delete', path: zkPaths.partitions(name), version: -1 });
    if (await zk.exists(zkPaths.topic(name))) ops.push({ op: 'delete', path: zkPaths.topic(name), version: -1 });
    if (await zk.exists(zkPaths.topicConfig(name))) ops.push({ op: 'delete', path: zkPaths.topicConfig(name), version: -1 });
    ops.push({ op: 'delete', path: zkPaths.deleteTopic(name), version: -1 });
    if (await this.fencedWrite(ops)) this.options.log.info(`deleted topic ${name}`);
  }

  /**
   * ElectLeaders on the controller, with Kafka's per-partition outcomes. `partitions` null: every
   * partition, and (as Kafka answers then) only those elected or failed are reported.
   */
  electLeaders(type: ElectionType, partitions: { topic: string; partition: number }[] | null): Promise<ElectionResult[]> {
    return this.run(async () => {
      const { store } = this.options;
      const wanted = partitions ?? [...store.topics()].flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition })));
      const results: ElectionResult[] = [];
      for (const { topic, partition } of wanted) {
        const result = await this.elect1(type, topic, partition);
        if (partitions !== null || result.error !== 'ELECTION_NOT_NEEDED') results.push(result);
      }
      return results;
    });
  }

  private async elect1(type: ElectionType, topicName: string, partition: number): Promise<ElectionResult> {
    const topic = this.options.store.topic(topicName);
    const state = topic?.partitions[partition] as PartitionState | undefined;
    const result = (error: ElectionResult['error'], message: string | null = null): ElectionResult => ({ topic: topicName, partition, error, message });
    if (!topic || !state || state.version < 0) return result('UNKNOWN_TOPIC_OR_PARTITION', 'The partition does not exist.');
    const live = await this.liveBrokerIds();
    const usable = (id: number): boolean => live.has(id) && !this.shuttingDown.has(id);
    let leader: number | undefined;
    let isr = state.isr;
    if (type === 0) {
      const preferred = state.replicas[0];
      if (state.leader === preferred) return result('ELECTION_NOT_NEEDED', 'Leader election not needed for topic partition.');
      if (usable(preferred) && state.isr.includes(preferred)) leader = preferred;
      else return result('PREFERRED_LEADER_NOT_AVAILABLE', `Failed to elect leader for partition ${topicName}-${partition} under strategy PreferredReplicaPartitionLeaderElectionStrategy`);
    } else {
      if (state.leader >= 0 && live.has(state.leader)) return result('ELECTION_NOT_NEEDED', 'Leader election not needed for topic partition.');
      leader = state.replicas.find((r) => usable(r) && state.isr.includes(r));
      if (leader !== undefined) {
        isr = state.isr.filter(usable);
      } else {
        leader = state.replicas.find(usable);
        if (leader === undefined) return result('ELIGIBLE_LEADERS_NOT_AVAILABLE', `Failed to elect leader for partition ${topicName}-${partition} under strategy UncleanLeaderElectionStrategy`);
        isr = [leader];
      }
    }
    const next = { leader, leaderEpoch: state.leaderEpoch + 1, isr, controllerEpoch: this.epoch };
    const written = await this.fencedWrite([{ op: 'setData', path: zkPaths.partitionState(topicName, partition), data: encodePartitionState(next), version: state.version }]);
    if (!written) return result(type === 0 ? 'PREFERRED_LEADER_NOT_AVAILABLE' : 'ELIGIBLE_LEADERS_NOT_AVAILABLE', 'The partition state changed meanwhile; try again.');
    this.options.log.info(`elected ${leader} as leader of ${topicName}-${partition} (${type === 0 ? 'preferred' : 'unclean'} election requested)`);
    return result('NONE');
  }

  /** AlterPartitionReassignments (KIP-455): starts or cancels reassignments, with Kafka's per-partition outcomes. */
  alterPartitionReassignments(requests: ReassignmentRequest[]): Promise<ReassignmentResult[]> {
    return this.run(() => this.reassigner.alter(requests));
  }

  /** ListPartitionReassignments: the reassignments in progress among `partitions` (null: all). */
  listPartitionReassignments(partitions: { topic: string; partition: number }[] | null): Promise<OngoingReassignment[]> {
    return this.run(async () => this.reassigner.list(partitions));
  }

  /** auto.leader.rebalance.enable: per broker, when too many of its preferred partitions are led elsewhere, they move back (KafkaController.checkAndTriggerAutoLeaderRebalance). */
  private async rebalanceLeaders(imbalancePercentage: number): Promise<void> {
    const byPreferred = new Map<number, { topic: string; partition: number; led: boolean }[]>();
    for (const topic of this.options.store.topics()) {
      for (const s of topic.partitions) {
        if (s.version < 0 || s.replicas.length === 0) continue;
        const list = byPreferred.get(s.replicas[0]) ?? [];
        list.push({ topic: topic.name, partition: s.partition, led: s.leader === s.replicas[0] });
        byPreferred.set(s.replicas[0], list);
      }
    }
    const live = await this.liveBrokerIds();
    for (const [broker, partitions] of byPreferred) {
      if (!live.has(broker) || this.shuttingDown.has(broker)) continue;
      const elsewhere = partitions.filter((p) => !p.led);
      if (elsewhere.length * 100 <= imbalancePercentage * partitions.length) continue;
      for (const p of elsewhere) {
        if (!this.active) return;
        await this.elect1(0, p.topic, p.partition);
      }
    }
  }

  /** Runs `task` on the controller's queue (after the changes before it) while this broker is the controller. */
  private run<T>(task: () => Promise<T>): Promise<T> {
    return new Promise((resolve, reject) => {
      this.enqueue(async () => {
        try {
          if (!this.active) throw new NotControllerError();
          resolve(await task());
        } catch (e) {
          reject(e as Error);
        }
      });
    });
  }

  /**
   * Controlled shutdown (ControlledShutdown API): leadership of the broker's replicated partitions moves
   * to other in-sync replicas and it leaves every ISR it is not the last member of.
   */
  controlledShutdown(brokerId: number): Promise<ControlledShutdownResult> {
    return this.run(async () => {
      this.shuttingDown.add(brokerId);
      const live = await this.liveBrokerIds();
      const remaining: ControlledShutdownResult['remaining'] = [];
      for (const topic of [...this.options.store.topics()]) {
        for (const state of topic.partitions) {
          // As Kafka's doControlledShutdown: a partition with a single replica has nowhere to move and
          // does not hold the shutdown up; it goes offline with its broker.
          if (state.replicas.length <= 1) continue;
          const written = state.version >= 0 && state.isr.includes(brokerId) ? await this.repairState(topic, state, live) : undefined;
          // From what was written, not from the store's view: the watch bringing the new states back comes later.
          if ((written ?? state.leader) === brokerId) remaining.push({ topic: topic.name, partition: state.partition });
        }
      }
      return { remaining };
    });
  }

}
