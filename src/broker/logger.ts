// A broker's log output. Each broker gets its own (no process-wide logger), so
// an embedded broker can stay quiet while `samsa start` prints to stderr.

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export function consoleLogger(prefix = ''): Logger {
  const line = (level: string, msg: string): void => {
    process.stderr.write(`[${new Date().toISOString()}] ${level} ${prefix}${msg}\n`);
  };
  return {
    info: (m) => line('INFO', m),
    warn: (m) => line('WARN', m),
    error: (m) => line('ERROR', m),
  };
}

/** Drops info lines; keeps warnings and errors on stderr. */
export function quietLogger(prefix = ''): Logger {
  const loud = consoleLogger(prefix);
  return { info: () => {}, warn: loud.warn, error: loud.error };
}
