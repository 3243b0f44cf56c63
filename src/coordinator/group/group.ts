// A classic group's in-memory state: Kafka's state machine (Empty,
// PreparingRebalance, CompletingRebalance, Stable, Dead), its members, the
// protocol votes, static and pending members, and its offsets.
// Pure bookkeeping: timers and persistence live in the coordinator.
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../protocol/errors.js';
import { CONSUMER_PROTOCOL_TYPE, subscribedTopics } from './consumer-protocol.js';
import { GroupOffsets } from './group-offsets.js';
import type { JoinCallback, JoinResult, Member, Protocol, SyncResult } from './member.js';
import type { OffsetAndMetadata, StoredGroup } from './records.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** The states each state may be entered from. */
const VALID_PREVIOUS: Record<GroupState, readonly GroupState[]> = {
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Empty: ['PreparingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

export interface TopicPartition {
  topic: string;
  partition: number;
}

export class ClassicGroup {
  private _state: GroupState;
  /** When the group entered its state; null for groups loaded from value schemas before v2. */
  currentStateTimestamp: number | null;
  protocolType: string | null = null;
  protocolName: string | null = null;
  generationId = 0;
  private leaderId: string | null = null;
  /** Set when a member joins during the first rebalance: the initial delay is extended. */
  newMemberAdded = false;

  private readonly members = new Map<string, Member>();
  /** group.instance.id → member id. */
  private readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet. */
  private readonly pendingMembers = new Set<string>();
  private readonly pendingSyncMembers = new Set<string>();
  private numAwaitingJoin = 0;
  /** Protocol name → how many members offer it. */
  private readonly protocolVotes = new Map<string, number>();
  /** Topics of the members' subscriptions (consumer groups); null when unknown. */
  private subscribed: ReadonlySet<string> | null = null;

  constructor(
    readonly groupId: string,
    initialState: GroupState,
    private readonly now: () => number,
    /** Committed and pending transactional offsets; a loaded group brings those replayed from the log. */
    readonly offsets = new GroupOffsets(),
  ) {
    this._state = initialState;
    this.currentStateTimestamp = now();
  }

  get state(): GroupState {
    return this._state;
  }

  is(state: GroupState): boolean {
    return this._state === state;
  }

  get size(): number {
    return this.members.size;
  }

  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  get(memberId: string): Member {
    const m = this.members.get(memberId);
    if (!m) throw new Error(`group ${this.groupId} has no member ${memberId}`);
    return m;
  }

  allMembers(): Member[] {
    return [...this.members.values()];
  }

  get leader(): string | null {
    return this.leaderId;
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  get isConsumerGroup(): boolean {
    return this.protocolType === CONSUMER_PROTOCOL_TYPE;
  }

  /** The largest rebalance timeout of any member: how long a rebalance waits for rejoins. */
  get rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  get canRebalance(): boolean {
    return VALID_PREVIOUS.PreparingRebalance.includes(this._state);
  }

  transitionTo(state: GroupState): void {
    if (!VALID_PREVIOUS[state].includes(this._state)) {
      throw new Error(`group ${this.groupId} cannot move from ${this._state} to ${state}`);
    }
    this._state = state;
    this.currentStateTimestamp = this.now();
  }

  // --- membership ---

  add(member: Member, callback: JoinCallback | null = null): void {
    if (member.groupInstanceId !== null) {
      if (this.staticMembers.has(member.groupInstanceId)) {
        throw new Error(`static member ${member.groupInstanceId} is already in group ${this.groupId}`);
      }
      this.staticMembers.set(member.groupInstanceId, member.memberId);
    }
    if (this.members.size === 0) this.protocolType = member.protocolType;
    this.leaderId ??= member.memberId;
    this.members.set(member.memberId, member);
    this.countVotes(member.protocols, 1);
    member.awaitingJoin = callback;
    if (callback) this.numAwaitingJoin++;
    this.pendingMembers.delete(member.memberId);
  }

  remove(memberId: string): void {
    const member = this.members.get(memberId);
    if (member) {
      this.members.delete(memberId);
      this.countVotes(member.protocols, -1);
      if (member.awaitingJoin) this.numAwaitingJoin--;
      if (member.groupInstanceId !== null) this.staticMembers.delete(member.groupInstanceId);
    }
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
    this.pendingMembers.delete(memberId);
    this.pendingSyncMembers.delete(memberId);
  }

  /** New protocols, timeouts and JoinGroup callback of an existing member. */
  updateMember(member: Member, protocols: Protocol[], rebalanceTimeoutMs: number, sessionTimeoutMs: number, callback: JoinCallback | null): void {
    this.countVotes(member.protocols, -1);
    member.protocols = protocols;
    this.countVotes(protocols, 1);
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = sessionTimeoutMs;
    if (callback && !member.awaitingJoin) this.numAwaitingJoin++;
    else if (!callback && member.awaitingJoin) this.numAwaitingJoin--;
    member.awaitingJoin = callback;
  }

  /** Gives a static member a new member id, fencing whoever still waits under the old one. */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): Member {
    const member = this.get(oldMemberId);
    this.members.delete(oldMemberId);
    this.answerJoin(member, joinError(oldMemberId, ErrorCode.FENCED_INSTANCE_ID));
    this.answerSync(member, syncError(ErrorCode.FENCED_INSTANCE_ID));
    member.memberId = newMemberId;
    this.members.set(newMemberId, member);
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId;
    this.staticMembers.set(groupInstanceId, newMemberId);
    return member;
  }

  /**
   * Why a request from this member id (and instance id) is refused, or NONE: a static member
   * whose instance id maps to another member id is FENCED_INSTANCE_ID; an unknown one is
   * UNKNOWN_MEMBER_ID.
   */
  memberError(memberId: string, groupInstanceId: string | null): number {
    if (groupInstanceId !== null) {
      const current = this.staticMembers.get(groupInstanceId);
      if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (current !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
    }
    return this.members.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  staticMemberId(groupInstanceId: string): string | undefined {
    return this.staticMembers.get(groupInstanceId);
  }

  isPendingMember(memberId: string): boolean {
    return this.pendingMembers.has(memberId);
  }

  addPendingMember(memberId: string): void {
    this.pendingMembers.add(memberId);
  }

  /** Every member and no pending member has sent its JoinGroup. */
  get hasAllMembersJoined(): boolean {
    return this.members.size === this.numAwaitingJoin && this.pendingMembers.size === 0;
  }

  get awaitingJoinCount(): number {
    return this.numAwaitingJoin;
  }

  notYetRejoinedMembers(): Member[] {
    return this.allMembers().filter((m) => !m.awaitingJoin);
  }

  /** Keeps the leader if it rejoined, else picks a member that did; false when none did. */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    if (this.get(this.leaderId).awaitingJoin) return true;
    const joined = this.allMembers().find((m) => m.awaitingJoin);
    if (!joined) return false;
    this.leaderId = joined.memberId;
    return true;
  }

  addPendingSyncMember(memberId: string): void {
    this.pendingSyncMembers.add(memberId);
  }

  removePendingSyncMember(memberId: string): void {
    this.pendingSyncMembers.delete(memberId);
  }

  clearPendingSyncMembers(): void {
    this.pendingSyncMembers.clear();
  }

  get hasReceivedSyncFromAllMembers(): boolean {
    return this.pendingSyncMembers.size === 0;
  }

  pendingSyncMemberIds(): string[] {
    return [...this.pendingSyncMembers];
  }

  generateMemberId(clientId: string, groupInstanceId: string | null): string {
    return `${groupInstanceId ?? clientId}-${randomUUID()}`;
  }

  answerJoin(member: Member, result: JoinResult): void {
    const callback = member.awaitingJoin;
    if (!callback) return;
    member.awaitingJoin = null;
    this.numAwaitingJoin--;
    callback(result);
  }

  /** Returns whether the member was waiting. */
  answerSync(member: Member, result: SyncResult): boolean {
    const callback = member.awaitingSync;
    if (!callback) return false;
    member.awaitingSync = null;
    callback(result);
    return true;
  }

  // --- protocols ---

  /** Whether a member offering these may join: same protocol type, and a protocol every member offers. */
  supportsProtocols(protocolType: string, protocols: readonly string[]): boolean {
    if (this.is('Empty')) return protocolType.length > 0 && protocols.length > 0;
    return this.protocolType === protocolType && protocols.some((p) => (this.protocolVotes.get(p) ?? 0) === this.members.size);
  }

  /** The protocol every member supports that most members prefer. */
  selectProtocol(): string {
    if (this.members.size === 0) throw new Error(`cannot select a protocol for empty group ${this.groupId}`);
    const candidates = new Set<string>();
    for (const [name, count] of this.protocolVotes) if (count === this.members.size) candidates.add(name);
    const tally = new Map<string, number>();
    for (const m of this.members.values()) {
      const choice = m.vote(candidates);
      tally.set(choice, (tally.get(choice) ?? 0) + 1);
    }
    let best = '';
    let bestVotes = -1;
    for (const [name, votes] of tally) {
      if (votes > bestVotes) {
        best = name;
        bestVotes = votes;
      }
    }
    return best;
  }

  private countVotes(protocols: readonly Protocol[], delta: number): void {
    for (const p of protocols) this.protocolVotes.set(p.name, (this.protocolVotes.get(p.name) ?? 0) + delta);
  }

  initNextGeneration(): void {
    this.generationId++;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.transitionTo('CompletingRebalance');
    } else {
      this.protocolName = null;
      this.transitionTo('Empty');
    }
    this.subscribed = this.computeSubscribedTopics();
    this.pendingSyncMembers.clear();
  }

  /** Each member's metadata for the chosen protocol: what the leader assigns from. */
  currentMemberMetadata(): JoinResult['members'] {
    const protocol = this.protocolName;
    if (protocol === null) throw new Error(`group ${this.groupId} has no protocol in state ${this._state}`);
    return this.allMembers().map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadataFor(protocol) }));
  }

  /** True unless the group is a consumer group known not to subscribe to the topic. */
  isSubscribedTo(topic: string): boolean {
    return this.subscribed === null || this.subscribed.has(topic);
  }

  private computeSubscribedTopics(): ReadonlySet<string> | null {
    if (!this.isConsumerGroup) return null;
    if (this.members.size === 0) return new Set();
    if (this.protocolName === null) return null;
    const topics = new Set<string>();
    for (const m of this.members.values()) {
      const list = subscribedTopics(m.metadataFor(this.protocolName));
      if (list === null) return null;
      for (const t of list) topics.add(t);
    }
    return topics;
  }

  /** The group as written to __consumer_offsets. */
  toStored(assignment: ReadonlyMap<string, Buffer>): StoredGroup {
    const protocol = this.protocolName;
    return {
      protocolType: this.protocolType ?? '',
      generation: this.generationId,
      protocol,
      leader: this.leaderId,
      currentStateTimestamp: this.currentStateTimestamp ?? -1,
      members: this.allMembers().map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs,
        sessionTimeout: m.sessionTimeoutMs,
        subscription: protocol === null ? Buffer.alloc(0) : m.metadataFor(protocol),
        assignment: assignment.get(m.memberId) ?? Buffer.alloc(0),
      })),
    };
  }

  /** Restores what toStored wrote (after a restart); members come back with the chosen protocol only. */
  restore(stored: StoredGroup, members: Member[]): void {
    this.generationId = stored.generation;
    this.protocolType = stored.protocolType === '' ? null : stored.protocolType;
    this.protocolName = stored.protocol;
    this.currentStateTimestamp = stored.currentStateTimestamp < 0 ? null : stored.currentStateTimestamp;
    for (const m of members) this.add(m);
    this.leaderId = stored.leader;
    this.subscribed = this.computeSubscribedTopics();
  }

  // --- offsets ---

  /**
   * Kafka's offsets.retention.minutes rules: an empty group loses all offsets once it has been
   * empty for the retention time; a stable consumer group loses offsets of topics it no longer
   * subscribes to once they are that old; a group without a protocol (offsets only) loses each
   * offset that old. Offsets with an explicit expire timestamp expire at it.
   */
  expiredOffsets(now: number, retentionMs: number): TopicPartition[] {
    let since: ((o: OffsetAndMetadata) => number) | null = null;
    let keep: ReadonlySet<string> = new Set();
    if (this.protocolType === null) {
      since = (o) => o.commitTimestamp;
    } else if (this.is('Empty')) {
      const emptySince = this.currentStateTimestamp;
      since = (o) => emptySince ?? o.commitTimestamp;
    } else if (this.isConsumerGroup && this.subscribed !== null && this.is('Stable')) {
      since = (o) => o.commitTimestamp;
      keep = this.subscribed;
    }
    if (since === null) return [];
    const base = since;
    return this.offsets.all()
      .filter(({ topic, value }) => !keep.has(topic)
        && (value.expireTimestamp === null ? now - base(value) >= retentionMs : now >= value.expireTimestamp))
      .map(({ topic, partition }) => ({ topic, partition }));
  }
}

/** The current generation as a JoinGroup answer; the member list only for the leader. */
export function currentGeneration(group: ClassicGroup, member: Member, withMembers: boolean): JoinResult {
  return {
    errorCode: ErrorCode.NONE,
    memberId: member.memberId,
    generationId: group.generationId,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    leaderId: group.leader ?? '',
    skipAssignment: false,
    members: withMembers ? group.currentMemberMetadata() : [],
  };
}

export function joinError(memberId: string, errorCode: number): JoinResult {
  return {
    errorCode, memberId, generationId: -1, protocolType: null, protocolName: null, leaderId: '', skipAssignment: false, members: [],
  };
}

export function syncError(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
}
