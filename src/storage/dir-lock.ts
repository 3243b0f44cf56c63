// `.lock` in each log dir. Node has no flock, so the file holds the owner's pid: a lock whose
// process is gone (kill -9) or that is empty (Kafka's own lock file) is stale and taken over.
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { LOCK_FILE } from './file-names.js';

const MAX_ATTEMPTS = 3;

export function lockLogDir(dir: string): void {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number(readFileSync(path, 'utf8').trim());
    // The same pid means another LogManager of this process holds it.
    if (owner > 0 && isAlive(owner)) throw new Error(`log dir ${dir} is locked by process ${owner}`);
    unlinkSync(path);
  }
  throw new Error(`could not lock log dir ${dir}`);
}

export function unlockLogDir(dir: string): void {
  const path = join(dir, LOCK_FILE);
  try {
    if (Number(readFileSync(path, 'utf8').trim()) === process.pid) unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
