// One member of a classic group: identity, timeouts, the protocols it offered
// (in preference order), its assignment, and the JoinGroup / SyncGroup
// requests it has parked at the coordinator.

export interface Protocol {
  name: string;
  metadata: Buffer;
}

export interface JoinResult {
  errorCode: number;
  memberId: string;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leaderId: string;
  skipAssignment: boolean;
  /** Filled for the leader only: every member's metadata for the chosen protocol. */
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[];
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export type JoinCallback = (result: JoinResult) => void;
export type SyncCallback = (result: SyncResult) => void;

const EMPTY = Buffer.alloc(0);

export interface MemberSpec {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: Protocol[];
}

export class Member {
  memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  readonly protocolType: string;
  /** In the client's order of preference. */
  protocols: Protocol[];
  awaitingJoin: JoinCallback | null = null;
  awaitingSync: SyncCallback | null = null;
  /** Joined in the current rebalance and has not received a JoinGroup answer yet. */
  isNew = false;
  assignment: Buffer = EMPTY;

  constructor(spec: MemberSpec) {
    this.memberId = spec.memberId;
    this.groupInstanceId = spec.groupInstanceId;
    this.clientId = spec.clientId;
    this.clientHost = spec.clientHost;
    this.rebalanceTimeoutMs = spec.rebalanceTimeoutMs;
    this.sessionTimeoutMs = spec.sessionTimeoutMs;
    this.protocolType = spec.protocolType;
    this.protocols = spec.protocols;
  }

  get isStatic(): boolean {
    return this.groupInstanceId !== null;
  }

  /**
   * Whether a heartbeat deadline passing now leaves the member alive: a member parked in a
   * rebalance counts as alive, except a new one (it may have given up on its JoinGroup).
   */
  get livesWithoutHeartbeat(): boolean {
    return !this.isNew && (this.awaitingJoin !== null || this.awaitingSync !== null);
  }

  metadataFor(protocol: string): Buffer {
    const p = this.protocols.find((x) => x.name === protocol);
    if (!p) throw new Error(`member ${this.memberId} does not support protocol ${protocol}`);
    return p.metadata;
  }

  /** Same protocols, same order, same metadata bytes. */
  matches(protocols: readonly Protocol[]): boolean {
    return protocols.length === this.protocols.length
      && protocols.every((p, i) => p.name === this.protocols[i].name && p.metadata.equals(this.protocols[i].metadata));
  }

  /** The member's most preferred protocol among the candidates. */
  vote(candidates: ReadonlySet<string>): string {
    const p = this.protocols.find((x) => candidates.has(x.name));
    if (!p) throw new Error(`member ${this.memberId} supports none of the candidate protocols`);
    return p.name;
  }
}
