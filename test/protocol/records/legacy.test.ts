import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { crc32 } from '@node-rs/crc32';
import { CompressionType, TimestampType, compressionOf, forEachBatch, magicOf, setBaseOffset } from '../../../src/protocol/records/batch.js';
import { compress, decompress, xxh32 } from '../../../src/protocol/records/compression.js';
import { RecordsError } from '../../../src/protocol/records/errors.js';
import { type LegacyMagic, legacyToV2, readLegacyMessages, v2ToLegacy } from '../../../src/protocol/records/legacy.js';
import { type DecodedBatch, buildBatch, decodeBatches, decodeRecords } from '../../../src/protocol/records/record.js';
import { LOGDIR, describe as name, fetchRecordSets, produceRecordSets } from './corpus.js';

/** Top-level entries (offset + size + message) of a message set; a partial last one is left out. */
function entries(set: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at + 12 <= set.length;) {
    const end = at + 12 + set.readInt32BE(at + 8);
    if (end > set.length) break;
    out.push(set.subarray(at, end));
    at = end;
  }
  return out;
}

/** A hand-built message (offset, size, crc, magic, attributes, [timestamp], key, value). */
function message(offset: number, magic: LegacyMagic, attributes: number, key: Buffer | null, value: Buffer | null, timestamp = 0): Buffer {
  const field = (b: Buffer | null) => {
    const len = Buffer.alloc(4);
    len.writeInt32BE(b ? b.length : -1);
    return b ? [len, b] : [len];
  };
  const ts = Buffer.alloc(magic === 1 ? 8 : 0);
  if (magic === 1) ts.writeBigInt64BE(BigInt(timestamp));
  const body = Buffer.concat([Buffer.from([magic, attributes]), ts, ...field(key), ...field(value)]);
  const head = Buffer.alloc(16);
  head.writeBigInt64BE(BigInt(offset));
  head.writeInt32BE(body.length + 4, 8);
  head.writeUInt32BE(crc32(body) >>> 0, 12);
  return Buffer.concat([head, body]);
}

const valueStart = (magic: number): number => (magic === 1 ? 34 : 26); // wrapper: header, null key, value length

const logDirBatches = (): { file: string; log: Buffer }[] =>
  readdirSync(LOGDIR).filter((d) => d.startsWith('corpus-')).flatMap((dir) =>
    readdirSync(new URL(`${dir}/`, LOGDIR)).filter((f) => f.endsWith('.log'))
      .map((f) => ({ file: `${dir}/${f}`, log: readFileSync(new URL(`${dir}/${f}`, LOGDIR)) })));

const withCode = (code: number) => (e: unknown) => e instanceof RecordsError && e.code === code;

