// The record-batch codecs, with the framings Kafka clients use (compat doc 3.9):
// gzip stream, snappy (raw or xerial/snappy-java framed), LZ4 frame, zstd frame.
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { gunzip, gunzipSync, gzip, gzipSync } from 'node:zlib';
import { CompressionType } from './batch.js';
import { RecordErrorCode, RecordsError } from './errors.js';
import { zstdCompressAsync, zstdDecompressAsync } from './zstd-offload.js';

// The native codecs load on first use (Node's module cache keeps them): a broker that never sees
// snappy, lz4 or zstd does not pay the ~12 MiB of RSS their binaries take.
const requireNative = createRequire(import.meta.url);
const snappy = (): typeof import('snappy') => requireNative('snappy');
const lz4 = (): typeof import('lz4-napi') => requireNative('lz4-napi');
const zstd = (): typeof import('zstd-napi') => requireNative('zstd-napi');

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/**
 * Compresses a record block. `magic` matters only for LZ4: magic-0 message
 * sets carry the broken header checksum of Kafka ≤ 0.9 (Kafka's broker writes
 * it too when it down-converts to magic 0).
 */
export function compress(type: CompressionType, data: Buffer, magic = 2): Buffer {
  switch (type) {
    case CompressionType.None: return data;
    case CompressionType.Gzip: return gzipSync(data);
    case CompressionType.Snappy: return xerialFrame(splitBlocks(data).map((b) => snappy().compressSync(b, COPY_OUT)));
    case CompressionType.Lz4: return lz4FrameFor(lz4().compressFrameSync(data), magic);
    case CompressionType.Zstd: return zstd().compress(data);
    default: throw unknownCodec(type);
  }
}

/** Inverse of `compress`. For magic 0, the LZ4 header checksum is not checked (as in Kafka). */
export function decompress(type: CompressionType, data: Buffer, magic = 2): Buffer {
  try {
    switch (type) {
      case CompressionType.None: return data;
      case CompressionType.Gzip: return gunzipSync(data);
      case CompressionType.Snappy:
        return isXerial(data) ? Buffer.concat(xerialBlocks(data).map(snappyUncompress)) : snappyUncompress(data);
      case CompressionType.Lz4: return lz4().decompressFrameSync(lz4FrameToRead(data, magic));
      case CompressionType.Zstd: return zstd().decompress(data);
    }
  } catch (e) {
    throw new RecordsError(RecordErrorCode.CORRUPT_MESSAGE, `${CompressionType[type]} decompression failed: ${(e as Error).message}`);
  }
  throw unknownCodec(type);
}

/**
 * Like `compress`, off the event loop: gzip, snappy and LZ4 on the libuv
 * thread pool, zstd on a worker thread (zstd-offload.ts). `level` is Kafka's
 * compression.<codec>.level: zlib's level for gzip (-1 = default), zstd's level;
 * snappy has none, and lz4-napi (lz4_flex) offers only LZ4's fast mode, not the
 * LZ4HC levels Kafka's setting selects, so LZ4 ignores it.
 */
export async function compressAsync(type: CompressionType, data: Buffer, opts: { magic?: number; level?: number } = {}): Promise<Buffer> {
  switch (type) {
    case CompressionType.Gzip: return gzipAsync(data, { level: opts.level ?? -1 });
    case CompressionType.Snappy: return xerialFrame(await Promise.all(splitBlocks(data).map((b) => snappy().compress(b, COPY_OUT))));
    case CompressionType.Lz4: return lz4FrameFor(await lz4().compressFrame(data), opts.magic ?? 2);
    case CompressionType.Zstd: return zstdCompressAsync(data, opts.level ?? 0);
    default: return compress(type, data, opts.magic);
  }
}

/** Like `decompress`, off the event loop. */
export async function decompressAsync(type: CompressionType, data: Buffer, magic = 2): Promise<Buffer> {
  try {
    switch (type) {
      case CompressionType.Gzip: return await gunzipAsync(data);
      case CompressionType.Snappy: {
        const blocks = isXerial(data) ? xerialBlocks(data) : [data];
        return Buffer.concat(await Promise.all(blocks.map(async (b) => (await snappy().uncompress(b, SNAPPY_DEC)) as Buffer)));
      }
      case CompressionType.Lz4: return await lz4().decompressFrame(lz4FrameToRead(data, magic));
      case CompressionType.Zstd: return await zstdDecompressAsync(data);
    }
  } catch (e) {
    throw new RecordsError(RecordErrorCode.CORRUPT_MESSAGE, `${CompressionType[type]} decompression failed: ${(e as Error).message}`);
  }
  return decompress(type, data, magic);
}

function unknownCodec(type: number): RecordsError {
  return new RecordsError(RecordErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `unknown compression codec ${type}`);
}

// --- snappy: xerial framing as written by snappy-java (the Java client, kafka-python) ---

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
/** Magic, then int32 version 1 and int32 minimum compatible version 1. */
const XERIAL_HEADER = Buffer.concat([XERIAL_MAGIC, Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])]);
/** snappy-java's default block size. */
const XERIAL_BLOCK_SIZE = 32 * 1024;

