// Files written by a real Kafka 2.4.1 broker: our index code must agree with Kafka's own dumps,
// and writing the same batches must produce the same .log and .index bytes.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { CompressionType, baseOffsetOf, batchSizeOf, forEachBatch, lastOffsetOf } from '../../src/protocol/records/batch.js';
import { FileCache } from '../../src/storage/file-cache.js';
import { type LogConfig, logConfig } from '../../src/storage/log-config.js';
import { LogManager } from '../../src/storage/log-manager.js';
import { OffsetIndex } from '../../src/storage/offset-index.js';
import type { PartitionLog } from '../../src/storage/partition-log.js';
import { findRecord } from '../../src/storage/record-timestamps.js';
import { TimeIndex } from '../../src/storage/time-index.js';
import { KAFKA_LOGDIR, copyKafkaLogDir, makeTempDir } from './helpers.js';

const PARTITIONS = ['corpus-plain-0', 'corpus-plain-1', 'corpus-logappend-0', 'corpus-txn-0', 'corpus-compact-0'];
const ALL = { minOneBatch: true, maxOffset: Number.MAX_SAFE_INTEGER };
/** The topic configs the reference broker ran with (README); recovery rebuilds indexes with them. */
const TOPIC_CONFIGS: Record<string, Partial<LogConfig>> = {
  'corpus-plain': { segmentBytes: 2048, indexIntervalBytes: 512 },
  // index.interval.bytes is not in the README; its .index (an entry at position 816) implies < 816
  'corpus-logappend': { segmentBytes: 2048, indexIntervalBytes: 512, messageTimestampType: 'LogAppendTime' },
  'corpus-txn': { indexIntervalBytes: 512 },
  'corpus-compact': { segmentBytes: 1024, indexIntervalBytes: 256, cleanupPolicy: ['compact'] },
};
const configFor = (topic: string): LogConfig => logConfig(TOPIC_CONFIGS[topic]);

interface DumpedBatch {
  baseOffset: number;
  lastOffset: number;
  position: number;
  size: number;
  codec: string;
  maxTimestamp: number;
  records: Array<{ offset: number; timestamp: number }>;
}

function segmentBases(partitionDir: string): number[] {
  return readdirSync(partitionDir)
    .filter((n) => /^\d{20}\.log$/.test(n))
    .map((n) => Number(n.slice(0, 20)))
    .sort((a, b) => a - b);
}

const name = (base: number, suffix: string): string => String(base).padStart(20, '0') + suffix;

function dumpLines(path: string, pattern: RegExp): number[][] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => pattern.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => m.slice(1).map(Number));
}

function dumpedBatches(partitionDir: string): DumpedBatch[] {
  const batches: DumpedBatch[] = [];
  for (const base of segmentBases(partitionDir)) {
    const text = readFileSync(join(partitionDir, name(base, '.log.dump.txt')), 'utf8');
    for (const line of text.split('\n')) {
      const batch = /^baseOffset: (\d+) lastOffset: (\d+) .* position: (\d+) (?:CreateTime|LogAppendTime): (\d+) size: (\d+) magic: 2 compresscodec: (\w+)/.exec(line);
      if (batch) {
        const [, b, l, p, t, s, codec] = batch;
        batches.push({ baseOffset: +b, lastOffset: +l, position: +p, maxTimestamp: +t, size: +s, codec, records: [] });
      }
      const record = /^\| offset: (\d+) (?:CreateTime|LogAppendTime): (\d+)/.exec(line);
      if (record) batches[batches.length - 1].records.push({ offset: +record[1], timestamp: +record[2] });
    }
  }
  return batches;
}

