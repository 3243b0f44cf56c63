// Partition reassignment on the controller (KIP-455, Kafka 2.4+'s ZooKeeper-mode
// KafkaController.onPartitionReassignment). A reassignment writes the topic
// znode with replicas = target ∪ original and the adding/removing lists, and
// bumps the leader epoch; the data plane then has the added replicas follow
// the leader, which takes them into the ISR once caught up. When every target
// replica is in the ISR, one fenced write completes it: the assignment becomes
// the target, the leader moves (new epoch) if it is not a live target replica,
// removed replicas leave the ISR; their brokers then delete the logs.
// Kafka keeps the steps apart; one ZooKeeper multi makes them atomic here.
import type { PartitionState, TopicMetadata } from './metadata-store.js';
import {
  decodeTopicAssignment, decodeTopicId, decodePartitionState, encodePartitionState, encodeTopicAssignment, zkPaths,
  type ZkPartitionState, type ZkReplicaAssignment,
} from './zk-layout.js';
import type { ZkLogger, ZkMetadataStore } from './zk-metadata-store.js';
import type { ZkOp } from './zookeeper-client.js';

export interface ReassignmentRequest {
  topic: string;
  partition: number;
  /** null: cancel the partition's reassignment (back to its original replicas). */
  replicas: number[] | null;
}

export interface ReassignmentResult {
  topic: string;
  partition: number;
  error: 'NONE' | 'INVALID_REPLICA_ASSIGNMENT' | 'NO_REASSIGNMENT_IN_PROGRESS' | 'UNKNOWN_TOPIC_OR_PARTITION' | 'UNKNOWN_SERVER_ERROR';
  message: string | null;
}

export interface OngoingReassignment {
  topic: string;
  partition: number;
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

/** What the reassigner needs of the controller. */
export interface ReassignerHost {
  store: ZkMetadataStore;
  log: ZkLogger;
  controllerEpoch(): number;
  /** A multi conditional on the controller epoch; false when a version check failed (or the controller was deposed). */
  fencedWrite(ops: ZkOp[]): Promise<boolean>;
  /** Registered and not shutting down. */
  usable(brokerId: number): boolean;
  liveBrokerIds(): number[];
}

/** A write can lose to a leader's ISR change; tries before the request gives up with UNKNOWN_SERVER_ERROR. */
const WRITE_ATTEMPTS = 5;

const NO_REASSIGNMENT = 'No partition reassignment is in progress.';
const NO_PARTITION = 'The partition does not exist.';

export function isBeingReassigned(a: { addingReplicas?: number[]; removingReplicas?: number[] }): boolean {
  return (a.addingReplicas?.length ?? 0) > 0 || (a.removingReplicas?.length ?? 0) > 0;
}

function originReplicas(a: ZkReplicaAssignment): number[] {
  return a.replicas.filter((r) => !a.addingReplicas.includes(r));
}

function targetReplicas(a: ZkReplicaAssignment): number[] {
  return a.replicas.filter((r) => !a.removingReplicas.includes(r));
}

/** Kafka's ReplicaAssignment.reassignTo: target first, then the original replicas it drops. */
export function reassignTo(current: ZkReplicaAssignment, target: readonly number[]): ZkReplicaAssignment {
  const origin = originReplicas(current);
  const replicas = [...new Set([...target, ...origin])];
  return { replicas, addingReplicas: replicas.filter((r) => !origin.includes(r)), removingReplicas: replicas.filter((r) => !target.includes(r)) };
}

/** Scala's toString of the ArrayBuffer Kafka prints in its messages. */
function scalaBuffer(ids: readonly number[]): string {
  return `ArrayBuffer(${ids.join(', ')})`;
}

/** Scala's toString of an immutable Set (Set1..Set4 print "Set", bigger ones "HashSet"). */
function scalaSet(ids: readonly number[]): string {
  return `${ids.length <= 4 ? 'Set' : 'HashSet'}(${ids.join(', ')})`;
}

export class Reassigner {
  constructor(private readonly host: ReassignerHost) {}

