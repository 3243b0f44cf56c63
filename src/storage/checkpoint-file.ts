// Kafka's text checkpoint files: line 1 version (0), line 2 entry count, then one entry per
// line. Written with writeFileAtomic (temp file, fsync, rename, fsync of the directory).
import { readFile } from 'node:fs/promises';

const CHECKPOINT_VERSION = 0;

export function formatCheckpoint(lines: readonly string[]): string {
  return `${CHECKPOINT_VERSION}\n${lines.length}\n${lines.map((l) => l + '\n').join('')}`;
}

/** Entry lines of a checkpoint file, split on spaces; [] when the file does not exist. */
export async function readCheckpoint(path: string): Promise<string[][]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length < 2 || Number(lines[0]) !== CHECKPOINT_VERSION) throw new Error(`${path}: unsupported checkpoint version`);
  const count = Number(lines[1]);
  const entries = lines.slice(2).map((line) => line.trim().split(/\s+/));
  if (entries.length !== count) throw new Error(`${path}: expected ${count} entries, found ${entries.length}`);
  return entries;
}
