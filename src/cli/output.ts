// Output helpers shared by the commands: `--output text|json`, Kafka-like
// aligned tables, and a progress bar that draws only on a terminal.
import { UsageError, type OptionSpec, type ParsedArgs } from './args.js';
import type { CliIo } from './command.js';

export type OutputFormat = 'text' | 'json';

/** The `--output` option every describe/list command takes. */
export const OUTPUT_OPTION: OptionSpec = {
  name: 'output', kind: 'string', valueName: 'text|json', default: 'text',
  describe: 'Output format: Kafka\'s text, or JSON for scripts.',
};

/** The --output value, checked. */
export function outputFormat(args: ParsedArgs): OutputFormat {
  const value = args.string('output') ?? 'text';
  if (value !== 'text' && value !== 'json') throw new UsageError(`option --output: '${value}' is not text or json`);
  return value;
}

/** One JSON document on stdout. */
export function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Writes lines to stdout, each ended by a newline. */
export function writeLines(io: CliIo, lines: readonly string[]): void {
  if (lines.length > 0) io.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * Columns as ConsumerGroupCommand prints them: every column but the last left-aligned and padded to
 * its widest cell (header included, at least `minWidths[i]`), one space between columns.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], minWidths: readonly number[] = []): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, minWidths[i] ?? 0, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join(' ');
  return [line(headers), ...rows.map(line)];
}

/**
 * One line of Java's printf columns (`%-15s %-10s %s`): each cell left-aligned and padded to its
 * width (a longer cell overflows, as in Java), no padding where the width is null; one space between.
 */
export function padColumns(cells: readonly string[], widths: readonly (number | null)[]): string {
  return cells.map((c, i) => (widths[i] === null || widths[i] === undefined ? c : c.padEnd(widths[i]))).join(' ');
}

/** Kafka's ToolsUtils.prettyPrintTable: every cell padded to its column's widest cell and followed by a tab. */
export function prettyPrintTable(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [headers, ...rows].map((cells) => cells.map((c, i) => `${c.padEnd(widths[i])}\t`).join(''));
}

export interface ProgressBar {
  /** Marks `n` more items done. */
  tick(n?: number): void;
  /** Clears the bar. */
  done(): void;
}

const BAR_WIDTH = 30;

/** A bar on stderr over `total` items, redrawn at most every 100 ms; draws nothing unless io.isTTY. */
export function progressBar(io: CliIo, total: number, label = ''): ProgressBar {
  if (!io.isTTY || total <= 0) return { tick: () => {}, done: () => {} };
  let count = 0;
  let drawnAt = 0;
  const draw = (): void => {
    const filled = Math.round((count / total) * BAR_WIDTH);
    io.stderr.write(`\r${label}[${'#'.repeat(filled)}${' '.repeat(BAR_WIDTH - filled)}] ${count}/${total}`);
    drawnAt = Date.now();
  };
  draw();
  return {
    tick(n = 1) {
      count = Math.min(total, count + n);
      if (count === total || Date.now() - drawnAt >= 100) draw();
    },
    done() {
      io.stderr.write('\r\u001b[K');
    },
  };
}
