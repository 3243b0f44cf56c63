#!/usr/bin/env -S node --initial-old-space-size=64
// The heap flag keeps V8 from running a major GC every few tens of ms under heavy produce/fetch
// (see docs/benchmarks.md, "major-GC storms"); Kafka ships its heap settings the same way.
// The samsa command: `samsa <subcommand> [options]`.
import { runStart } from './start.js';

const USAGE = `Usage: samsa <command> [options]

Commands:
  start     run a broker (samsa start --help)
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start':
      return runStart(rest);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`samsa: unknown command '${command}'\n\n${USAGE}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => { if (code !== 0) process.exitCode = code; },
  (e: unknown) => {
    process.stderr.write(`samsa: ${(e as Error).message}\n`);
    process.exitCode = 1;
  },
);
