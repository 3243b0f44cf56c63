// The cleaner's key → latest offset map, Kafka's SkimpyOffsetMap: keys are stored as 128-bit
// hashes (Kafka uses MD5; here MurmurHash3 x86_128, much cheaper in JS and as unlikely to
// collide by chance), with open addressing in flat typed arrays. Its capacity comes from
// log.cleaner.dedupe.buffer.size as in Kafka (24 bytes a slot: hash and offset); the arrays start
// small and double up to that capacity, so a broker that cleans little holds little memory.

const HASH_WORDS = 4;
const INITIAL_SLOTS = 1 << 14;

export class OffsetMap {
  /** Slots the configured memory allows (Kafka: memory / (hash size + 8)). */
  readonly maxSlots: number;
  /** Entries the map takes before it is full (Kafka: slots * dupBufferLoadFactor). */
  readonly capacity: number;
  private slots: number;
  /** Entries at which the arrays double. */
  private growAt: number;
  private hashes: Int32Array;
  private offsets: Float64Array;
  private used = 0;
  /** The largest offset put or recorded (Kafka's latestOffset); -1 when empty. */
  latestOffset = -1;
  /** Scratch for the hash of the current key. */
  private readonly h = new Int32Array(HASH_WORDS);

  constructor(
    memoryBytes: number,
    /** log.cleaner.io.buffer.load.factor: the share of slots filled before the map counts as full. */
    private readonly loadFactor: number,
  ) {
    this.maxSlots = Math.max(1, Math.floor(memoryBytes / (HASH_WORDS * 4 + 8)));
    this.capacity = Math.floor(this.maxSlots * loadFactor);
    this.slots = Math.min(INITIAL_SLOTS, this.maxSlots);
    this.growAt = this.growLimit();
    this.hashes = new Int32Array(this.slots * HASH_WORDS);
    this.offsets = new Float64Array(this.slots).fill(-1);
  }

  get size(): number {
    return this.used;
  }

  clear(): void {
    this.offsets.fill(-1);
    this.used = 0;
    this.latestOffset = -1;
  }

  /** Records `offset` as the latest for the key at key[start, end). */
  put(key: Buffer, start: number, end: number, offset: number): void {
    if (this.used >= this.growAt) this.grow();
    murmur3x86x128(key, start, end, this.h);
    const slot = this.findSlot(this.h, this.hashes, this.offsets, this.slots);
    if (this.offsets[slot] < 0) {
      this.hashes.set(this.h, slot * HASH_WORDS);
      this.used++;
    }
    this.offsets[slot] = offset;
    if (offset > this.latestOffset) this.latestOffset = offset;
  }

  /** The latest offset of the key at key[start, end), or -1 when it is not in the map. */
  get(key: Buffer, start: number, end: number): number {
    murmur3x86x128(key, start, end, this.h);
    return this.offsets[this.findSlot(this.h, this.hashes, this.offsets, this.slots)];
  }

  /** Kafka's updateLatestOffset: the map covers the log up to `offset` even without keys there. */
  updateLatestOffset(offset: number): void {
    this.latestOffset = offset;
  }

  /** The slot holding `h`, or the empty slot where it would go (linear probing). */
  private findSlot(h: Int32Array, hashes: Int32Array, offsets: Float64Array, slots: number): number {
    let slot = (h[0] >>> 0) % slots;
    for (;;) {
      if (offsets[slot] < 0) return slot;
      const at = slot * HASH_WORDS;
      if (hashes[at] === h[0] && hashes[at + 1] === h[1] && hashes[at + 2] === h[2] && hashes[at + 3] === h[3]) return slot;
      slot = slot + 1 === slots ? 0 : slot + 1;
    }
  }