  /** AlterPartitionReassignments: each partition validated and started (or cancelled) on its own, as Kafka's processApiPartitionReassignment. */
  async alter(requests: ReassignmentRequest[]): Promise<ReassignmentResult[]> {
    // A partition named twice: the last one counts (Kafka builds a map).
    const byPartition = new Map(requests.map((r) => [`${r.partition}:${r.topic}`, r]));
    const results: ReassignmentResult[] = [];
    for (const r of byPartition.values()) {
      const result = (error: ReassignmentResult['error'], message: string | null): ReassignmentResult => ({ topic: r.topic, partition: r.partition, error, message });
      const current = this.assignmentOf(r.topic, r.partition);
      const invalid = r.replicas === null ? null : this.validate(r.replicas, current);
      if (invalid !== null) {
        results.push(result('INVALID_REPLICA_ASSIGNMENT', invalid));
        continue;
      }
      const target = r.replicas ?? (isBeingReassigned(current) ? originReplicas(current) : null);
      if (target === null) {
        results.push(result('NO_REASSIGNMENT_IN_PROGRESS', NO_REASSIGNMENT));
        continue;
      }
      const state = this.host.store.topic(r.topic)?.partitions[r.partition] as PartitionState | undefined;
      if (!state || await this.host.store.zk.exists(zkPaths.deleteTopic(r.topic))) {
        results.push(result('UNKNOWN_TOPIC_OR_PARTITION', NO_PARTITION));
        continue;
      }
      try {
        await this.start(r.topic, r.partition, target);
        results.push(result('NONE', null));
      } catch (e) {
        this.host.log.warn(`reassignment of ${r.topic}-${r.partition} failed: ${(e as Error).message}`);
        results.push(result('UNKNOWN_SERVER_ERROR', 'The server experienced an unexpected error when processing the request.'));
      }
    }
    return results;
  }

