// Committed offsets: OffsetCommit (generation fencing, simple commits by
// non-members, offset.metadata.max.bytes), TxnOffsetCommit (verified with the
// transaction coordinator when the producer's transaction has not written to
// the group's partition yet; offsets pending until their transaction's
// marker), OffsetFetch (require_stable),
// OffsetDelete, and the removal of offsets and groups with their tombstones
// (DeleteGroups and offsets.retention.minutes expiry). A commit is answered
// only after its records are in the __consumer_offsets log.
import { ErrorCode } from '../../protocol/errors.js';
import type { Clock } from './clock.js';
import type { CoordinatorLog, GroupCoordinatorConfig } from './config.js';
import type { ClassicGroup, TopicPartition } from './group.js';
import type { Rebalancer } from './rebalancer.js';
import { type KeyValue, type OffsetAndMetadata, groupMetadataRecord, offsetCommitRecord } from './records.js';
import type { OffsetsTopicStore, TxnProducer } from './store.js';
import type { VerificationGuard } from '../../storage/verification-state.js';
import { type MaybePromise, andThen } from '../completion.js';

/** How the offsets code reaches the coordinator's groups. */
export interface GroupRegistry {
  /** NONE, or why requests for this group id cannot be served here now. */
  status(groupId: string, allowEmptyId: boolean): number;
  get(groupId: string): ClassicGroup | undefined;
  /** Creates an Empty group (a first member, or a simple commit). */
  create(groupId: string): ClassicGroup;
  /** Forgets a group that went Dead. */
  forget(group: ClassicGroup): void;
  all(): Iterable<ClassicGroup>;
}

export interface PartitionCommit extends TopicPartition {
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
  /** OffsetCommit v1's per-partition commit time; -1: now. */
  commitTimestamp: number;
}

export interface CommitRequest {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  /** -1 with an empty member id: a commit by a client outside group management. */
  generationId: number;
  /** OffsetCommit v2-v4 retention time; -1: the broker's offsets.retention.minutes. */
  retentionTimeMs: number;
  partitions: PartitionCommit[];
}

/** TxnOffsetCommit: before v3 the membership fields are -1, '' and null, which skip the member checks. */
export interface TxnCommitRequest extends TxnProducer {
  transactionalId: string;
  /** TxnOffsetCommit v4+: the client handles TRANSACTION_ABORTABLE. */
  abortableSupported: boolean;
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  generationId: number;
  partitions: PartitionCommit[];
}

export interface PartitionError extends TopicPartition {
  errorCode: number;
}

export interface FetchedOffset extends PartitionError {
  offset: number;
  leaderEpoch: number;
  metadata: string;
}

export class OffsetManager {
  /** Producer id → the groups holding its pending transactional offsets (Kafka's openGroupsForProducer). */
  private readonly openGroupsForProducer = new Map<number, Set<string>>();

  constructor(
    private readonly config: GroupCoordinatorConfig,
    private readonly registry: GroupRegistry,
    private readonly store: OffsetsTopicStore,
    private readonly rebalancer: Rebalancer,
    private readonly clock: Clock,
    private readonly log: CoordinatorLog,
    private readonly partitionExists: (topic: string, partition: number) => boolean,
  ) {}

  /** Answered once the offsets are replicated (at once on a single node). */
  commit(req: CommitRequest): MaybePromise<PartitionError[]> {
    return this.commitExisting(req.partitions, (known) => this.commitKnown(req, known));
  }

  /** Kafka's handleTxnCommitOffsets: answered later when the transaction must be verified first; the offsets stay pending until completeTransaction. */
  txnCommit(req: TxnCommitRequest): MaybePromise<PartitionError[]> {
    return this.commitExisting(req.partitions, (known) => this.txnCommitKnown(req, known));
  }