describe('Kafka 2.4.1 log dir', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let files: FileCache;
  before(() => {
    tmp = makeTempDir();
    copyKafkaLogDir(join(tmp.path, 'kafka'));
    files = new FileCache(32);
  });
  after(() => {
    files.closeAll();
    tmp.remove();
  });

  test('offset and time index lookups match kafka-dump-log', async () => {
    for (const partition of PARTITIONS) {
      const dir = join(tmp.path, 'kafka', partition);
      const bases = segmentBases(dir);
      for (const [i, base] of bases.entries()) {
        const logSize = statSync(join(dir, name(base, '.log'))).size;
        const nextOffset = bases[i + 1] ?? Number.MAX_SAFE_INTEGER;
        const offsets = new OffsetIndex(join(dir, name(base, '.index')), base, 10 << 20, files);
        const times = new TimeIndex(join(dir, name(base, '.timeindex')), base, 10 << 20, files);
        assert.ok(await offsets.load(logSize, nextOffset), `${partition}/${base}.index valid`);
        assert.ok(await times.load(logSize, nextOffset), `${partition}/${base}.timeindex valid`);
        const indexDump = dumpLines(join(KAFKA_LOGDIR, partition, name(base, '.index.dump.txt')), /^offset: (\d+) position: (\d+)$/);
        const timeDump = dumpLines(join(KAFKA_LOGDIR, partition, name(base, '.timeindex.dump.txt')), /^timestamp: (\d+) offset: (\d+)$/);
        assert.equal(offsets.entries, indexDump.length);
        assert.equal(times.entries, timeDump.length);
        for (const [offset, position] of indexDump) {
          assert.deepEqual(offsets.lookup(offset), { offset, position });
          assert.deepEqual(offsets.lookup(offset + 1), { offset, position }); // greatest entry <= target
        }
        assert.deepEqual(offsets.lookup(base), indexDump[0]?.[0] === base ? { offset: base, position: indexDump[0][1] } : { offset: base, position: 0 });
        for (const [timestamp, offset] of timeDump) {
          assert.deepEqual(times.lookup(timestamp), { timestamp, offset });
          assert.deepEqual(times.lookup(timestamp + 1).timestamp >= timestamp, true);
        }
        if (timeDump.length > 0) assert.deepEqual(times.lookup(timeDump[0][0] - 1), { timestamp: -1, offset: base });
      }
    }
  });

  describe('opened by LogManager', () => {
    let manager: LogManager;
    const logOf = (p: string): PartitionLog => {
      const dash = p.lastIndexOf('-');
      return manager.getLog(p.slice(0, dash), Number(p.slice(dash + 1)))!;
    };
    before(async () => {
      manager = await LogManager.open({ logDirs: [join(tmp.path, 'kafka')], configFor });
    });

    test('offsets, log start and high watermark come from the files and checkpoints', () => {
      const expected: Record<string, [number, number, number]> = {
        'corpus-plain-0': [0, 171, 171],
        'corpus-plain-1': [50, 171, 171],
        'corpus-logappend-0': [0, 30, 30],
        'corpus-txn-0': [0, 15, 15],
        'corpus-compact-0': [0, 48, 48],
      };
      for (const [partition, [start, end, hw]] of Object.entries(expected)) {
        const log = logOf(partition);
        assert.deepEqual([log.logStartOffset, log.logEndOffset, log.highWatermark], [start, end, hw], partition);
      }
      assert.deepEqual(logOf('corpus-plain-1').leaderEpochs.all, [{ epoch: 0, startOffset: 50 }]);
      assert.deepEqual(logOf('corpus-compact-0').segmentBaseOffsets, [0, 8, 16, 25, 40]);
    });

    test('reads return Kafka batches at the dumped positions', async () => {
      for (const partition of PARTITIONS) {
        const log = logOf(partition);
        const dumped = dumpedBatches(join(KAFKA_LOGDIR, partition)).filter((b) => b.lastOffset >= log.logStartOffset);
        const { records } = await log.read(log.logStartOffset, 1 << 20, ALL);
        const got: Array<[number, number, number]> = [];
        for (const buf of records) forEachBatch(buf, (at, size) => got.push([baseOffsetOf(buf, at), lastOffsetOf(buf, at), size]));
        assert.deepEqual(got, dumped.map((b) => [b.baseOffset, b.lastOffset, b.size]), partition);
        // fetching from each offset starts at the batch containing it
        for (const batch of dumped) {
          const from = Math.max(batch.lastOffset, log.logStartOffset);
          const first = (await log.read(from, 1, ALL)).records[0];
          assert.equal(baseOffsetOf(first), batch.baseOffset);
          assert.equal(batchSizeOf(first), batch.size);
        }
      }
      // compacted: offsets below the first remaining batch resolve to it, across empty segments
      const compacted = (await logOf('corpus-compact-0').read(3, 1, ALL)).records[0];
      assert.equal(baseOffsetOf(compacted), 32);
    });

    test('offsetForTimestamp agrees with the dumped record timestamps', async () => {
      for (const partition of PARTITIONS) {
        const log = logOf(partition);
        const batches = dumpedBatches(join(KAFKA_LOGDIR, partition)).filter((b) => b.lastOffset >= log.logStartOffset);
        const targets = batches.flatMap((b) => b.records.map((r) => r.timestamp));
        for (const target of [...targets, targets[0] - 1]) {
          const batch = batches.find((b) => b.maxTimestamp >= target)!;
          const record = batch.records.find((r) => r.timestamp >= target && r.offset >= log.logStartOffset)!;
          const expected =
            batch.codec === 'NONE'
              ? { offset: record.offset, timestamp: record.timestamp }
              : { offset: Math.max(batch.baseOffset, log.logStartOffset), timestamp: batch.maxTimestamp }; // no decompressor given
          assert.deepEqual(await log.offsetForTimestamp(target), expected, `${partition} ts ${target}`);
        }
        assert.equal(await log.offsetForTimestamp(Math.max(...targets) + 1), null);
      }
    });

    test('a decompressor makes lookups exact inside compressed batches', async () => {
      const buf = readFileSync(join(KAFKA_LOGDIR, 'corpus-plain-0', name(0, '.log')));
      const gzipBatch = buf.subarray(1044, 1044 + 278);
      const dumped = dumpedBatches(join(KAFKA_LOGDIR, 'corpus-plain-0'))[1];
      assert.equal(dumped.codec, 'GZIP');
      const gunzip = (codec: CompressionType, data: Buffer): Buffer => {
        assert.equal(codec, CompressionType.Gzip);
        return gunzipSync(data);
      };
      const target = dumped.records[5];
      assert.deepEqual(findRecord(gzipBatch, gunzip, (o) => o >= target.offset), target);
      assert.equal(findRecord(gzipBatch, undefined, () => true), null);
    });

    test('max timestamp lookup', async () => {
      const batches = dumpedBatches(join(KAFKA_LOGDIR, 'corpus-txn-0'));
      const max = Math.max(...batches.map((b) => b.maxTimestamp));
      const record = batches.flatMap((b) => b.records).find((r) => r.timestamp === max)!;
      assert.deepEqual(await logOf('corpus-txn-0').maxTimestampOffset(), { offset: record.offset, timestamp: max });
    });

    test('after close the files are still Kafka files', async () => {
      await manager.close();
      for (const partition of PARTITIONS) {
        for (const base of segmentBases(join(KAFKA_LOGDIR, partition))) {
          for (const suffix of ['.log', '.index', '.timeindex']) {
            const ours = readFileSync(join(tmp.path, 'kafka', partition, name(base, suffix)));
            const kafka = readFileSync(join(KAFKA_LOGDIR, partition, name(base, suffix)));
            if (suffix === '.timeindex') assert.equal(ours.length, kafka.length, `${partition}/${base}${suffix}`);
            else assert.ok(ours.equals(kafka), `${partition}/${base}${suffix}`);
          }
        }
      }
      const txnFiles = ['00000000000000000000.txnindex', '00000000000000000015.snapshot'];
      for (const f of txnFiles) assert.ok(readFileSync(join(tmp.path, 'kafka', 'corpus-txn-0', f)).equals(readFileSync(join(KAFKA_LOGDIR, 'corpus-txn-0', f))));
      const lines = (f: string) => readFileSync(join(tmp.path, 'kafka', f), 'utf8').split('\n').slice(2).filter(Boolean).sort();
      assert.deepEqual(lines('recovery-point-offset-checkpoint'), ['corpus-compact 0 48', 'corpus-logappend 0 30', 'corpus-plain 0 171', 'corpus-plain 1 171', 'corpus-txn 0 15']);
      assert.deepEqual(lines('log-start-offset-checkpoint'), ['corpus-plain 1 50']);
      assert.deepEqual(lines('replication-offset-checkpoint'), lines('recovery-point-offset-checkpoint'));
      assert.equal(readFileSync(join(tmp.path, 'kafka', 'meta.properties'), 'utf8'), readFileSync(join(KAFKA_LOGDIR, 'meta.properties'), 'utf8'));
    });
  });

  test('appending the same batches writes the same .log and .index bytes', async () => {
    const source = join(KAFKA_LOGDIR, 'corpus-plain-0');
    const fresh = join(tmp.path, 'fresh');
    const manager = await LogManager.open({ logDirs: [fresh] });
    const log = manager.createLog('corpus-plain', 0, configFor('corpus-plain'));
    for (const base of segmentBases(source)) {
      const buf = readFileSync(join(source, name(base, '.log')));
      forEachBatch(buf, (at, size) => {
        // a copy with a scrambled base offset: the log assigns the offsets again
        const batch = Buffer.from(buf.subarray(at, at + size));
        batch.writeBigInt64BE(0n, 0);
        log.append(batch, { leaderEpoch: 0, timestampType: 'CreateTime', now: Date.now() });
      });
    }
    await manager.close();
    const bases = segmentBases(source);
    assert.deepEqual(segmentBases(join(fresh, 'corpus-plain-0')), bases);
    for (const base of bases) {
      for (const suffix of ['.log', '.index']) {
        const ours = readFileSync(join(fresh, 'corpus-plain-0', name(base, suffix)));
        assert.ok(ours.equals(readFileSync(join(source, name(base, suffix)))), `${base}${suffix}`);
      }
      // time index: same timestamps; offsets differ only where Kafka 2.4 indexed a record inside an uncompressed batch
      const times = (dir: string) => dumpTimes(readFileSync(join(dir, name(base, '.timeindex'))));
      assert.deepEqual(times(join(fresh, 'corpus-plain-0')).map((e) => e[0]), times(source).map((e) => e[0]));
    }
  });
});

function dumpTimes(buf: Buffer): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let at = 0; at < buf.length; at += 12) out.push([Number(buf.readBigInt64BE(at)), buf.readInt32BE(at + 8)]);
  return out;
}
