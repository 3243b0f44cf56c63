import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { BATCH, CompressionType, TimestampType, forEachBatch, magicOf, rewriteBatchCrc } from '../../../src/protocol/records/batch.js';
import { RecordsError } from '../../../src/protocol/records/errors.js';
import { type DecodedBatch, type Record, buildBatch, decodeBatches, decodeRecords } from '../../../src/protocol/records/record.js';
import { LOGDIR, describe as name, fetchRecordSets, produceRecordSets } from './corpus.js';

const CODEC_NAMES: { [codec: string]: CompressionType } = { NONE: 0, GZIP: 1, SNAPPY: 2, LZ4: 3, ZSTD: 4 };

interface DumpBatch {
  fields: { [field: string]: string };
  records: { fields: { [field: string]: string }; rest: string }[];
}

/** Parses the `baseOffset: ...` and `| offset: ...` lines that kafka-dump-log --deep-iteration --print-data-log writes. */
function parseDump(text: string): DumpBatch[] {
  const batches: DumpBatch[] = [];
  const fieldsOf = (line: string): { [field: string]: string } =>
    Object.fromEntries([...line.matchAll(/(\w+): (\[[^\]]*\]|\S+)/g)].map((m) => [m[1], m[2]]));
  for (const line of text.split('\n')) {
    if (line.startsWith('baseOffset: ')) {
      batches.push({ fields: fieldsOf(line), records: [] });
    } else if (line.startsWith('| offset: ')) {
      // Fields up to headerKeys are single tokens; key and payload may hold spaces.
      const cut = line.indexOf(']', line.indexOf('headerKeys: ')) + 1;
      batches[batches.length - 1].records.push({ fields: fieldsOf(line.slice(0, cut)), rest: line.slice(cut) });
    }
  }
  return batches;
}

function checkAgainstDump(batch: DecodedBatch, position: number, dump: DumpBatch, where: string): void {
  const f = dump.fields;
  assert.equal(batch.baseOffset, Number(f.baseOffset), where);
  assert.equal(batch.baseOffset + batch.lastOffsetDelta, Number(f.lastOffset), where);
  assert.equal(batch.recordCount, Number(f.count), where);
  assert.equal(batch.baseSequence, Number(f.baseSequence), where);
  assert.equal(batch.producerId, Number(f.producerId), where);
  assert.equal(batch.producerEpoch, Number(f.producerEpoch), where);
  assert.equal(batch.partitionLeaderEpoch, Number(f.partitionLeaderEpoch), where);
  assert.equal(batch.isTransactional, f.isTransactional === 'true', where);
  assert.equal(batch.isControl, f.isControl === 'true', where);
  assert.equal(position, Number(f.position), where);
  assert.equal(batch.size, Number(f.size), where);
  assert.equal(batch.magic, Number(f.magic), where);
  assert.equal(batch.compression, CODEC_NAMES[f.compresscodec], where);
  assert.equal(batch.crc, Number(f.crc), where);
  const timestampType = 'LogAppendTime' in f ? TimestampType.LogAppendTime : TimestampType.CreateTime;
  assert.equal(batch.timestampType, timestampType, where);
  assert.equal(batch.maxTimestamp, Number(f.LogAppendTime ?? f.CreateTime), where);

  assert.equal(batch.records.length, dump.records.length, where);
  batch.records.forEach((r, i) => {
    const { fields, rest } = dump.records[i];
    const at = `${where} offset ${fields.offset}`;
    assert.equal(r.offset, Number(fields.offset), at);
    assert.equal(r.timestamp, Number(fields.LogAppendTime ?? fields.CreateTime), at);
    assert.equal(r.key?.length ?? -1, Number(fields.keysize), at);
    assert.equal(r.value?.length ?? -1, Number(fields.valuesize), at);
    assert.equal(batch.baseSequence < 0 ? -1 : batch.baseSequence + r.offsetDelta, Number(fields.sequence), at);
    assert.equal(`[${r.headers.map((h) => h.key).join(',')}]`, fields.headerKeys, at);
    if (batch.isControl) {
      const [, type, epoch] = /^ endTxnMarker: (COMMIT|ABORT) coordinatorEpoch: (\d+)$/.exec(rest) ?? [];
      assert.ok(r.key && r.value, at);
      assert.equal(r.key.readInt16BE(2), type === 'COMMIT' ? 1 : 0, at);
      assert.equal(r.value.readInt32BE(2), Number(epoch), at);
      return;
    }
    const expected = (r.key ? ` key: ${r.key.toString()}` : '') + (r.value ? ` payload: ${r.value.toString()}` : '');
    assert.equal(rest, expected, at);
    // README: records with even i carry headers seq = i and codec = the batch codec's name.
    if (r.headers.length > 0) {
      const i = /-key-(\d+)$/.exec(r.key?.toString() ?? '')?.[1];
      assert.deepEqual(r.headers.map((h) => [h.key, h.value?.toString()]), [['seq', i], ['codec', f.compresscodec.toLowerCase()]], at);
    }
  });
}

