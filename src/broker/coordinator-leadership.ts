// The coordinators follow partition leadership (Kafka's onLeadershipChange in
// KafkaApis): the group coordinator serves the groups of the __consumer_offsets
// partitions this broker leads, the transaction coordinator the transactional
// ids of the __transaction_state partitions it leads, each loading a partition
// when it becomes its leader (the leader epoch as coordinator epoch) and
// unloading it when it stops. The replica manager tells it, once the
// partition's log has taken its role.
import type { LeadershipListener } from '../cluster/replica-manager.js';
import { type GroupCoordinator, OFFSETS_TOPIC } from '../coordinator/group/index.js';
import { TRANSACTION_STATE_TOPIC, type TransactionCoordinator } from '../coordinator/transaction/index.js';

export class CoordinatorLeadership implements LeadershipListener {
  private readonly loads = new Set<Promise<void>>();

  constructor(
    private readonly groups: Pick<GroupCoordinator, 'onBecomeLeader' | 'onResign'>,
    private readonly transactions: Pick<TransactionCoordinator, 'onBecomeLeader' | 'onResign'>,
  ) {}

  /** This broker leads the partition from `leaderEpoch` on: a coordinator partition is loaded. */
  onBecomeLeader(topic: string, partition: number, leaderEpoch: number): void {
    let load: Promise<void>;
    if (topic === OFFSETS_TOPIC) load = this.groups.onBecomeLeader(partition, leaderEpoch);
    else if (topic === TRANSACTION_STATE_TOPIC) load = this.transactions.onBecomeLeader(partition, leaderEpoch);
    else return;
    this.loads.add(load);
    void load.finally(() => this.loads.delete(load));
  }

  /** This broker no longer leads the partition (a follower now, or the replica is gone). */
  onBecomeFollower(topic: string, partition: number): void {
    if (topic === OFFSETS_TOPIC) this.groups.onResign(partition);
    else if (topic === TRANSACTION_STATE_TOPIC) this.transactions.onResign(partition);
  }

  /** Resolves once every load begun so far is done (start-up waits for it before listening). */
  async settled(): Promise<void> {
    await Promise.all(this.loads);
  }
}
