// Command-line options the way Kafka's tools take them (joptsimple): long
// options only, `--name value` or `--name=value`, a unique prefix of a name
// accepted as the name, flags without values, repeatable list options.

/**
 * 'optional': a value that may be left out (joptsimple's withOptionalArg): `--name=value`, or the
 * next argument unless it starts with '-'; read as '' when left out.
 * 'values': one or more values (argparse's nargs '+'): the following arguments up to the next
 * `--option`; repeatable; read with list().
 */
export type OptionKind = 'string' | 'int' | 'flag' | 'list' | 'optional' | 'values';

export interface OptionSpec {
  name: string;
  kind: OptionKind;
  describe: string;
  /** Shown in the help after the option, e.g. `<String: topic>`. */
  valueName?: string;
  required?: boolean;
  default?: string | number;
}

export interface CommandSpec {
  name: string;
  summary: string;
  options: OptionSpec[];
  /** Names the non-option arguments the command takes, for the help (e.g. 'COMMAND' for a sub-command); without it any is an error. */
  operands?: string;
}

/** A bad command line: the message names the option or value at fault. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Checks a command's option table (a programming error shows at load, not at use). */
export function defineCommand(spec: CommandSpec): CommandSpec {
  const seen = new Set<string>();
  for (const o of spec.options) {
    if (seen.has(o.name) || o.name === 'help') throw new Error(`${spec.name}: option --${o.name} defined twice`);
    seen.add(o.name);
  }
  return spec;
}

/** The options given, read by name and kind. */
export class ParsedArgs {
  constructor(
    private readonly spec: CommandSpec,
    private readonly values: ReadonlyMap<string, string[]>,
    /** The non-option arguments, in order (only for a spec with `operands`). */
    readonly operands: readonly string[] = [],
  ) {}

  /** Names of the options given, in the order of the spec. */
  given(): string[] {
    return this.spec.options.filter((o) => this.values.has(o.name)).map((o) => o.name);
  }

  /** Whether the command has this option at all (shared helpers read options only some commands define). */
  defines(name: string): boolean {
    return this.spec.options.some((o) => o.name === name);
  }

  /** Whether the option was given on the command line. */
  has(name: string): boolean {
    return this.values.has(this.option(name).name);
  }

  /** The last value given, else the default. */
  string(name: string): string | undefined {
    const o = this.option(name);
    const given = this.values.get(o.name);
    if (given) return given[given.length - 1];
    return o.default === undefined ? undefined : String(o.default);
  }

  /** The value as an integer (checked at parse time), else the default. */
  int(name: string): number | undefined {
    const value = this.string(name);
    return value === undefined ? undefined : Number(value);
  }

  flag(name: string): boolean {
    return this.has(name);
  }

  /** Every value of a repeatable option, in order. */
  list(name: string): string[] {
    return [...(this.values.get(this.option(name).name) ?? [])];
  }

  private option(name: string): OptionSpec {
    const o = this.spec.options.find((x) => x.name === name);
    if (!o) throw new Error(`${this.spec.name} has no option --${name}`);
    return o;
  }
}

const INT = /^[+-]?\d+$/;

/** Parses argv against the spec; throws UsageError naming an unknown option, a missing or bad value, or a missing required option. */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const values = new Map<string, string[]>();
  const operands: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (!token.startsWith('--') || token === '--') {
      if (spec.operands === undefined) throw new UsageError(`unexpected argument '${token}'`);
      operands.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const written = token.slice(2, eq < 0 ? undefined : eq);
    const option = findOption(spec, written);
    let value: string;
    if (option.kind === 'flag') {
      if (eq >= 0) throw new UsageError(`option --${option.name} takes no value`);
      value = '';
    } else if (option.kind === 'values') {
      const taken = eq >= 0 ? [token.slice(eq + 1)] : [];
      while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) taken.push(argv[++i]);
      if (taken.length === 0) throw new UsageError(`option --${option.name} requires a value`);
      values.set(option.name, [...(values.get(option.name) ?? []), ...taken]);
      continue;
    } else if (eq >= 0) {
      value = token.slice(eq + 1);
    } else if (option.kind === 'optional') {
      value = i + 1 < argv.length && !argv[i + 1].startsWith('-') ? argv[++i] : '';
    } else {
      if (i + 1 >= argv.length) throw new UsageError(`option --${option.name} requires a value`);
      value = argv[++i];
    }
    if (option.kind === 'int' && (!INT.test(value) || !Number.isSafeInteger(Number(value)))) {
      throw new UsageError(`option --${option.name}: '${value}' is not an integer`);
    }
    values.set(option.name, [...(values.get(option.name) ?? []), value]);
  }
  for (const o of spec.options) {
    if (o.required && !values.has(o.name)) throw new UsageError(`missing required option --${o.name}`);
  }
  return new ParsedArgs(spec, values, operands);
}

/** The exact name, else the one option the written text is a prefix of (joptsimple's abbreviations). */
function findOption(spec: CommandSpec, written: string): OptionSpec {
  const exact = spec.options.find((o) => o.name === written);
  if (exact) return exact;
  const candidates = written === '' ? [] : spec.options.filter((o) => o.name.startsWith(written));
  if (candidates.length === 1) return candidates[0];
  if (candidates.length > 1) throw new UsageError(`option --${written} is ambiguous (${candidates.map((o) => `--${o.name}`).join(', ')})`);
  throw new UsageError(`unknown option --${written}`);
}

/** Whether argv asks for help (checked before parsing, so `--help` works with required options missing). */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/** Kafka-like help: the summary, then a table of options with their values and descriptions. */
export function helpText(spec: CommandSpec): string {
  const rows = [...spec.options, { name: 'help', kind: 'flag', describe: 'Print usage information.' } satisfies OptionSpec]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((o) => {
      const name = `<${o.valueName ?? (o.kind === 'int' ? 'Integer' : 'String')}>`;
      const value = o.kind === 'flag' ? '' : o.kind === 'optional' ? ` [${name}]` : o.kind === 'values' ? ` ${name} ...` : ` ${name}`;
      const head = `--${o.name}${value}${o.required ? ' (required)' : ''}`;
      const describe = o.default === undefined ? o.describe : `${o.describe} (default: ${o.default})`;
      return [head, describe];
    });
  const width = Math.max('Option'.length, ...rows.map(([head]) => head.length)) + 2;
  const lines = [`Usage: samsa ${spec.name} [options]${spec.operands === undefined ? '' : ` ${spec.operands}`}`, '', spec.summary, '', `${'Option'.padEnd(width)}Description`, `${'------'.padEnd(width)}-----------`];
  for (const [head, describe] of rows) lines.push(`${head.padEnd(width)}${describe}`);
  return `${lines.join('\n')}\n`;
}
