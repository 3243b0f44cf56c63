#!/usr/bin/env -S node --initial-old-space-size=64
// The heap flag keeps V8 from running a major GC every few tens of ms under heavy produce/fetch
// (see docs/benchmarks.md, "major-GC storms"); Kafka ships its heap settings the same way.
// The samsa command: `samsa <command> [options]`. `start` runs a broker; the
// other commands (src/cli/commands.ts) are Kafka's command-line tools.
import { helpText, parseArgs, UsageError, wantsHelp } from './args.js';
import type { CliIo } from './command.js';
import { COMMAND_NAMES, isCommandName, loadCommand } from './commands.js';

const START_SUMMARY = 'Run a broker (Kafka\'s kafka-server-start).';

/** `samsa --help`: every command with its summary (a command missing from the build says so). */
async function usage(): Promise<string> {
  const rows: [string, string][] = [['start', START_SUMMARY]];
  for (const name of COMMAND_NAMES) {
    rows.push([name, await loadCommand(name).then((c) => c.spec.summary, (e: unknown) => `(${(e as Error).message})`)]);
  }
  const width = Math.max(...rows.map(([name]) => name.length)) + 2;
  return `Usage: samsa <command> [options]\n\nCommands:\n${rows.map(([name, summary]) => `  ${name.padEnd(width)}${summary}`).join('\n')}\n\n`
    + 'Run \'samsa <command> --help\' for a command\'s options.\n';
}

/**
 * Kafka's tools stop quietly when what reads their output goes away (`samsa ... | head`): a closed
 * stdout or stderr (EPIPE) ends the process with 0 instead of an unhandled 'error' stack trace.
 */
function exitQuietlyOnClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      // A command watching stdout itself (console-consumer commits and says so, as Kafka's) ends on its own.
      if (stream === process.stdout && stream.listenerCount('error') > 1) return;
      process.exit(0);
    });
  }
}

async function runCommand(name: string, argv: string[], io: CliIo): Promise<number> {
  try {
    const command = await loadCommand(name);
    if (wantsHelp(argv)) {
      io.stdout.write(helpText(command.spec));
      return 0;
    }
    return await command.run(parseArgs(command.spec, argv), io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`samsa ${name}: ${e.message}\nRun 'samsa ${name} --help' for usage.\n`);
    } else {
      io.stderr.write(`Error: ${(e as Error).message}\n`);
    }
    return 1;
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'start') {
    const { runStart } = await import('./start.js');
    return runStart(rest);
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(await usage());
    return command === undefined ? 1 : 0;
  }
  if (!isCommandName(command)) {
    process.stderr.write(`samsa: unknown command '${command}'\nRun 'samsa --help' for the list of commands.\n`);
    return 1;
  }
  exitQuietlyOnClosedOutput();
  const code = await runCommand(command, rest, { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, isTTY: Boolean(process.stderr.isTTY) });
  // Like Kafka's tools (Exit.exit), a finished command ends the process even if a client left a timer or socket behind.
  await Promise.all([process.stdout, process.stderr].map((s) => new Promise<void>((resolve) => s.write('', () => resolve()))));
  process.exit(code);
}

main(process.argv.slice(2)).then(
  (code) => { if (code !== 0) process.exitCode = code; },
  (e: unknown) => {
    process.stderr.write(`samsa: ${(e as Error).message}\n`);
    process.exitCode = 1;
  },
);
