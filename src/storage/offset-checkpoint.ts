// The per-log-dir `topic partition offset` checkpoint files (recovery point, log start offset,
// replication offset / high watermark).
import { writeFileAtomic } from './atomic-file.js';
import { formatCheckpoint, readCheckpoint } from './checkpoint-file.js';
import { partitionDirName } from './file-names.js';

export interface PartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

/** Offsets keyed by partition directory name (`<topic>-<partition>`, unambiguous). */
export async function readOffsetCheckpoint(path: string): Promise<Map<string, number>> {
  const offsets = new Map<string, number>();
  for (const fields of await readCheckpoint(path)) {
    if (fields.length !== 3) throw new Error(`${path}: malformed entry '${fields.join(' ')}'`);
    const [topic, partition, offset] = fields;
    offsets.set(partitionDirName(topic, Number(partition)), Number(offset));
  }
  return offsets;
}

export function writeOffsetCheckpoint(path: string, entries: Iterable<PartitionOffset>): Promise<void> {
  const lines: string[] = [];
  for (const e of entries) lines.push(`${e.topic} ${e.partition} ${e.offset}`);
  return writeFileAtomic(path, formatCheckpoint(lines));
}
