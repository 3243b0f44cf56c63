// Kafka's file and directory names inside a log dir.
import { join } from 'node:path';

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
/** Aborted-transaction index of a segment. */
export const TXN_INDEX_SUFFIX = '.txnindex';
/** Producer-state snapshot, named by the offset it was taken at (not a segment file). */
export const SNAPSHOT_SUFFIX = '.snapshot';
/** Segment files renamed for deletion, cleaner output not yet swapped in, and swapped-in output not yet renamed. */
export const DELETED_SUFFIX = '.deleted';
export const CLEANED_SUFFIX = '.cleaned';
export const SWAP_SUFFIX = '.swap';
export const TEMP_SUFFIX = '.tmp';

export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';
export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';
export const REPLICATION_OFFSET_CHECKPOINT = 'replication-offset-checkpoint';
/** Per partition: the offset up to which the log cleaner has compacted it. */
export const CLEANER_OFFSET_CHECKPOINT = 'cleaner-offset-checkpoint';
export const CLEAN_SHUTDOWN_MARKER = '.kafka_cleanshutdown';
export const LOCK_FILE = '.lock';

const SEGMENT_NAME = /^(\d{20})\.(log|index|timeindex|txnindex)$/;
const SNAPSHOT_NAME = /^(\d{20})\.snapshot$/;
const DELETE_DIR = /^(.+-\d+)\.[0-9a-f]{32}-delete$/;

/** `<dir>/<20-digit base offset><suffix>` */
export function segmentPath(dir: string, baseOffset: number, suffix: string): string {
  return join(dir, String(baseOffset).padStart(20, '0') + suffix);
}

/** Base offset and kind of a segment file name, or undefined for other files. */
export function parseSegmentFileName(name: string): { baseOffset: number; suffix: string } | undefined {
  const m = SEGMENT_NAME.exec(name);
  return m ? { baseOffset: Number(m[1]), suffix: '.' + m[2] } : undefined;
}

/** Offset of a producer-state snapshot file name, or undefined for other files. */
export function parseSnapshotFileName(name: string): number | undefined {
  const m = SNAPSHOT_NAME.exec(name);
  return m ? Number(m[1]) : undefined;
}

export function partitionDirName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** Topics may contain '-' and '.', so the partition is the suffix after the last '-'. */
export function parsePartitionDirName(name: string): { topic: string; partition: number } | undefined {
  const dash = name.lastIndexOf('-');
  if (dash <= 0) return undefined;
  const suffix = name.slice(dash + 1);
  if (!/^\d{1,10}$/.test(suffix)) return undefined;
  const partition = Number(suffix);
  if (partition > 0x7fffffff) return undefined;
  return { topic: name.slice(0, dash), partition };
}

/** `<topic>-<partition>.<32-hex uuid>-delete`: a partition renamed for asynchronous deletion. */
export function isDeletedPartitionDirName(name: string): boolean {
  return DELETE_DIR.test(name);
}

/** Kafka's legal topic characters; also keeps names from escaping the log dir. */
export function isValidTopicName(topic: string): boolean {
  return /^[a-zA-Z0-9._-]{1,249}$/.test(topic) && topic !== '.' && topic !== '..';
}
