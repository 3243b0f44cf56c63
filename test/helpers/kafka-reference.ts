// shared/reference/kafka-2.4.1-logdir: partitions written by Apache Kafka 2.4.1 and
// Kafka's own dumps of them, read back as the rows a consumer should see.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kcat } from './clients.js';

export const KAFKA_LOGDIR = fileURLToPath(new URL('../../../../shared/reference/kafka-2.4.1-logdir/', import.meta.url));

/** The reference's cluster id (its meta.properties). */
export const KAFKA_LOGDIR_CLUSTER_ID = 'fa6fy60JT-e14_x_SC7j9Q';

export type Row = [offset: number, key: string | null, value: string | null];

/** The partitions of the reference with their log start offsets. */
export const KAFKA_PARTITIONS: [topic: string, partition: number, logStart: number][] = [
  ['corpus-plain', 0, 0],
  ['corpus-plain', 1, 50], // DeleteRecords moved its log start to 50 (log-start-offset-checkpoint)
  ['corpus-logappend', 0, 0],
  ['corpus-compact', 0, 0],
  ['corpus-txn', 0, 0],
];

function dumps(partitionDir: string, suffix: string): string[] {
  const dir = join(KAFKA_LOGDIR, partitionDir);
  return readdirSync(dir).filter((n) => n.endsWith(suffix)).sort().map((f) => readFileSync(join(dir, f), 'utf8'));
}

/** Records of a partition as Kafka's dumps list them (control records left out), from `logStart` on. */
export function dumpedRecords(partitionDir: string, logStart: number): Row[] {
  const rows: Row[] = [];
  for (const text of dumps(partitionDir, '.log.dump.txt')) {
    for (const line of text.split('\n')) {
      const m = /^\| offset: (\d+) .*?valuesize: (-?\d+) .*?headerKeys: \[[^\]]*\] key: (\S+)(?: payload: (.*))?$/.exec(line);
      if (!m || Number(m[1]) < logStart) continue;
      rows.push([Number(m[1]), m[3], m[2] === '-1' ? null : (m[4] ?? '')]);
    }
  }
  return rows;
}

/** [producer id, first offset, last offset] of each aborted transaction in Kafka's .txnindex dumps. */
export function abortedRanges(partitionDir: string): [number, number, number][] {
  return dumps(partitionDir, '.txnindex.dump.txt').flatMap((text) => [...text.matchAll(/producerId: (\d+) firstOffset: (\d+) lastOffset: (\d+)/g)]
    .map((m): [number, number, number] => [Number(m[1]), Number(m[2]), Number(m[3])]));
}

/** Offsets of the control records (transaction markers) in Kafka's dumps. */
export function markerOffsets(partitionDir: string): Set<number> {
  return new Set(dumps(partitionDir, '.log.dump.txt').flatMap((text) => [...text.matchAll(/^\| offset: (\d+) .*endTxnMarker/gm)].map((m) => Number(m[1]))));
}

/** The records of a partition from its beginning to its end, as kcat reads them. */
export async function kcatRows(bootstrap: string, topic: string, partition: number, isolation = 'read_uncommitted'): Promise<Row[]> {
  const out = await kcat(['-b', bootstrap, '-C', '-t', topic, '-p', String(partition), '-o', 'beginning', '-e', '-q',
    '-X', `isolation.level=${isolation}`, '-f', '%o\t%k\t%S\t%s\n']);
  return out.split('\n').filter((l) => l !== '').map((l) => {
    const [offset, key, size, value] = l.split('\t');
    return [Number(offset), key, size === '-1' ? null : value];
  });
}