// Copying the output into a V8-owned buffer measured 3-14x faster here than
// snappy's default external buffers (16 KiB: 9 µs instead of 32 µs).
const COPY_OUT = { copyOutputData: true };
const SNAPPY_DEC = { asBuffer: true, copyOutputData: true };
const snappyUncompress = (b: Buffer): Buffer => snappy().uncompressSync(b, SNAPPY_DEC) as Buffer;

function isXerial(data: Buffer): boolean {
  return data.length >= XERIAL_HEADER.length && XERIAL_MAGIC.equals(data.subarray(0, XERIAL_MAGIC.length));
}

function xerialBlocks(data: Buffer): Buffer[] {
  const blocks: Buffer[] = [];
  let at = XERIAL_HEADER.length;
  while (at < data.length) {
    const size = at + 4 <= data.length ? data.readInt32BE(at) : -1;
    if (size < 0 || at + 4 + size > data.length) throw new Error(`truncated xerial snappy block at ${at}`);
    blocks.push(data.subarray(at + 4, at + 4 + size));
    at += 4 + size;
  }
  return blocks;
}

function xerialFrame(compressedBlocks: Buffer[]): Buffer {
  const parts: Buffer[] = [XERIAL_HEADER];
  for (const block of compressedBlocks) {
    const size = Buffer.allocUnsafe(4);
    size.writeInt32BE(block.length);
    parts.push(size, block);
  }
  return Buffer.concat(parts);
}

function splitBlocks(data: Buffer): Buffer[] {
  const blocks: Buffer[] = [];
  for (let at = 0; at < data.length; at += XERIAL_BLOCK_SIZE) blocks.push(data.subarray(at, at + XERIAL_BLOCK_SIZE));
  return blocks;
}

// --- LZ4 frame header checksum ---
// The header-checksum byte is bits 8-15 of XXH32 over the frame descriptor. Kafka
// 0.8-0.9 (magic 0) hashed from the frame start, magic number included.
// lz4-napi writes independent blocks without block/content checksums like the
// Java producer, but 256 KiB blocks for larger inputs where Java uses 64 KiB:
// both are valid block sizes for Kafka's reader (64 KiB-4 MiB). Its frame
// decoder is slow (~75 µs per 16 KiB here, vs ~10 µs for snappy).

const LZ4_FRAME_MAGIC = 0x184d2204;

/** Offset of the header-checksum byte: after magic, FLG, BD, optional content size (FLG bit 3) and dictionary id (bit 0). */
function lz4ChecksumOffset(frame: Buffer): number {
  if (frame.length < 7 || frame.readUInt32LE(0) !== LZ4_FRAME_MAGIC) throw new Error('not an LZ4 frame');
  const flg = frame[4];
  const at = 6 + (flg & 0x08 ? 8 : 0) + (flg & 0x01 ? 4 : 0);
  if (at >= frame.length) throw new Error('truncated LZ4 frame descriptor');
  return at;
}

function lz4HeaderChecksum(frame: Buffer, at: number, includeMagic: boolean): number {
  return (xxh32(frame.subarray(includeMagic ? 0 : 4, at)) >>> 8) & 0xff;
}

/** Our own fresh frame: patched in place for magic 0. */
function lz4FrameFor(frame: Buffer, magic: number): Buffer {
  if (magic === 0) {
    const at = lz4ChecksumOffset(frame);
    frame[at] = lz4HeaderChecksum(frame, at, true);
  }
  return frame;
}

/** Magic-0 frames may carry either checksum; give the decoder a copy with the correct one. */
function lz4FrameToRead(frame: Buffer, magic: number): Buffer {
  if (magic !== 0) return frame;
  const copy = Buffer.from(frame);
  const at = lz4ChecksumOffset(copy);
  copy[at] = lz4HeaderChecksum(copy, at, false);
  return copy;
}

const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));
const xxhRound = (acc: number, input: number): number => Math.imul(rotl((acc + Math.imul(input, P2)) | 0, 13), P1);

/** XXH32 with seed 0 (only ever run over a few descriptor bytes). */
export function xxh32(data: Buffer): number {
  const len = data.length;
  let i = 0;
  let h: number;
  if (len >= 16) {
    let v1 = (P1 + P2) | 0, v2 = P2, v3 = 0, v4 = -P1 | 0;
    for (; i + 16 <= len; i += 16) {
      v1 = xxhRound(v1, data.readUInt32LE(i));
      v2 = xxhRound(v2, data.readUInt32LE(i + 4));
      v3 = xxhRound(v3, data.readUInt32LE(i + 8));
      v4 = xxhRound(v4, data.readUInt32LE(i + 12));
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) | 0;
  } else {
    h = P5;
  }
  h = (h + len) | 0;
  for (; i + 4 <= len; i += 4) h = Math.imul(rotl((h + Math.imul(data.readUInt32LE(i), P3)) | 0, 17), P4);
  for (; i < len; i++) h = Math.imul(rotl((h + Math.imul(data[i], P5)) | 0, 11), P1);
  h = Math.imul(h ^ (h >>> 15), P2);
  h = Math.imul(h ^ (h >>> 13), P3);
  return (h ^ (h >>> 16)) >>> 0;
}