const sampleRecords = (n: number): Record[] => Array.from({ length: n }, (_, i) => ({
  offsetDelta: i,
  timestampDelta: i % 3 === 2 ? -5 : i * 1000,
  key: i % 4 === 3 ? null : Buffer.from(`key-${i}`),
  value: i % 5 === 4 ? null : Buffer.from(`value ${i} ${'x'.repeat(i * 37 % 300)}`),
  headers: i % 2 ? [] : [{ key: 'seq', value: Buffer.from(String(i)) }, { key: 'ünïcode', value: null }],
}));

const strip = (records: Record[]): Record[] =>
  records.map(({ offsetDelta, timestampDelta, key, value, headers }) => ({ offsetDelta, timestampDelta, key, value, headers }));

describe('v2 records', () => {
  it('decodes every batch of the Kafka 2.4.1 log dir as kafka-dump-log printed it', () => {
    let batches = 0;
    for (const dir of readdirSync(LOGDIR).filter((d) => d.startsWith('corpus-'))) {
      for (const file of readdirSync(new URL(`${dir}/`, LOGDIR)).filter((f) => f.endsWith('.log'))) {
        const log = readFileSync(new URL(`${dir}/${file}`, LOGDIR));
        const dump = parseDump(readFileSync(new URL(`${dir}/${file}.dump.txt`, LOGDIR), 'utf8'));
        const positions: number[] = [];
        assert.equal(forEachBatch(log, (at) => positions.push(at)), log.length);
        assert.equal(positions.length, dump.length, file);
        positions.forEach((at, i) => checkAgainstDump(decodeRecords(log, at), at, dump[i], `${dir}/${file}`));
        batches += positions.length;
      }
    }
    assert.equal(batches, 40);
  });

  it('rebuilds the log dir batches byte for byte (uncompressed) or record for record', () => {
    for (const dir of readdirSync(LOGDIR).filter((d) => d.startsWith('corpus-'))) {
      for (const file of readdirSync(new URL(`${dir}/`, LOGDIR)).filter((f) => f.endsWith('.log'))) {
        const log = readFileSync(new URL(`${dir}/${file}`, LOGDIR));
        forEachBatch(log, (at, size) => {
          const b = decodeRecords(log, at);
          const rebuilt = buildBatch({ ...b, records: b.records });
          if (b.compression === CompressionType.None) assert.deepEqual(rebuilt, log.subarray(at, at + size), `${file}@${at}`);
          const again = decodeRecords(rebuilt);
          assert.deepEqual({ ...again, crc: 0, size: 0 }, { ...b, crc: 0, size: 0 });
        });
      }
    }
  });

  for (const compression of [0, 1, 2, 3, 4] as CompressionType[]) {
    it(`build → decode round-trips with ${CompressionType[compression]}`, () => {
      const records = sampleRecords(50);
      const batch = buildBatch({
        records, compression, baseOffset: 2 ** 40, baseTimestamp: 1_700_000_000_000, producerId: 77, producerEpoch: 3,
        baseSequence: 2 ** 31 - 10, isTransactional: true, partitionLeaderEpoch: 9,
      });
      const d = decodeRecords(batch);
      assert.deepEqual(strip(d.records), records);
      assert.equal(d.size, batch.length);
      assert.equal(d.compression, compression);
      assert.equal(d.recordCount, 50);
      assert.equal(d.lastOffsetDelta, 49);
      assert.equal(d.maxTimestamp, 1_700_000_000_000 + 49_000);
      assert.equal(d.records[3].offset, 2 ** 40 + 3);
      assert.equal(d.records[2].timestamp, 1_700_000_000_000 - 5);
      assert.deepEqual([d.producerId, d.producerEpoch, d.baseSequence, d.isTransactional, d.isControl, d.partitionLeaderEpoch],
        [77, 3, 2 ** 31 - 10, true, false, 9]);
    });
  }

  it('builds defaults like a non-idempotent Java producer, control and LogAppendTime batches', () => {
    const plain = decodeRecords(buildBatch({ records: sampleRecords(1), baseTimestamp: 5 }));
    assert.deepEqual([plain.baseOffset, plain.producerId, plain.producerEpoch, plain.baseSequence, plain.partitionLeaderEpoch], [0, -1, -1, -1, -1]);
    const marker = decodeRecords(buildBatch({
      records: [{ offsetDelta: 0, timestampDelta: 0, key: Buffer.from([0, 0, 0, 1]), value: Buffer.from([0, 0, 0, 0, 0, 7]), headers: [] }],
      baseTimestamp: 5, isControl: true, isTransactional: true, producerId: 1, producerEpoch: 0,
    }));
    assert.equal(marker.attributes, 0x30);
    const appended = decodeRecords(buildBatch({ records: sampleRecords(3), baseTimestamp: 5, timestampType: TimestampType.LogAppendTime, maxTimestamp: 99 }));
    assert.equal(appended.attributes, 0x08);
    assert.deepEqual(appended.records.map((r) => r.timestamp), [99, 99, 99]);
    assert.throws(() => buildBatch({ records: [], baseTimestamp: 0 }));
  });

  it('keeps offset gaps of compacted batches', () => {
    const records = sampleRecords(3).map((r, i) => ({ ...r, offsetDelta: i * 4 }));
    const d = decodeRecords(buildBatch({ records, baseTimestamp: 0, baseOffset: 100 }));
    assert.equal(d.lastOffsetDelta, 8);
    assert.deepEqual(d.records.map((r) => r.offset), [100, 104, 108]);
  });

  it('decodes the batches of real Produce requests and Fetch responses, all codecs', () => {
    const codecs = new Set<CompressionType>();
    const sets = [...produceRecordSets(), ...fetchRecordSets()].filter((s) => magicOf(s.records) === 2);
    assert.ok(sets.length >= 30);
    for (const set of sets) {
      const batches = decodeBatches(set.records);
      assert.ok(batches.length > 0, name(set));
      for (const b of batches) {
        codecs.add(b.compression);
        assert.equal(b.records.length, b.recordCount, name(set));
        assert.equal(b.records[b.records.length - 1]?.offsetDelta ?? b.lastOffsetDelta, b.lastOffsetDelta, name(set));
      }
    }
    assert.deepEqual([...codecs].sort(), [0, 1, 2, 3, 4]);
  });

  it('rejects bad batches with Kafka error codes', () => {
    const batch = buildBatch({ records: sampleRecords(5), baseTimestamp: 0 });
    const withCode = (code: number) => (e: unknown) => e instanceof RecordsError && e.code === code;
    const flipped = Buffer.from(batch);
    flipped[flipped.length - 1] ^= 1;
    assert.throws(() => decodeRecords(flipped), withCode(2));
    assert.throws(() => decodeRecords(batch.subarray(0, batch.length - 1)), withCode(2));
    const magic1 = Buffer.from(batch);
    magic1[16] = 1;
    assert.throws(() => decodeRecords(magic1), withCode(2));
    // CRC intact, but the first record claims 1 byte more than it holds.
    const misframed = Buffer.from(batch);
    misframed[BATCH.records] += 2;
    rewriteBatchCrc(misframed, 0, misframed.length);
    assert.throws(() => decodeRecords(misframed), withCode(87));
  });
});
