// Typed configuration definitions in Kafka's style (ConfigDef): each key has a
// type, a default and an optional validator. Values arrive as strings (from a
// properties file or the wire) or as JS values (embedded broker options).

export type ConfigType = 'int' | 'long' | 'short' | 'double' | 'boolean' | 'string' | 'list' | 'password';
export type ConfigValue = number | boolean | string | string[] | null;

export interface ConfigDef {
  type: ConfigType;
  default: ConfigValue;
  /** Returns a message when the value is not allowed. */
  validate?: (v: ConfigValue) => string | undefined;
  /** Kafka's documented meaning, shortened; also marks whether the value is sensitive. */
  sensitive?: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly key: string, message: string) {
    super(`config ${key}: ${message}`);
  }
}

const LONG_MAX = 9223372036854775807n;
const LONG_MIN = -9223372036854775808n;

/** Parses `raw` for `key` per its definition; throws ConfigError naming the key. */
export function parseConfigValue(key: string, def: ConfigDef, raw: unknown): ConfigValue {
  if (raw === null || raw === undefined) {
    if (def.default === null) return null;
    throw new ConfigError(key, 'a value is required');
  }
  const text = typeof raw === 'string' ? raw.trim() : raw;
  let value: ConfigValue;
  switch (def.type) {
    case 'int':
    case 'short':
    case 'long': {
      value = parseInteger(key, def.type, text);
      break;
    }
    case 'double': {
      const n = typeof text === 'number' ? text : Number(text);
      if (typeof text === 'boolean' || text === '' || !Number.isFinite(n)) throw new ConfigError(key, `'${String(raw)}' is not a number`);
      value = n;
      break;
    }
    case 'boolean': {
      if (typeof text === 'boolean') value = text;
      else if (typeof text === 'string' && /^(true|false)$/i.test(text)) value = text.toLowerCase() === 'true';
      else throw new ConfigError(key, `'${String(raw)}' is not true or false`);
      break;
    }
    case 'list': {
      if (Array.isArray(text)) value = text.map(String);
      else if (typeof text === 'string') value = text === '' ? [] : text.split(',').map((s) => s.trim()).filter((s) => s !== '');
      else throw new ConfigError(key, `'${String(raw)}' is not a comma-separated list`);
      break;
    }
    default:
      if (typeof text === 'object') throw new ConfigError(key, `'${String(raw)}' is not a string`);
      value = String(text);
  }
  const problem = def.validate?.(value);
  if (problem) throw new ConfigError(key, `'${Array.isArray(value) ? value.join(',') : String(value)}' ${problem}`);
  return value;
}

function parseInteger(key: string, type: 'int' | 'short' | 'long', text: unknown): number {
  let big: bigint;
  if (typeof text === 'number' && Number.isInteger(text)) big = BigInt(text);
  else if (typeof text === 'string' && /^[-+]?\d+$/.test(text)) big = BigInt(text);
  else throw new ConfigError(key, `'${String(text)}' is not an integer`);
  const [lo, hi] = type === 'short' ? [-32768n, 32767n] : type === 'int' ? [-2147483648n, 2147483647n] : [LONG_MIN, LONG_MAX];
  if (big < lo || big > hi) throw new ConfigError(key, `'${String(text)}' is out of range for a ${type}`);
  // Long.MAX_VALUE means "never" in Kafka; JS numbers keep that meaning as MAX_SAFE_INTEGER.
  if (big > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  if (big < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
  return Number(big);
}

export const atLeast = (min: number) => (v: ConfigValue): string | undefined =>
  typeof v === 'number' && v < min ? `must be at least ${min}` : undefined;

export const oneOf = (...allowed: string[]) => (v: ConfigValue): string | undefined =>
  typeof v === 'string' && !allowed.includes(v) ? `must be one of ${allowed.join(', ')}` : undefined;

export const between = (min: number, max: number) => (v: ConfigValue): string | undefined =>
  typeof v === 'number' && (v < min || v > max) ? `must be between ${min} and ${max}` : undefined;

/** Renders a value the way Kafka's DescribeConfigs does. */
export function formatConfigValue(v: ConfigValue): string | null {
  if (v === null) return null;
  if (Array.isArray(v)) return v.join(',');
  if (v === Number.MAX_SAFE_INTEGER) return '9223372036854775807';
  return String(v);
}
