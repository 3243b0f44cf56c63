// The shape of a `samsa <name>` command: its option table and what it does.
// A command module (src/cli/<name>.ts) exports `command: Command`.
import type { Readable, Writable } from 'node:stream';
import type { CommandSpec, ParsedArgs } from './args.js';

/** Where a command reads and writes; isTTY says whether stderr is a terminal (progress bars draw only then). */
export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  isTTY: boolean;
}

export interface Command {
  spec: CommandSpec;
  /** Runs with parsed options; resolves to the exit code (0 success, 1 error, as Kafka's tools). */
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}