  /** Partitions of unknown topics get UNKNOWN_TOPIC_OR_PARTITION; the others are committed. Errors in request order. */
  private commitExisting(
    partitions: readonly PartitionCommit[], commitKnown: (known: PartitionCommit[]) => MaybePromise<Map<PartitionCommit, number>>,
  ): MaybePromise<PartitionError[]> {
    const errors = new Map<PartitionCommit, number>();
    const known = partitions.filter((p) => {
      if (this.partitionExists(p.topic, p.partition)) return true;
      errors.set(p, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      return false;
    });
    const answer = (stored: Map<PartitionCommit, number>): PartitionError[] => {
      for (const p of known) errors.set(p, stored.get(p) ?? ErrorCode.NONE);
      return partitions.map((p) => ({ topic: p.topic, partition: p.partition, errorCode: errors.get(p)! }));
    };
    if (known.length === 0) return answer(new Map());
    return andThen(commitKnown(known), answer);
  }

  /** The error per partition (absent: stored). */
  private commitKnown(req: CommitRequest, partitions: PartitionCommit[]): MaybePromise<Map<PartitionCommit, number>> {
    const all = (errorCode: number): Map<PartitionCommit, number> => new Map(partitions.map((p) => [p, errorCode]));
    const status = this.registry.status(req.groupId, true);
    if (status !== ErrorCode.NONE) return all(status);
    let group = this.registry.get(req.groupId);
    if (!group) {
      // No group: a client outside group management may create one by committing; anyone else is stale.
      if (req.generationId >= 0) return all(ErrorCode.ILLEGAL_GENERATION);
      group = this.registry.create(req.groupId);
    }
    const error = this.validateCommitter(group, req, false);
    if (error !== ErrorCode.NONE) return all(error);
    if (group.is('CompletingRebalance')) return all(ErrorCode.REBALANCE_IN_PROGRESS);
    // A commit is a sign of life (commits may still come from the previous generation while rebalancing).
    if (group.is('Stable') || group.is('PreparingRebalance')) this.rebalancer.scheduleHeartbeatExpiry(group, group.get(req.memberId));
    return this.storeOffsets(group, partitions, req.retentionTimeMs, null);
  }

  private txnCommitKnown(req: TxnCommitRequest, partitions: PartitionCommit[]): MaybePromise<Map<PartitionCommit, number>> {
    const all = (errorCode: number): Map<PartitionCommit, number> => new Map(partitions.map((p) => [p, errorCode]));
    const status = this.registry.status(req.groupId, false);
    if (status !== ErrorCode.NONE) return all(status);
    // Any transactional commit creates the group (as Kafka does); the member checks still apply.
    const group = this.registry.get(req.groupId) ?? this.registry.create(req.groupId);
    const { transactionalId, producerId, producerEpoch, abortableSupported } = req;
    const verification = this.store.startTxnVerification(req.groupId, { transactionalId, producerId, producerEpoch, abortableSupported });
    const store = (): MaybePromise<Map<PartitionCommit, number>> => {
      const error = this.validateCommitter(group, req, true);
      if (error !== ErrorCode.NONE) return all(error);
      return this.storeOffsets(group, partitions, -1, { producerId, producerEpoch }, verification?.guard);
    };
    if (!verification?.verdict) return store();
    return verification.verdict.then((error) => (error === ErrorCode.NONE ? store() : all(offsetCommitErrorFor(error))));
  }

  private validateCommitter(group: ClassicGroup, req: CommitRequest | TxnCommitRequest, transactional: boolean): number {
    if (group.is('Dead')) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (req.generationId < 0 && group.is('Empty')) return ErrorCode.NONE;
    if (req.generationId >= 0 || req.memberId !== '' || req.groupInstanceId !== null) {
      const error = group.memberError(req.memberId, req.groupInstanceId);
      if (error !== ErrorCode.NONE) return error;
      return req.generationId === group.generationId ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
    }
    // A group with members takes plain commits from its members only; transactional commits
    // before v3 carry no membership to check.
    return transactional || group.is('Empty') ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  /**
   * Writes the offsets (a transactional batch for a producer) and, once replicated, keeps them
   * committed, or pending for the producer.
   */
  private storeOffsets(
    group: ClassicGroup, partitions: PartitionCommit[], retentionTimeMs: number, producer: TxnProducer | null,
    verificationGuard?: VerificationGuard,
  ): MaybePromise<Map<PartitionCommit, number>> {
    const errors = new Map<PartitionCommit, number>();
    const now = this.clock.now();
    const accepted: { p: PartitionCommit; value: OffsetAndMetadata }[] = [];
    for (const p of partitions) {
      const metadata = p.metadata ?? '';
      if (metadata.length > this.config.offsetMetadataMaxBytes) {
        errors.set(p, ErrorCode.OFFSET_METADATA_TOO_LARGE);
        continue;
      }
      const commitTimestamp = p.commitTimestamp < 0 ? now : p.commitTimestamp;
      accepted.push({
        p,
        value: {
          offset: p.offset,
          leaderEpoch: p.leaderEpoch,
          metadata,
          commitTimestamp,
          expireTimestamp: retentionTimeMs < 0 ? null : now + retentionTimeMs,
        },
      });
    }
    if (accepted.length === 0) return errors;
    const records = accepted.map(({ p, value }) => offsetCommitRecord(group.groupId, p.topic, p.partition, value));
    return andThen(this.store.append(group.groupId, records, producer, verificationGuard), ({ errorCode, baseOffset }) => {
      // A group unloaded meanwhile (this broker no longer leads its partition) keeps nothing.
      const stored = errorCode === ErrorCode.NONE && !group.is('Dead');
      for (const { p, value } of accepted) {
        const record = { value, recordOffset: baseOffset };
        if (stored && producer) group.offsets.addPending(producer.producerId, p.topic, p.partition, record);
        else if (stored) group.offsets.commit(p.topic, p.partition, record);
        errors.set(p, offsetCommitErrorFor(errorCode));
      }
      if (stored && producer) this.trackTransaction(producer.producerId, group.groupId);
      return errors;
    });
  }

  /**
   * The marker of the producer's transaction is in this __consumer_offsets partition: its pending
   * offsets in the partition's groups are committed or dropped (Kafka's handleTxnCompletion).
   */
  completeTransaction(offsetsPartition: number, producerId: number, commit: boolean): void {
    const groups = this.openGroupsForProducer.get(producerId);
    if (!groups) return;
    for (const groupId of groups) {
      if (this.store.partitionFor(groupId) !== offsetsPartition) continue;
      groups.delete(groupId);
      const group = this.registry.get(groupId);
      if (group && !group.is('Dead')) group.offsets.completePending(producerId, commit);
    }
    if (groups.size === 0) this.openGroupsForProducer.delete(producerId);
  }

  /** The groups of an unloaded partition: their transactions' markers are no longer this broker's business. */
  forgetTransactions(groupIds: ReadonlySet<string>): void {
    for (const [producerId, groups] of this.openGroupsForProducer) {
      for (const groupId of groupIds) groups.delete(groupId);
      if (groups.size === 0) this.openGroupsForProducer.delete(producerId);
    }
  }

  /** A group loaded with pending transactional offsets: their markers will complete them. */
  trackLoadedTransactions(group: ClassicGroup): void {
    for (const producerId of group.offsets.pendingProducers()) this.trackTransaction(producerId, group.groupId);
  }

  private trackTransaction(producerId: number, groupId: string): void {
    let groups = this.openGroupsForProducer.get(producerId);
    if (!groups) this.openGroupsForProducer.set(producerId, (groups = new Set()));
    groups.add(groupId);
  }

  /**
   * Committed offsets (-1 where none); `partitions` null asks for all of the group's. With
   * `requireStable` (OffsetFetch v7+), a partition with a pending transactional offset gets
   * UNSTABLE_OFFSET_COMMIT instead.
   */
  fetch(groupId: string, partitions: readonly TopicPartition[] | null, requireStable: boolean): { errorCode: number; offsets: FetchedOffset[] } {
    const status = this.registry.status(groupId, true);
    if (status !== ErrorCode.NONE) return { errorCode: status, offsets: [] };
    const group = this.registry.get(groupId);
    const live = group && !group.is('Dead') ? group : undefined;
    const wanted = partitions ?? live?.offsets.all() ?? [];
    const offsets = wanted.map(({ topic, partition }) => (requireStable && live?.offsets.isPending(topic, partition)
      ? { ...fetched(topic, partition, undefined), errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT }
      : fetched(topic, partition, live?.offsets.get(topic, partition))));
    return { errorCode: ErrorCode.NONE, offsets };
  }

  /** OffsetDelete: only offsets the group does not consume (all of them when it is empty). */
  delete(groupId: string, partitions: readonly TopicPartition[]): { errorCode: number; partitions: PartitionError[] } {
    const status = this.registry.status(groupId, false);
    if (status !== ErrorCode.NONE) return { errorCode: status, partitions: [] };
    const group = this.registry.get(groupId);
    if (!group || group.is('Dead')) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, partitions: [] };
    if (!group.is('Empty') && !group.isConsumerGroup) return { errorCode: ErrorCode.NON_EMPTY_GROUP, partitions: [] };
    const results: PartitionError[] = [];
    const eligible: TopicPartition[] = [];
    for (const tp of partitions) {
      let errorCode: number = ErrorCode.NONE;
      if (!this.partitionExists(tp.topic, tp.partition)) errorCode = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      else if (!group.is('Empty') && group.isSubscribedTo(tp.topic)) errorCode = ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC;
      else eligible.push(tp);
      results.push({ ...tp, errorCode });
    }
    if (eligible.length > 0) {
      const removed = this.cleanupGroup(group, eligible);
      this.log.info(`deleted ${removed} offset(s) of group ${groupId}`);
    }
    return { errorCode: ErrorCode.NONE, partitions: results };
  }

  /** A deleted topic's committed offsets go from every group (Kafka's handleDeletedPartitions). */
  removeTopic(topic: string): void {
    let removed = 0;
    for (const group of [...this.registry.all()]) {
      const partitions = group.offsets.partitionsOf(topic);
      if (partitions.length > 0) removed += this.cleanupGroup(group, partitions);
    }
    if (removed > 0) this.log.info(`removed ${removed} offset(s) of deleted topic ${topic}`);
  }

  /** Expires offsets past offsets.retention.minutes, and the empty groups left without offsets. */
  expireOffsets(): void {
    const now = this.clock.now();
    let removed = 0;
    for (const group of [...this.registry.all()]) {
      removed += this.cleanupGroup(group, group.expiredOffsets(now, this.config.offsetsRetentionMs));
    }
    if (removed > 0) this.log.info(`expired ${removed} offset(s)`);
  }

  /**
   * Removes the given offsets and writes their tombstones; an empty group left without offsets
   * (or one already Dead) is forgotten, with a tombstone for its metadata if it ever had a
   * generation. Returns how many offsets were removed.
   */
  cleanupGroup(group: ClassicGroup, partitions: readonly TopicPartition[]): number {
    const removed = group.offsets.remove(partitions);
    if (group.is('Empty') && group.offsets.isEmpty) group.transitionTo('Dead');
    const tombstones: KeyValue[] = removed.map((tp) => offsetCommitRecord(group.groupId, tp.topic, tp.partition, null));
    if (group.is('Dead')) {
      this.registry.forget(group);
      if (group.generationId > 0) tombstones.push(groupMetadataRecord(group.groupId, null));
    }
    void andThen(this.store.append(group.groupId, tombstones), ({ errorCode }) => {
      if (errorCode !== ErrorCode.NONE) this.log.warn(`could not write tombstones for group ${group.groupId}: error ${errorCode}`);
    });
    return removed.length;
  }
}

/**
 * The error a committer sees for one that writing (or verifying) its offsets met (Kafka's
 * maybeConvertOffsetCommitError): retriable ones it knows how to retry, sizes as its own.
 */
function offsetCommitErrorFor(error: number): number {
  switch (error) {
    case ErrorCode.NETWORK_EXCEPTION:
      return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
    case ErrorCode.INVALID_FETCH_SIZE:
      return ErrorCode.INVALID_COMMIT_OFFSET_SIZE;
    default:
      // INVALID_TXN_STATE, INVALID_PRODUCER_ID_MAPPING and the like pass unchanged.
      return error;
  }
}

function fetched(topic: string, partition: number, value: OffsetAndMetadata | undefined): FetchedOffset {
  return {
    topic,
    partition,
    offset: value?.offset ?? -1,
    leaderEpoch: value?.leaderEpoch ?? -1,
    metadata: value?.metadata ?? '',
    errorCode: ErrorCode.NONE,
  };
}