  private grow(): void {
    const slots = Math.min(this.slots * 2, this.maxSlots);
    const hashes = new Int32Array(slots * HASH_WORDS);
    const offsets = new Float64Array(slots).fill(-1);
    const h = new Int32Array(HASH_WORDS);
    for (let old = 0; old < this.slots; old++) {
      if (this.offsets[old] < 0) continue;
      h.set(this.hashes.subarray(old * HASH_WORDS, old * HASH_WORDS + HASH_WORDS));
      const slot = this.findSlot(h, hashes, offsets, slots);
      hashes.set(h, slot * HASH_WORDS);
      offsets[slot] = this.offsets[old];
    }
    this.slots = slots;
    this.hashes = hashes;
    this.offsets = offsets;
    this.growAt = this.growLimit();
  }

  /** Doubling stops at the configured size, where the caller's capacity check takes over. */
  private growLimit(): number {
    return this.slots < this.maxSlots ? Math.floor(this.slots * this.loadFactor) : Infinity;
  }
}

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** MurmurHash3_x86_128 (seed 0) of b[start, end) into out[0..3]. */
export function murmur3x86x128(b: Buffer, start: number, end: number, out: Int32Array): void {
  const len = end - start;
  let h1 = 0, h2 = 0, h3 = 0, h4 = 0;
  let i = start;
  for (; i + 16 <= end; i += 16) {
    let k1 = b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
    let k2 = b[i + 4] | (b[i + 5] << 8) | (b[i + 6] << 16) | (b[i + 7] << 24);
    let k3 = b[i + 8] | (b[i + 9] << 8) | (b[i + 10] << 16) | (b[i + 11] << 24);
    let k4 = b[i + 12] | (b[i + 13] << 8) | (b[i + 14] << 16) | (b[i + 15] << 24);
    k1 = Math.imul(rotl(Math.imul(k1, C1), 15), C2); h1 ^= k1;
    h1 = rotl(h1, 19); h1 = (h1 + h2) | 0; h1 = (Math.imul(h1, 5) + 0x561ccd1b) | 0;
    k2 = Math.imul(rotl(Math.imul(k2, C2), 16), C3); h2 ^= k2;
    h2 = rotl(h2, 17); h2 = (h2 + h3) | 0; h2 = (Math.imul(h2, 5) + 0x0bcaa747) | 0;
    k3 = Math.imul(rotl(Math.imul(k3, C3), 17), C4); h3 ^= k3;
    h3 = rotl(h3, 15); h3 = (h3 + h4) | 0; h3 = (Math.imul(h3, 5) + 0x96cd1c35) | 0;
    k4 = Math.imul(rotl(Math.imul(k4, C4), 18), C1); h4 ^= k4;
    h4 = rotl(h4, 13); h4 = (h4 + h1) | 0; h4 = (Math.imul(h4, 5) + 0x32ac3b17) | 0;
  }
  const tail = end - i;
  if (tail > 0) {
    // The last 1-15 bytes, little-endian into up to four words; each word present is mixed.
    let k1 = 0, k2 = 0, k3 = 0, k4 = 0;
    for (let j = 0; j < tail; j++) {
      const v = b[i + j] << ((j & 3) * 8);
      if (j < 4) k1 ^= v;
      else if (j < 8) k2 ^= v;
      else if (j < 12) k3 ^= v;
      else k4 ^= v;
    }
    if (tail > 12) h4 ^= Math.imul(rotl(Math.imul(k4, C4), 18), C1);
    if (tail > 8) h3 ^= Math.imul(rotl(Math.imul(k3, C3), 17), C4);
    if (tail > 4) h2 ^= Math.imul(rotl(Math.imul(k2, C2), 16), C3);
    h1 ^= Math.imul(rotl(Math.imul(k1, C1), 15), C2);
  }
  h1 ^= len; h2 ^= len; h3 ^= len; h4 ^= len;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0; h3 = (h3 + h1) | 0; h4 = (h4 + h1) | 0;
  h1 = fmix(h1); h2 = fmix(h2); h3 = fmix(h3); h4 = fmix(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0; h3 = (h3 + h1) | 0; h4 = (h4 + h1) | 0;
  out[0] = h1; out[1] = h2; out[2] = h3; out[3] = h4;
}
