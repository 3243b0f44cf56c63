import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BATCH, CompressionType, magicOf, rewriteBatchCrc } from '../../../src/protocol/records/batch.js';
import { type Record, buildBatch } from '../../../src/protocol/records/record.js';
import { type ProduceValidationOptions, validateProduceRecords } from '../../../src/protocol/records/validate.js';
import { describe as name, produceRecordSets } from './corpus.js';

const OPTS: ProduceValidationOptions = { produceVersion: 9, maxMessageBytes: 1_048_588 };
const NOW = 1_700_000_000_000;

const records = (n: number, key = (i: number): Buffer | null => Buffer.from(`k${i}`)): Record[] =>
  Array.from({ length: n }, (_, i) => ({ offsetDelta: i, timestampDelta: i === 2 ? 50 : i, key: key(i), value: Buffer.from(`v${i}`), headers: [] }));

const batch = (compression = CompressionType.None, n = 5) => buildBatch({ records: records(n), baseTimestamp: NOW, compression });

/** Copy of `b` with `edit` applied, CRC recomputed so that only the edited field is wrong. */
function edited(b: Buffer, edit: (copy: Buffer) => void, fixCrc = true): Buffer {
  const copy = Buffer.from(b);
  edit(copy);
  if (fixCrc) rewriteBatchCrc(copy, 0, copy.length);
  return copy;
}

function rejects(b: Buffer, error: number, opts: Partial<ProduceValidationOptions> = {}, recordIndex?: number): void {
  const r = validateProduceRecords(b, { ...OPTS, ...opts });
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.equal(r.error, error, r.message);
  assert.equal(r.recordIndex, recordIndex);
}

