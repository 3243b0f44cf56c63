// Kafka's DefaultMessageFormatter (kafka-console-consumer.sh's output): per record, the fields
// switched on by --property print.*=true in a fixed order, separated by key.separator and ended
// by line.separator, e.g. `CreateTime:1700000000000<TAB>Partition:0<TAB>Offset:3<TAB>key<TAB>value`.
import type { ConsumerRecord } from '../client/index.js';

/** The formatter's properties (Kafka's names), all optional. */
export interface FormatterProperties {
  'print.timestamp'?: string;
  'print.key'?: string;
  'print.offset'?: string;
  'print.partition'?: string;
  'print.headers'?: string;
  'print.value'?: string;
  'key.separator'?: string;
  'line.separator'?: string;
  'headers.separator'?: string;
  'null.literal'?: string;
}

export const FORMATTER_PROPERTIES: readonly (keyof FormatterProperties)[] = [
  'print.timestamp', 'print.key', 'print.offset', 'print.partition', 'print.headers', 'print.value',
  'key.separator', 'line.separator', 'headers.separator', 'null.literal',
];

export class MessageFormatter {
  private readonly printTimestamp: boolean;
  private readonly printKey: boolean;
  private readonly printOffset: boolean;
  private readonly printPartition: boolean;
  private readonly printHeaders: boolean;
  private readonly printValue: boolean;
  private readonly keySeparator: Buffer;
  private readonly lineSeparator: Buffer;
  private readonly headersSeparator: Buffer;
  private readonly nullLiteral: Buffer;

  constructor(props: FormatterProperties) {
    const bool = (v: string | undefined, fallback: boolean): boolean => (v === undefined ? fallback : v.trim().toLowerCase() === 'true');
    this.printTimestamp = bool(props['print.timestamp'], false);
    this.printKey = bool(props['print.key'], false);
    this.printOffset = bool(props['print.offset'], false);
    this.printPartition = bool(props['print.partition'], false);
    this.printHeaders = bool(props['print.headers'], false);
    this.printValue = bool(props['print.value'], true);
    this.keySeparator = Buffer.from(props['key.separator'] ?? '\t');
    this.lineSeparator = Buffer.from(props['line.separator'] ?? '\n');
    this.headersSeparator = Buffer.from(props['headers.separator'] ?? ',');
    this.nullLiteral = Buffer.from(props['null.literal'] ?? 'null');
  }

  /** The bytes Kafka prints for one record. */
  format(record: ConsumerRecord): Buffer {
    const parts: Buffer[] = [];
    // After each field: key.separator if a later field is printed, else line.separator.
    const field = (bytes: Buffer, more: boolean): void => {
      parts.push(bytes, more ? this.keySeparator : this.lineSeparator);
    };
    const text = (s: string): Buffer => Buffer.from(s);
    if (this.printTimestamp) {
      field(text(`${record.timestampType}:${record.timestamp}`), this.printOffset || this.printPartition || this.printHeaders || this.printKey || this.printValue);
    }
    if (this.printPartition) field(text(`Partition:${record.partition}`), this.printOffset || this.printHeaders || this.printKey || this.printValue);
    if (this.printOffset) field(text(`Offset:${record.offset}`), this.printHeaders || this.printKey || this.printValue);
    if (this.printHeaders) field(this.headers(record.headers), this.printKey || this.printValue);
    if (this.printKey) field(record.key ?? this.nullLiteral, this.printValue);
    if (this.printValue) parts.push(record.value ?? this.nullLiteral, this.lineSeparator);
    return Buffer.concat(parts);
  }

  private headers(headers: ConsumerRecord['headers']): Buffer {
    if (headers.length === 0) return Buffer.from('NO_HEADERS');
    const parts: Buffer[] = [];
    headers.forEach(([name, value], i) => {
      if (i > 0) parts.push(this.headersSeparator);
      parts.push(Buffer.from(`${name}:`), value ?? this.nullLiteral);
    });
    return Buffer.concat(parts);
  }
}
