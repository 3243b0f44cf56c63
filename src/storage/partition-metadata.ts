// Kafka's `partition.metadata` file (2.8+), in each partition directory:
//   version: 0
//   topic_id: <topic id, URL-safe base64 without padding>
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const PARTITION_METADATA = 'partition.metadata';

/** The topic id the file in `dir` names; null when there is no such file or it does not name one. */
export async function readPartitionTopicId(dir: string): Promise<Buffer | null> {
  let text: string;
  try {
    text = await readFile(join(dir, PARTITION_METADATA), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  const m = /^topic_id:\s*([A-Za-z0-9_-]{22})\s*$/m.exec(text);
  if (!m) return null;
  const id = Buffer.from(m[1], 'base64url');
  return id.length === 16 ? id : null;
}