describe('produce validation', () => {
  it('accepts the Produce batches of real clients (but zstd in Produce v3)', () => {
    const sets = produceRecordSets().filter((s) => magicOf(s.records) === 2);
    assert.ok(sets.length >= 20);
    for (const set of sets) {
      const opts = { produceVersion: set.exchange.api_version, maxMessageBytes: 1_048_588 };
      for (const deep of [{}, { requireKeys: false, timestampBounds: { now: 0, beforeMaxMs: Infinity, afterMaxMs: Infinity } }]) {
        const r = validateProduceRecords(set.records, { ...opts, ...deep });
        if (set.exchange.note.includes('UNSUPPORTED_COMPRESSION_TYPE')) {
          assert.deepEqual([r.ok, !r.ok && r.error], [false, 76], name(set)); // what Kafka 2.4.1 answered sarama
          continue;
        }
        assert.ok(r.ok, `${name(set)}: ${!r.ok && r.message}`);
        assert.equal(r.batches, 1);
        assert.equal(r.records, set.records.readInt32BE(BATCH.recordCount));
      }
    }
  });

  it('reports the true max timestamp of scanned batches and the header one otherwise', () => {
    const plain = validateProduceRecords(batch(), OPTS);
    assert.deepEqual(plain, { ok: true, batches: 1, records: 5, compression: 0, maxTimestamp: NOW + 50, offsetDeltaOfMaxTimestamp: 2 });
    const lz4 = validateProduceRecords(batch(CompressionType.Lz4), OPTS);
    assert.deepEqual(lz4, { ok: true, batches: 1, records: 5, compression: 3, maxTimestamp: NOW + 50, offsetDeltaOfMaxTimestamp: 4 });
    const wrongHeader = edited(batch(), (b) => b.writeBigInt64BE(BigInt(NOW + 1), BATCH.maxTimestamp));
    const fixed = validateProduceRecords(wrongHeader, OPTS);
    assert.ok(fixed.ok);
    assert.equal(fixed.maxTimestamp, NOW + 50);
  });

  it('rejects framing and CRC damage with CORRUPT_MESSAGE', () => {
    rejects(edited(batch(), (b) => { b[b.length - 1] ^= 1; }, false), 2);
    rejects(edited(batch(), (b) => { b[BATCH.lastOffsetDelta] ^= 1; }, false), 2);
    rejects(batch().subarray(0, 40), 2);
    rejects(batch().subarray(0, 8), 2);
    rejects(edited(batch(), (b) => b.writeInt32BE(20, BATCH.batchLength)), 2);
    rejects(edited(batch(), (b) => b.writeInt32BE(b.length, BATCH.batchLength)), 2);
  });

  it('rejects what Kafka rejects with INVALID_RECORD', () => {
    rejects(Buffer.alloc(0), 87);
    rejects(edited(batch(), (b) => { b[BATCH.magic] = 1; }), 87);
    rejects(Buffer.concat([batch(), batch()]), 87);
    rejects(edited(batch(), (b) => b.writeInt32BE(6, BATCH.recordCount)), 87);
    rejects(edited(batch(), (b) => b.writeInt32BE(3, BATCH.lastOffsetDelta)), 87);
    rejects(edited(batch(), (b) => b.writeInt32BE(0, BATCH.recordCount)), 87);
    rejects(edited(batch(), (b) => b.writeBigInt64BE(7n, BATCH.baseOffset)), 87);
    rejects(edited(batch(), (b) => b.writeInt16BE(0x30, BATCH.attributes)), 87);
    rejects(edited(batch(), (b) => b.writeBigInt64BE(12n, BATCH.producerId)), 87); // idempotent, base sequence -1
  });

  it('rejects records that do not match their batch header', () => {
    const gap = buildBatch({ records: records(3).map((r, i) => ({ ...r, offsetDelta: i * 2 })), baseTimestamp: NOW });
    rejects(edited(gap, (b) => b.writeInt32BE(2, BATCH.lastOffsetDelta)), 87, {}, 1);
    rejects(edited(batch(), (b) => { b[BATCH.records] += 2; }), 87); // first record claims one byte too many
    const fewer = edited(batch(), (b) => {
      b.writeInt32BE(4, BATCH.recordCount);
      b.writeInt32BE(3, BATCH.lastOffsetDelta);
    });
    rejects(fewer, 87); // a fifth record follows the four announced
  });

  it('limits batch size to max.message.bytes, log overhead included', () => {
    const b = batch();
    assert.ok(validateProduceRecords(b, { ...OPTS, maxMessageBytes: b.length }).ok);
    rejects(b, 10, { maxMessageBytes: b.length - 1 });
  });

  it('allows zstd from Produce v7 only and rejects unknown codecs', () => {
    const zstd = batch(CompressionType.Zstd);
    assert.ok(validateProduceRecords(zstd, { ...OPTS, produceVersion: 7 }).ok);
    rejects(zstd, 76, { produceVersion: 3 });
    rejects(zstd, 76, { produceVersion: 6 });
    rejects(edited(batch(), (b) => b.writeInt16BE(5, BATCH.attributes)), 76);
  });

  it('needs keys on compacted topics, compressed or not', () => {
    const keyless = (compression: CompressionType) =>
      buildBatch({ records: records(4, (i) => (i === 3 ? null : Buffer.from('k'))), baseTimestamp: NOW, compression });
    for (const compression of [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy]) {
      assert.ok(validateProduceRecords(keyless(compression), OPTS).ok);
      rejects(keyless(compression), 87, { requireKeys: true }, 3);
    }
  });

  it('checks CreateTime bounds per record when asked', () => {
    for (const compression of [CompressionType.None, CompressionType.Lz4]) {
      const b = batch(compression);
      const bounds = (now: number) => ({ timestampBounds: { now, beforeMaxMs: 1000, afterMaxMs: 10 } });
      assert.ok(validateProduceRecords(b, { ...OPTS, ...bounds(NOW + 60) }).ok);
      rejects(b, 32, bounds(NOW + 1001), 0); // record 0 too old
      rejects(b, 32, bounds(NOW + 39), 2); // record 2 (NOW + 50) too far ahead
    }
    const noTimestamp = buildBatch({ records: records(2).map((r) => ({ ...r, timestampDelta: 0 })), baseTimestamp: -1 });
    assert.ok(validateProduceRecords(noTimestamp, { ...OPTS, timestampBounds: { now: NOW, beforeMaxMs: 0, afterMaxMs: 0 } }).ok);
  });

  it('reports undecompressable batches as CORRUPT_MESSAGE when it has to decompress', () => {
    const broken = edited(batch(CompressionType.Gzip), (b) => b.fill(0x55, BATCH.records + 10));
    assert.ok(validateProduceRecords(broken, OPTS).ok, 'header-only by default');
    rejects(broken, 2, { requireKeys: true });
  });
});
