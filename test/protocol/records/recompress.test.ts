// The broker's recompression of a producer's batch into the topic's codec
// (Kafka's LogValidator rebuild): every codec pair, levels, the records
// Kafka would renumber, batches large enough for the zstd worker thread.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BATCH, CompressionType, TimestampType } from '../../../src/protocol/records/batch.js';
import { RecordsError } from '../../../src/protocol/records/errors.js';
import { recompressBatch } from '../../../src/protocol/records/recompress.js';
import { type Record, buildBatch, decodeRecords } from '../../../src/protocol/records/record.js';

const CODECS = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd];

function sampleRecords(count: number, valueBytes = 20): Record[] {
  return Array.from({ length: count }, (_, i) => ({
    offsetDelta: i,
    timestampDelta: (i * 7) % 11,
    key: i % 5 === 1 ? null : Buffer.from(`key-${i}`),
    value: i % 5 === 2 ? null : Buffer.from(`value-${i}-`.padEnd(valueBytes, String(i % 10))),
    headers: i % 2 === 0 ? [{ key: 'h', value: Buffer.from(`hv-${i}`) }, { key: 'n', value: null }] : [],
  }));
}

const PRODUCER = { producerId: 4711, producerEpoch: 3, baseSequence: 42, isTransactional: true };

/** What a consumer sees of a batch: everything but the codec and the CRC. */
function view(batch: Buffer) {
  const b = decodeRecords(batch);
  return {
    header: [b.baseOffset, b.magic, b.lastOffsetDelta, b.recordCount, b.producerId, b.producerEpoch, b.baseSequence,
      b.isTransactional, b.isControl, b.timestampType, b.baseTimestamp, b.maxTimestamp],
    records: b.records.map((r) => [r.offset, r.timestamp, r.key, r.value, r.headers]),
  };
}

describe('recompressBatch', () => {
  for (const from of CODECS) {
    for (const to of CODECS) {
      if (from === to) continue;
      it(`rewrites ${CompressionType[from]} as ${CompressionType[to]}, keeping records and producer fields`, async () => {
        const sent = buildBatch({ records: sampleRecords(50), baseTimestamp: 1_700_000_000_000, compression: from, ...PRODUCER });
        const stored = await recompressBatch(sent, { type: to });
        assert.equal(decodeRecords(stored).compression, to);
        assert.deepEqual(view(stored), view(sent));
      });
    }
  }

  it('renumbers offset deltas and rebases timestamps on the first record, as Kafka\'s builder writes them', async () => {
    const records = sampleRecords(4).map((r, i) => ({ ...r, offsetDelta: i * 2, timestampDelta: 100 - i }));
    // The header says 4 records ending at delta 3 (validation checks that much); the records say otherwise.
    const sent = buildBatch({ records, baseTimestamp: 5000, compression: CompressionType.Gzip });
    sent.writeInt32BE(3, BATCH.lastOffsetDelta);
    const out = decodeRecords(await recompressBatch(sent, { type: CompressionType.Lz4 }));
    assert.deepEqual(out.records.map((r) => [r.offsetDelta, r.timestampDelta, r.timestamp]), [[0, 0, 5100], [1, -1, 5099], [2, -2, 5098], [3, -3, 5097]]);
    assert.deepEqual([out.baseTimestamp, out.maxTimestamp, out.lastOffsetDelta], [5100, 5100, 3]);
  });

  it('writes CreateTime batches (the log append marks LogAppendTime topics)', async () => {
    const sent = buildBatch({ records: sampleRecords(3), baseTimestamp: 10, timestampType: TimestampType.LogAppendTime, maxTimestamp: 99 });
    const out = decodeRecords(await recompressBatch(sent, { type: CompressionType.Snappy }));
    assert.equal(out.timestampType, TimestampType.CreateTime);
    assert.equal(out.maxTimestamp, 17); // the largest record timestamp, 10 + 7
  });

  it('passes the gzip and zstd levels to the codecs', async () => {
    const sent = buildBatch({ records: sampleRecords(2000, 100), baseTimestamp: 0 });
    for (const [type, low, high] of [[CompressionType.Gzip, 1, 9], [CompressionType.Zstd, -5, 19]]) {
      const fast = await recompressBatch(sent, { type, level: low });
      const small = await recompressBatch(sent, { type, level: high });
      assert.ok(small.length < fast.length, `${CompressionType[type]} level ${high} (${small.length} B) beats level ${low} (${fast.length} B)`);
      assert.deepEqual(view(small), view(sent));
    }
  });

  it('handles a 1 MiB batch of 100-byte records in and out of zstd (the worker thread path)', async () => {
    const sent = buildBatch({ records: sampleRecords(10_500, 100), baseTimestamp: 1, compression: CompressionType.Gzip, ...PRODUCER });
    const asZstd = await recompressBatch(sent, { type: CompressionType.Zstd, level: 3 });
    const back = await recompressBatch(asZstd, { type: CompressionType.None });
    assert.ok(back.length > 1 << 20);
    assert.deepEqual(view(back), view(sent));
    const results = await Promise.all([1, 2, 3, 4].map((level) => recompressBatch(back, { type: CompressionType.Zstd, level })));
    for (const r of results) assert.deepEqual(view(r), view(sent));
  });

  it('rejects records that do not parse', async () => {
    const sent = buildBatch({ records: sampleRecords(3), baseTimestamp: 0 });
    sent.writeInt32BE(4, BATCH.recordCount); // one record more than there is
    await assert.rejects(recompressBatch(sent, { type: CompressionType.Gzip }), (e) => e instanceof RecordsError && e.code === 87);
    const corrupt = buildBatch({ records: sampleRecords(3), baseTimestamp: 0, compression: CompressionType.Zstd });
    corrupt.fill(7, BATCH.records + 4);
    await assert.rejects(recompressBatch(corrupt, { type: CompressionType.Gzip }), (e) => e instanceof RecordsError && e.code === 2);
  });
});
