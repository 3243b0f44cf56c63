// .index and .timeindex files dumped and checked against their segment, as Kafka's
// DumpLogSegments.dumpIndex / dumpTimeIndex do: each entry printed (unless only verifying) and
// compared with the batch it points at; --index-sanity-check runs only Kafka's sanityCheck.
import { resolve } from 'node:path';
import { FileCache } from '../../storage/file-cache.js';
import { INDEX_SUFFIX } from '../../storage/file-names.js';
import { OffsetIndex } from '../../storage/offset-index.js';
import { TimeIndex } from '../../storage/time-index.js';
import { readBatchHeader } from '../../protocol/records/record.js';
import { LogFile, baseOffsetOfFile, logFileOf, readWholeFile, siblingFile } from './files.js';
import type { DumpFindings } from './findings.js';
import { recordsOf } from './log-dump.js';

export interface IndexDumpOptions {
  /** --index-sanity-check: only Kafka's sanityCheck, then `<file> passed sanity check.` */
  sanityCheckOnly: boolean;
  /** --verify-index-only: compare with the log, print no entries. */
  verifyOnly: boolean;
  /** How far past an offset-index position its batch may end (--max-message-size). */
  maxMessageSize: number;
}

/** The index files are read once, whole; the cache is never used to open anything. */
const UNUSED_FILE_CACHE = new FileCache(1);

/** An index file's entries as they are on disk, and its length (sanity checks look at both). */
function openIndex<T extends OffsetIndex | TimeIndex>(make: (path: string, base: number, maxSize: number) => T, path: string): { index: T; length: number } {
  const bytes = readWholeFile(path);
  const index = make(path, baseOffsetOfFile(path), bytes.length);
  index.useFileBytes(bytes);
  return { index, length: bytes.length };
}

const openOffsetIndex = (path: string): { index: OffsetIndex; length: number } =>
  openIndex((p, base, size) => new OffsetIndex(p, base, size, UNUSED_FILE_CACHE), path);
const openTimeIndex = (path: string): { index: TimeIndex; length: number } =>
  openIndex((p, base, size) => new TimeIndex(p, base, size, UNUSED_FILE_CACHE), path);

/** Kafka's OffsetIndex.sanityCheck (throws CorruptIndexException's message). */
function checkOffsetIndex(path: string, index: OffsetIndex, length: number): void {
  const lastOffset = index.entries > 0 ? index.entry(index.entries - 1).offset : index.baseOffset;
  if (index.entries !== 0 && lastOffset < index.baseOffset) {
    throw new Error(`Corrupt index found, index file ${resolve(path)} has non-zero size but the last offset is ${lastOffset} which is less than the base offset ${index.baseOffset}`);
  }
  if (length % index.entrySize !== 0) {
    throw new Error(`Index file ${resolve(path)} is corrupt, found ${length} bytes which is neither positive nor a multiple of ${index.entrySize}`);
  }
}

/** Kafka's TimeIndex.sanityCheck. */
function checkTimeIndex(path: string, index: TimeIndex, length: number): void {
  const last = index.lastEntry();
  if (last !== undefined && last.timestamp < index.entry(0).timestamp) {
    throw new Error(`Corrupt time index found, time index file (${resolve(path)}) has non-zero size but the last timestamp is ${last.timestamp} which is less than the first timestamp ${index.entry(0).timestamp}`);
  }
  if (last !== undefined && last.offset < index.baseOffset) {
    throw new Error(`Corrupt time index found, time index file (${resolve(path)}) has non-zero size but the last offset is ${last.offset} which is less than the first offset ${index.baseOffset}`);
  }
  if (length % index.entrySize !== 0) {
    throw new Error(`Time index file ${resolve(path)} is corrupt, found ${length} bytes which is neither positive nor a multiple of ${index.entrySize}`);
  }
}

export function dumpOffsetIndex(path: string, opts: IndexDumpOptions, findings: DumpFindings, out: (text: string) => void): void {
  const log = LogFile.open(logFileOf(path));
  try {
    const { index, length } = openOffsetIndex(path);
    if (index.entries === 0) {
      out(`${path} is empty.\n`);
      return;
    }
    if (opts.sanityCheckOnly) {
      checkOffsetIndex(path, index, length);
      out(`${path} passed sanity check.\n`);
      return;
    }
    for (let n = 0; n < index.entries; n++) {
      const entry = index.entry(n);
      // Preallocated files of a crashed broker end in zero entries: stop at the first.
      if (entry.offset === index.baseOffset && n > 0) return;
      const first = log.batches(entry.position, entry.position + opts.maxMessageSize).next();
      if (first.done) {
        throw new Error(`${log.path}: no complete batch at position ${entry.position} (index entry for offset ${entry.offset}) within --max-message-size ${opts.maxMessageSize} bytes`);
      }
      const h = readBatchHeader(first.value.bytes);
      const batchLastOffset = h.baseOffset + h.lastOffsetDelta;
      if (batchLastOffset !== entry.offset) findings.indexMismatch(path, entry.offset, batchLastOffset);
      if (!opts.verifyOnly) out(`offset: ${entry.offset} position: ${entry.position}\n`);
    }
  } finally {
    log.close();
  }
}

export function dumpTimeIndex(path: string, opts: IndexDumpOptions, findings: DumpFindings, out: (text: string) => void): void {
  const log = LogFile.open(logFileOf(path));
  try {
    const { index: offsetIndex } = openOffsetIndex(siblingFile(path, INDEX_SUFFIX));
    const { index, length } = openTimeIndex(path);
    if (opts.sanityCheckOnly) {
      checkTimeIndex(path, index, length);
      out(`${path} passed sanity check.\n`);
      return;
    }
    let previousTimestamp = -1;
    for (let n = 0; n < index.entries; n++) {
      const entry = index.entry(n);
      if (entry.offset === index.baseOffset && n > 0) return;
      const { position } = offsetIndex.lookup(entry.offset);
      let found: { lastOffset: number; maxTimestamp: number } | undefined;
      for (const batch of log.batches(position)) {
        const h = readBatchHeader(batch.bytes);
        const lastOffset = h.baseOffset + h.lastOffsetDelta;
        if (lastOffset < entry.offset) continue;
        const maxTimestamp = lastOffset === entry.offset ? recordsOf(batch, h).reduce((max, r) => Math.max(max, r.timestamp), -1) : -1;
        found = { lastOffset, maxTimestamp };
        break;
      }
      if (found === undefined) {
        findings.indexedOffsetNotFound(path, entry.offset, -1);
      } else if (found.lastOffset !== entry.offset) {
        findings.indexedOffsetNotFound(path, entry.offset, found.lastOffset);
      } else {
        if (found.maxTimestamp !== entry.timestamp) findings.timestampMismatch(path, entry.timestamp, found.maxTimestamp);
        if (previousTimestamp >= entry.timestamp) findings.outOfOrderTimestamp(path, entry.timestamp, previousTimestamp);
      }
      if (!opts.verifyOnly) out(`timestamp: ${entry.timestamp} offset: ${entry.offset}\n`);
      previousTimestamp = entry.timestamp;
    }
  } finally {
    log.close();
  }
}
