// The registry of `samsa` commands. Each lives in src/cli/<name>.ts and is
// imported only when run (so `samsa start` loads no client code); the import
// path is built from the name, so a command not written yet is a clear error
// at run time rather than a build failure.
import type { Command } from './command.js';

export const COMMAND_NAMES = [
  'topics',
  'console-producer',
  'console-consumer',
  'consumer-groups',
  'configs',
  'get-offsets',
  'delete-records',
  'dump-log',
  'producer-perf-test',
  'consumer-perf-test',
  'broker-api-versions',
  'cluster-id',
  'transactions',
  'dev-cluster',
] as const;

/** A registered command that cannot be loaded (its module is missing from this build). */
export class CommandUnavailableError extends Error {
  override name = 'CommandUnavailableError';
}

export function isCommandName(name: string): boolean {
  return (COMMAND_NAMES as readonly string[]).includes(name);
}

/** Loads a registered command's module; throws CommandUnavailableError if it is not there. */
export async function loadCommand(name: string): Promise<Command> {
  if (!isCommandName(name)) throw new Error(`unknown command '${name}'`);
  const url = new URL(`./${name}.js`, import.meta.url);
  let module: { command?: Command };
  try {
    module = (await import(url.href)) as { command?: Command };
  } catch (e) {
    // Only the command's own file missing means "not available"; a broken import inside it is a real error.
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_MODULE_NOT_FOUND' && err.message.includes(url.pathname)) {
      throw new CommandUnavailableError(`command '${name}' is not available in this build`);
    }
    throw e;
  }
  if (!module.command) throw new CommandUnavailableError(`command '${name}' is not available in this build (its module exports no command)`);
  return module.command;
}
