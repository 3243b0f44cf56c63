// Which __consumer_offsets partition holds a group: Kafka's
// Utils.abs(groupId.hashCode) % partitions, with Java's String.hashCode, so a
// data directory moved between Kafka and Samsa keeps each group where it is.

/** Java's String.hashCode: over UTF-16 code units, wrapping at 32 bits. */
export function javaStringHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's Utils.abs: Integer.MIN_VALUE maps to 0 rather than to itself. */
function kafkaAbs(n: number): number {
  return n === -2147483648 ? 0 : Math.abs(n);
}

export function offsetsPartitionFor(groupId: string, partitions: number): number {
  return kafkaAbs(javaStringHashCode(groupId)) % partitions;
}