describe('legacy message sets', () => {
  it('converts the magic 0/1 Produce requests of sarama and kafka-go into one v2 batch', () => {
    const sets = produceRecordSets().filter((s) => magicOf(s.records) < 2);
    assert.deepEqual([...new Set(sets.map((s) => s.exchange.client))].sort(), ['kafka-go', 'sarama-default']);
    const codecs = new Set<CompressionType>();
    for (const set of sets) {
      const input = readLegacyMessages(set.records);
      const batches = decodeBatches(legacyToV2(set.records));
      assert.equal(batches.length, 1, name(set));
      const [b] = batches;
      codecs.add(b.compression);
      assert.equal(b.compression, set.records[17] & 7, 'the wrapper codec is kept');
      assert.deepEqual([b.baseOffset, b.producerId, b.isTransactional, b.timestampType], [0, -1, false, TimestampType.CreateTime]);
      assert.deepEqual(b.records.map((r) => [r.offset, r.timestamp, r.key, r.value, r.headers]),
        input.map((m, i) => [i, m.timestamp, m.key, m.value, []]), name(set));
      if (set.records[16] === 0) assert.ok(b.records.every((r) => r.timestamp === -1), 'magic 0 has no timestamps');
    }
    assert.deepEqual([...codecs].sort(), [0, 1, 2]); // plain, sarama's gzip wrapper, kafka-go's raw-snappy wrapper
  });

  it('reproduces what Kafka 2.4.1 sent to Fetch v0 (sarama) and v2 (kafka-go)', () => {
    // Each entry Kafka down-converted is rebuilt as the v2 batch it came from, then converted down
    // again: plain messages must come out byte for byte, wrappers with the same header fields and the
    // same inner message set (only the compressor's output bytes may differ).
    const seen = new Set<string>();
    for (const set of fetchRecordSets().filter((s) => magicOf(s.records) < 2)) {
      for (const entry of entries(set.records)) {
        const magic = entry[16] as LegacyMagic;
        const codec: CompressionType = entry[17] & 7;
        const v2 = legacyToV2(entry);
        setBaseOffset(v2, 0, readLegacyMessages(entry)[0].offset);
        const out = v2ToLegacy(v2, magic);
        seen.add(`magic ${magic} ${CompressionType[codec]}`);
        if (codec === CompressionType.None) {
          assert.deepEqual(out, entry, name(set));
          continue;
        }
        const header = (b: Buffer) => [b.readBigInt64BE(0), b.subarray(16, valueStart(magic) - 4)];
        assert.deepEqual(header(out), header(entry), name(set));
        const inner = (b: Buffer) => decompress(codec, b.subarray(valueStart(magic)), magic);
        assert.deepEqual(inner(out), inner(entry), name(set));
      }
    }
    assert.deepEqual([...seen].sort(), [
      'magic 0 Gzip', 'magic 0 None', 'magic 0 Snappy', 'magic 1 Gzip', 'magic 1 Lz4', 'magic 1 None', 'magic 1 Snappy',
    ]);
  });

  for (const magic of [0, 1] as LegacyMagic[]) {
    it(`converts the Kafka 2.4.1 log dir down to magic ${magic} and back`, () => {
      let converted = 0;
      for (const { file, log } of logDirBatches()) {
        forEachBatch(log, (at, size) => {
          const batch = log.subarray(at, at + size);
          if (compressionOf(batch) === CompressionType.Zstd) {
            assert.throws(() => v2ToLegacy(batch, magic), withCode(76));
            return;
          }
          const source = decodeRecords(batch);
          const messages = readLegacyMessages(v2ToLegacy(batch, magic));
          if (source.isControl) {
            assert.deepEqual(messages, []);
            return;
          }
          converted++;
          assert.deepEqual(messages.map((m) => [m.offset, m.key, m.value]), source.records.map((r) => [r.offset, r.key, r.value]), file);
          const timestampType = magic === 1 ? source.timestampType : TimestampType.CreateTime;
          assert.deepEqual(messages.map((m) => [m.magic, m.timestamp, m.timestampType]),
            source.records.map((r) => [magic, magic === 1 ? r.timestamp : -1, timestampType]), file);
          // And back up: same records, headers gone.
          const [up] = decodeBatches(legacyToV2(v2ToLegacy(batch, magic)));
          assert.equal(up.compression, source.compression);
          assert.deepEqual(up.records.map((r) => [r.key, r.value, r.headers.length]), source.records.map((r) => [r.key, r.value, 0]));
        });
      }
      assert.equal(converted, 31); // 40 batches, less 6 zstd and 3 control batches
    });
  }

  it('writes LogAppendTime and max timestamps on magic 1 wrappers as Kafka does', () => {
    const [, gzip] = decodeBatches(readFileSync(new URL('corpus-logappend-0/00000000000000000000.log', LOGDIR)));
    const out = v2ToLegacy(buildBatch({ ...gzip, records: gzip.records }), 1);
    assert.equal(entries(out).length, 1);
    assert.deepEqual([out.readBigInt64BE(0), out[16], out[17], out.readBigInt64BE(18)], [19n, 1, 0x09, BigInt(gzip.maxTimestamp)]);
    const created = buildBatch({ records: gzip.records.map((r, i) => ({ ...r, timestampDelta: [5, 9, 1][i % 3] })), baseTimestamp: 1000, compression: 1 });
    assert.equal(v2ToLegacy(created, 1).readBigInt64BE(18), 1009n);
  });

  it('writes the magic-0 LZ4 header checksum the way Kafka ≤ 0.9 clients expect it', () => {
    const [lz4] = decodeBatches(readFileSync(new URL('corpus-plain-0/00000000000000000036.log', LOGDIR)));
    for (const magic of [0, 1] as LegacyMagic[]) {
      const out = v2ToLegacy(buildBatch({ ...lz4, records: lz4.records }), magic);
      const frame = out.subarray(valueStart(magic));
      const checksum = (from: number) => (xxh32(frame.subarray(from, 6)) >>> 8) & 0xff;
      assert.equal(frame[6], checksum(magic === 0 ? 0 : 4), `magic ${magic}`);
      assert.equal(readLegacyMessages(out).length, 12);
    }
  });

  it('drops records below fromOffset from uncompressed batches only', () => {
    const [plain, gzip] = decodeBatches(readFileSync(new URL('corpus-plain-0/00000000000000000000.log', LOGDIR)));
    const both = Buffer.concat([buildBatch({ ...plain, records: plain.records }), buildBatch({ ...gzip, records: gzip.records })]);
    const messages = readLegacyMessages(v2ToLegacy(both, 1, { fromOffset: 9 }));
    assert.deepEqual(messages.map((m) => m.offset), [9, 10, 11, ...gzip.records.map((r) => r.offset)]);
  });

  it('converts up to the first zstd batch, and refuses one that comes first', () => {
    const records = [0, 1, 2].map((i) => ({ offsetDelta: i, timestampDelta: i, key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), headers: [] }));
    const at = (baseOffset: number, compression: CompressionType) => buildBatch({ records, baseTimestamp: 1000, baseOffset, compression });
    const zstdOnward = Buffer.concat([at(6, CompressionType.Zstd), at(9, CompressionType.None)]);
    const mixed = Buffer.concat([at(0, CompressionType.None), at(3, CompressionType.Gzip), zstdOnward]);
    for (const magic of [0, 1] as LegacyMagic[]) {
      assert.deepEqual(readLegacyMessages(v2ToLegacy(mixed, magic)).map((m) => m.offset), [0, 1, 2, 3, 4, 5]);
      assert.throws(() => v2ToLegacy(zstdOnward, magic), withCode(76));
      // Records dropped below fromOffset leave nothing before the zstd batch: refused as well.
      assert.throws(() => v2ToLegacy(Buffer.concat([at(0, CompressionType.None), at(3, CompressionType.Zstd)]), magic, { fromOffset: 3 }), withCode(76));
    }
  });

  it('skips control batches and ignores a partial trailing batch', () => {
    const log = readFileSync(new URL('corpus-txn-0/00000000000000000000.log', LOGDIR));
    const messages = readLegacyMessages(v2ToLegacy(log.subarray(0, log.length - 10), 1));
    assert.deepEqual(messages.map((m) => m.offset), [0, 1, 2, 3, 5, 6, 7, 9, 10]);
  });

  it('reads magic 1 wrappers: relative inner offsets, LogAppendTime from the wrapper', () => {
    const inner = Buffer.concat([0, 1, 2].map((i) => message(i, 1, 0, Buffer.from(`k${i}`), Buffer.from(`v${i}`), 100 + i)));
    const wrapper = message(52, 1, 0x08 | CompressionType.Snappy, null, compress(CompressionType.Snappy, inner), 999);
    assert.deepEqual(readLegacyMessages(wrapper).map((m) => [m.offset, m.timestamp, m.timestampType]),
      [[50, 999, 1], [51, 999, 1], [52, 999, 1]]);
    const created = message(52, 1, CompressionType.Snappy, null, compress(CompressionType.Snappy, inner), 999);
    assert.deepEqual(readLegacyMessages(created).map((m) => [m.offset, m.timestamp, m.timestampType]),
      [[50, 100, 0], [51, 101, 0], [52, 102, 0]]);
    assert.deepEqual(decodeRecords(legacyToV2(created)).records.map((r) => [r.offset, r.timestamp]), [[0, 100], [1, 101], [2, 102]]);
  });

  it('reads magic 0 LZ4 wrappers with either header checksum', () => {
    const inner = message(0, 0, 0, Buffer.from('k'), Buffer.from('v'));
    for (const frame of [compress(CompressionType.Lz4, inner, 0), compress(CompressionType.Lz4, inner)]) {
      const [b] = decodeBatches(legacyToV2(message(0, 0, CompressionType.Lz4, null, frame)));
      assert.deepEqual([b.compression, b.records[0].key, b.records[0].value], [CompressionType.Lz4, Buffer.from('k'), Buffer.from('v')]);
    }
  });

  it('can write the topic codec instead of the producer one', () => {
    const sarama = produceRecordSets().find((s) => s.exchange.client === 'sarama-default' && s.records[17] === 1);
    assert.ok(sarama);
    const batch: DecodedBatch = decodeRecords(legacyToV2(sarama.records, { compression: CompressionType.Zstd }));
    assert.equal(batch.compression, CompressionType.Zstd);
    assert.equal(batch.records.length, 20);
  });

  it('rejects bad message sets with Kafka error codes', () => {
    const plain = message(0, 1, 0, Buffer.from('k'), Buffer.from('v'), 5);
    const gzip = message(0, 1, CompressionType.Gzip, null, compress(CompressionType.Gzip, plain));
    const badCrc = Buffer.from(plain);
    badCrc[badCrc.length - 1] ^= 1;
    assert.throws(() => legacyToV2(badCrc), withCode(2));
    assert.throws(() => legacyToV2(plain.subarray(0, plain.length - 1)), withCode(2));
    assert.throws(() => legacyToV2(Buffer.concat([plain, plain.subarray(0, 5)])), withCode(2));
    assert.throws(() => legacyToV2(message(0, 1, CompressionType.Gzip, null, Buffer.from('not gzip'))), withCode(2));
    assert.throws(() => legacyToV2(message(0, 1, CompressionType.Gzip, null, null)), withCode(2));
    assert.throws(() => legacyToV2(Buffer.alloc(0)), withCode(87));
    assert.throws(() => legacyToV2(Buffer.concat([plain, gzip])), withCode(87), 'a wrapper must be alone');
    assert.throws(() => legacyToV2(Buffer.concat([plain, message(1, 0, 0, null, Buffer.from('v'))])), withCode(87), 'mixed magic');
    assert.throws(() => legacyToV2(message(0, 1, CompressionType.Gzip, null, compress(CompressionType.Gzip, gzip))), withCode(87), 'nested');
    const v0Inner = message(0, 0, 0, null, Buffer.from('v'));
    assert.throws(() => legacyToV2(message(0, 1, CompressionType.Gzip, null, compress(CompressionType.Gzip, v0Inner))), withCode(87));
    assert.throws(() => legacyToV2(message(0, 1, CompressionType.Zstd, null, compress(CompressionType.Zstd, plain))), withCode(76));
    assert.throws(() => legacyToV2(message(0, 1, 6, null, plain)), withCode(76));
  });
});
