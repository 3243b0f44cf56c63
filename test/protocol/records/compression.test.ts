import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import * as snappy from 'snappy';
import { BATCH, CompressionType, compressionOf } from '../../../src/protocol/records/batch.js';
import { compress, compressAsync, decompress, decompressAsync, xxh32 } from '../../../src/protocol/records/compression.js';
import { RecordsError } from '../../../src/protocol/records/errors.js';
import { produceRecordSets } from './corpus.js';

const CODECS = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];
const XERIAL_MAGIC = '82534e4150505900';

function sample(size: number): Buffer {
  // Half text-like (compressible), half random.
  const text = Buffer.from('key-123 value abcdefghij '.repeat(Math.ceil(size / 50)));
  return Buffer.concat([text.subarray(0, size >> 1), randomBytes(size - (size >> 1))]);
}

/** The header-checksum byte position of an LZ4 frame without content size / dict id. */
const LZ4_HC = 6;
const lz4Checksum = (frame: Buffer, fromMagic: boolean): number => (xxh32(frame.subarray(fromMagic ? 0 : 4, LZ4_HC)) >>> 8) & 0xff;

describe('compression', () => {
  it('xxh32 matches the reference test vectors', () => {
    assert.equal(xxh32(Buffer.alloc(0)), 0x02cc5d05);
    assert.equal(xxh32(Buffer.from('abc')), 0x32d153ff);
    assert.equal(xxh32(Buffer.from('Nobody inspects the spammish repetition')), 0xe2293b2f);
  });

  for (const codec of CODECS) {
    it(`${CompressionType[codec]} round-trips, sync and async`, async () => {
      for (const size of [0, 1, 1000, 100_000]) {
        const data = sample(size);
        assert.deepEqual(decompress(codec, compress(codec, data)), data);
        assert.deepEqual(await decompressAsync(codec, await compressAsync(codec, data)), data);
        assert.deepEqual(decompress(codec, await compressAsync(codec, data)), data);
        assert.deepEqual(await decompressAsync(codec, compress(codec, data)), data);
      }
    });
  }

  it('snappy writes xerial framing in 32 KiB blocks, like snappy-java', () => {
    const data = sample(100_000);
    const framed = compress(CompressionType.Snappy, data);
    assert.equal(framed.subarray(0, 16).toString('hex'), `${XERIAL_MAGIC}0000000100000001`);
    let at = 16;
    const blocks: Buffer[] = [];
    while (at < framed.length) {
      const n = framed.readInt32BE(at);
      blocks.push(snappy.uncompressSync(framed.subarray(at + 4, at + 4 + n), { asBuffer: true }) as Buffer);
      at += 4 + n;
    }
    assert.deepEqual(blocks.map((b) => b.length), [32768, 32768, 32768, 100_000 - 3 * 32768]);
    assert.deepEqual(Buffer.concat(blocks), data);
  });

  it('snappy reads raw blocks (librdkafka, KafkaJS, sarama) as well as xerial frames', async () => {
    const data = sample(5000);
    const raw = snappy.compressSync(data);
    assert.deepEqual(decompress(CompressionType.Snappy, raw), data);
    assert.deepEqual(await decompressAsync(CompressionType.Snappy, raw), data);
  });

  it('lz4 writes independent blocks without checksums and a correct header checksum', () => {
    const frame = compress(CompressionType.Lz4, sample(1000));
    assert.equal(frame.readUInt32LE(0), 0x184d2204);
    const flg = frame[4];
    assert.equal(flg >> 6, 1, 'version 01');
    assert.ok(flg & 0x20, 'block independence');
    assert.equal(flg & 0x1f, 0, 'no block checksum, content size, content checksum or dict id');
    assert.equal(frame[LZ4_HC], lz4Checksum(frame, false));
  });

  it('lz4 for magic 0 writes the broken checksum (magic included) and reads either', () => {
    const data = sample(1000);
    const frame = compress(CompressionType.Lz4, data, 0);
    assert.equal(frame[LZ4_HC], lz4Checksum(frame, true));
    assert.notEqual(frame[LZ4_HC], lz4Checksum(frame, false));
    assert.deepEqual(decompress(CompressionType.Lz4, frame, 0), data);
    assert.deepEqual(decompress(CompressionType.Lz4, compress(CompressionType.Lz4, data), 0), data);
    assert.throws(() => decompress(CompressionType.Lz4, frame), (e: RecordsError) => e.code === 2, 'magic ≥ 1 enforces the checksum');
  });

  it('decompresses the compressed Produce batches of real clients', () => {
    const seen = new Map<CompressionType, string[]>();
    for (const set of produceRecordSets()) {
      const codec = compressionOf(set.records);
      if (set.records[BATCH.magic] !== 2 || codec === CompressionType.None) continue;
      const block = set.records.subarray(BATCH.records, set.records.length);
      const records = decompress(codec, block);
      assert.ok(records.length > block.length / 2, `${set.exchange.client}: ${records.length} bytes`);
      seen.set(codec, [...(seen.get(codec) ?? []), set.exchange.client]);
      if (codec === CompressionType.Snappy) assert.equal(block.subarray(0, 8).toString('hex'), XERIAL_MAGIC, 'kafka-python frames snappy');
      if (codec === CompressionType.Lz4) {
        // Java and sarama frames: same descriptor flags as ours, correct checksum.
        assert.equal(block[4] & 0xe3, compress(CompressionType.Lz4, records)[4] & 0xe3);
        assert.equal(block[LZ4_HC], lz4Checksum(block, false));
      }
    }
    assert.deepEqual([...seen.keys()].sort(), [1, 2, 3, 4]);
    assert.ok(seen.get(CompressionType.Lz4)?.includes('java-kafka-clients'));
  });

  it('rejects unknown codecs and corrupt data with Kafka error codes', () => {
    assert.throws(() => compress(5 as CompressionType, Buffer.from('x')), (e: RecordsError) => e.code === 76);
    assert.throws(() => decompress(7 as CompressionType, Buffer.from('x')), (e: RecordsError) => e.code === 76);
    for (const codec of CODECS.slice(1)) {
      const bad = compress(codec, sample(1000)).subarray(0, 40);
      bad[bad.length - 1] ^= 0xff;
      assert.throws(() => decompress(codec, Buffer.concat([bad, Buffer.from('garbage')])), (e: RecordsError) => e.code === 2, CompressionType[codec]);
    }
  });
});