  /** ListPartitionReassignments: the partitions named (or all) that are being reassigned. */
  list(partitions: { topic: string; partition: number }[] | null): OngoingReassignment[] {
    const { store } = this.host;
    const wanted = partitions ?? [...store.topics()].flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition })));
    const seen = new Set<string>();
    const out: OngoingReassignment[] = [];
    for (const { topic, partition } of wanted) {
      const key = `${partition}:${topic}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const a = this.assignmentOf(topic, partition);
      if (isBeingReassigned(a)) out.push({ topic, partition, ...a });
    }
    return out;
  }

  /** After any change (the controller's reconcile): completes the partition's reassignment once its target replicas are all in sync. */
  async maybeComplete(topic: TopicMetadata, state: PartitionState): Promise<void> {
    if (state.version < 0 || !isBeingReassigned(state)) return;
    const target = state.replicas.filter((r) => !state.removingReplicas!.includes(r));
    if (!target.every((r) => state.isr.includes(r))) return;
    await this.advance(topic.name, state.partition);
  }

  private assignmentOf(topic: string, partition: number): ZkReplicaAssignment {
    const s = this.host.store.topic(topic)?.partitions[partition] as PartitionState | undefined;
    return { replicas: s?.replicas ?? [], addingReplicas: s?.addingReplicas ?? [], removingReplicas: s?.removingReplicas ?? [] };
  }

  /** Kafka's validateReplicas, with its messages. */
  private validate(replicas: number[], current: ZkReplicaAssignment): string | null {
    if (replicas.length === 0) return 'Empty replica list specified in partition reassignment.';
    if (new Set(replicas).size !== replicas.length) return `Duplicate replica ids in partition reassignment replica list: ${scalaBuffer(replicas)}`;
    if (replicas.some((r) => r < 0)) return `Invalid broker id in replica list: ${scalaBuffer(replicas)}`;
    const adding = reassignTo(current, replicas).addingReplicas;
    if (adding.every((r) => this.host.usable(r))) return null;
    return `Replica assignment has brokers that are not alive. Replica list: ${scalaBuffer(adding)}, live broker list: ${scalaSet(this.host.liveBrokerIds())}`;
  }

  /** Phase U (and A or B): writes the new assignment, then carries it as far as the ISR allows. */
  private async start(topic: string, partition: number, target: number[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (await this.write(topic, partition, (current) => reassignTo(current, target))) return;
      if (attempt === WRITE_ATTEMPTS) throw new Error(`the partition's state kept changing (${WRITE_ATTEMPTS} attempts)`);
    }
  }

  /** Re-examines a partition being reassigned (its ISR changed); a lost race is retried by the next event. */
  private async advance(topic: string, partition: number): Promise<void> {
    await this.write(topic, partition, (current) => current);
  }

  /**
   * One fenced multi from the znodes as they are now: the assignment `next` gives for the current one,
   * and the state that goes with it. Not complete (a target replica out of the ISR): the
   * assignment with its adding/removing lists, a leader epoch bump, replicas no longer wanted out
   * of the ISR. Complete: the target as the assignment, the leader moved if needed, the ISR cut
   * to the target. False when a version check failed.
   */
  private async write(topic: string, partition: number, next: (current: ZkReplicaAssignment) => ZkReplicaAssignment): Promise<boolean> {
    const { zk } = this.host.store;
    const topicZnode = await zk.getData(zkPaths.topic(topic));
    const assignment = decodeTopicAssignment(topic, topicZnode.data);
    const current = assignment.get(partition);
    const stateZnode = await zk.getData(zkPaths.partitionState(topic, partition));
    if (!current) return true;
    const state = decodePartitionState(topic, partition, stateZnode.data);
    let wanted = next(current);
    const target = targetReplicas(wanted);
    // Not being reassigned at all (a target equal to the replicas): Kafka goes straight to completion too.
    const complete = !isBeingReassigned(wanted) || target.every((r) => state.isr.includes(r));
    let newState: ZkPartitionState;
    let why: string;
    if (complete) {
      const leader = target.includes(state.leader) && this.host.usable(state.leader)
        ? state.leader
        : target.find((r) => this.host.usable(r) && state.isr.includes(r));
      if (leader === undefined) {
        this.host.log.warn(`reassignment of ${topic}-${partition} to [${target.join(',')}] waits for a live in-sync target replica to lead`);
        return true;
      }
      wanted = { replicas: target, addingReplicas: [], removingReplicas: [] };
      newState = { leader, leaderEpoch: state.leaderEpoch + 1, isr: state.isr.filter((r) => target.includes(r)), controllerEpoch: this.host.controllerEpoch() };
      why = `completed the reassignment of ${topic}-${partition}: replicas [${target.join(',')}], leader ${leader}`;
    } else {
      if (sameAssignment(current, wanted)) return true; // in progress, and still waiting for the ISR
      // Replicas dropped by a cancelled or replaced reassignment leave the ISR (not its last member, as Kafka).
      const dropped = current.replicas.filter((r) => !wanted.replicas.includes(r));
      const isr = state.isr.filter((r) => !dropped.includes(r));
      newState = {
        leader: dropped.includes(state.leader) ? -1 : state.leader,
        leaderEpoch: state.leaderEpoch + 1,
        isr: isr.length > 0 ? isr : state.isr,
        controllerEpoch: this.host.controllerEpoch(),
      };
      why = `reassigning ${topic}-${partition}: replicas [${wanted.replicas.join(',')}], adding [${wanted.addingReplicas.join(',')}], removing [${wanted.removingReplicas.join(',')}]`;
    }
    assignment.set(partition, wanted);
    const written = await this.host.fencedWrite([
      { op: 'setData', path: zkPaths.topic(topic), data: encodeTopicAssignment(assignment, decodeTopicId(topic, topicZnode.data)), version: topicZnode.stat.version },
      { op: 'setData', path: zkPaths.partitionState(topic, partition), data: encodePartitionState(newState), version: stateZnode.stat.version },
    ]);
    if (written) this.host.log.info(why);
    return written;
  }
}

function sameAssignment(a: ZkReplicaAssignment, b: ZkReplicaAssignment): boolean {
  return [a.replicas, a.addingReplicas, a.removingReplicas].join('/') === [b.replicas, b.addingReplicas, b.removingReplicas].join('/');
}
