// Kafka's LineMessageReader (kafka-console-producer.sh's default reader): one record per input
// line, optionally "headers<TAB>key<TAB>value", configured by --property keys of the same names.
import type { ProducerRecord } from '../client/index.js';

/** The reader's properties (Kafka's names), all optional. */
export interface LineReaderProperties {
  'parse.key'?: string;
  'key.separator'?: string;
  'parse.headers'?: string;
  'headers.delimiter'?: string;
  'headers.separator'?: string;
  'headers.key.separator'?: string;
  'null.marker'?: string;
  'ignore.error'?: string;
}

/** The property names the reader knows (anything else is ignored, as Kafka ignores it). */
export const LINE_READER_PROPERTIES: readonly (keyof LineReaderProperties)[] = [
  'parse.key', 'key.separator', 'parse.headers', 'headers.delimiter', 'headers.separator', 'headers.key.separator', 'null.marker', 'ignore.error',
];

/** A line the reader cannot turn into a record; the message is Kafka's. */
export class LineParseError extends Error {}

type Header = [name: string, value: string | null];

export class LineRecordReader {
  private readonly parseKey: boolean;
  private readonly keySeparator: string;
  private readonly parseHeaders: boolean;
  private readonly headersDelimiter: string;
  private readonly headersSeparator: RegExp;
  private readonly headersKeySeparator: string;
  private readonly nullMarker: string | undefined;
  private readonly ignoreError: boolean;
  private lineNumber = 0;

  /** Checks the separators as Kafka's configure() does; throws LineParseError naming a clash. */
  constructor(private readonly topic: string, props: LineReaderProperties) {
    const bool = (v: string | undefined): boolean => v !== undefined && v.trim().toLowerCase() === 'true';
    this.parseKey = bool(props['parse.key']);
    this.keySeparator = props['key.separator'] ?? '\t';
    this.parseHeaders = bool(props['parse.headers']);
    this.headersDelimiter = props['headers.delimiter'] ?? '\t';
    const headersSeparator = props['headers.separator'] ?? ',';
    this.headersKeySeparator = props['headers.key.separator'] ?? ':';
    this.ignoreError = bool(props['ignore.error']);
    this.nullMarker = props['null.marker'];
    const mustDiffer: [string, string | undefined, string, string | undefined][] = [
      ['headers.delimiter', this.headersDelimiter, 'headers.separator', headersSeparator],
      ['headers.delimiter', this.headersDelimiter, 'headers.key.separator', this.headersKeySeparator],
      ['headers.separator', headersSeparator, 'headers.key.separator', this.headersKeySeparator],
      ['null.marker', this.nullMarker, 'key.separator', this.keySeparator],
      ['null.marker', this.nullMarker, 'headers.separator', headersSeparator],
      ['null.marker', this.nullMarker, 'headers.delimiter', this.headersDelimiter],
      ['null.marker', this.nullMarker, 'headers.key.separator', this.headersKeySeparator],
    ];
    for (const [a, av, b, bv] of mustDiffer) {
      if (av === bv) throw new LineParseError(`${a} and ${b} may not be equal`);
    }
    // Kafka splits the headers with headers.separator as a (Java) regular expression.
    try {
      this.headersSeparator = new RegExp(headersSeparator);
    } catch (e) {
      throw new LineParseError(`headers.separator '${headersSeparator}' is not a regular expression: ${(e as Error).message}`);
    }
  }

  /** The record for the next input line. */
  read(line: string): ProducerRecord {
    this.lineNumber++;
    const headers = this.field(this.parseHeaders, line, 0, this.headersDelimiter, 'headers delimiter');
    const headerEnd = headers === null ? 0 : headers.length + this.headersDelimiter.length;
    const key = this.field(this.parseKey, line, headerEnd, this.keySeparator, 'key separator');
    const keyEnd = key === null ? 0 : key.length + this.keySeparator.length;
    const value = line.slice(headerEnd + keyEnd);
    const record: ProducerRecord = {
      topic: this.topic,
      key: key !== null && key !== this.nullMarker ? key : null,
      value: value !== this.nullMarker ? value : null,
    };
    if (headers !== null && headers !== this.nullMarker) record.headers = this.splitHeaders(headers);
    return record;
  }

  /** The text before `separator` from `start`, null when not parsed (or missing and errors are ignored). */
  private field(enabled: boolean, line: string, start: number, separator: string, name: string): string | null {
    if (!enabled) return null;
    const at = line.indexOf(separator, start);
    if (at < 0) {
      if (this.ignoreError) return null;
      throw new LineParseError(`No ${name} found on line number ${this.lineNumber}: '${line}'`);
    }
    return line.slice(start, at);
  }

  private splitHeaders(headers: string): Header[] {
    return javaSplit(headers, this.headersSeparator).map((pair): Header => {
      const at = pair.indexOf(this.headersKeySeparator);
      if (at < 0) {
        if (this.ignoreError) return [pair, null];
        throw new LineParseError(`No header key separator found in pair '${pair}' on line number ${this.lineNumber}`);
      }
      const name = pair.slice(0, at);
      if (name === this.nullMarker) {
        throw new LineParseError(`Header keys should not be equal to the null marker '${this.nullMarker}' as they can't be null`);
      }
      const value = pair.slice(at + this.headersKeySeparator.length);
      return [name, value === this.nullMarker ? null : value];
    });
  }
}

/** Java's String.split(regex): no match gives the whole input; trailing empty strings are dropped. */
function javaSplit(s: string, separator: RegExp): string[] {
  const parts = s.split(separator);
  if (parts.length === 1) return parts;
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}
