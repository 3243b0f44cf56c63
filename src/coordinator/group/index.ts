// The group coordinator's public surface for the broker.
export { GroupCoordinator, type GroupCoordinatorOptions, type GroupDescription, type LeavingMember } from './coordinator.js';
export { groupCoordinatorConfig, type GroupCoordinatorConfig, type CoordinatorLog } from './config.js';
export type { JoinRequest } from './join.js';
export type { JoinResult, SyncResult, Protocol } from './member.js';
export type { CommitRequest, PartitionCommit, PartitionError, TxnCommitRequest } from './offsets.js';
export { OFFSETS_TOPIC } from './store.js';
export type { Clock, Timer } from './clock.js';
