// Shape checks for the public API's arguments: a caller's mistake is refused
// up front with a message naming it, not met later as a TypeError deep inside.

/** How a value reads in an error message: strings quoted, objects by kind. */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string': return `'${value}'`;
    case 'bigint': return `${value}n`;
    case 'symbol': return value.toString();
    case 'function': return 'a function';
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return 'an array';
      return isPlainObject(value) ? 'an object' : `a ${(value.constructor as { name?: string } | undefined)?.name ?? 'object'}`;
    default: return String(value);
  }
}

/** An object literal (or Object.create(null)): not an array, Map, class instance or null. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

const LOGGER_METHODS = ['info', 'warn', 'error'] as const;

/** Throws unless `value` has info, warn and error functions. `where` is e.g. 'startBroker: logger'. */
export function checkLogger(where: string, value: unknown): void {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`${where} must be an object with info, warn and error methods, got ${describeValue(value)}`);
  }
  for (const m of LOGGER_METHODS) {
    const method = (value as Record<string, unknown>)[m];
    if (typeof method !== 'function') throw new TypeError(`${where}.${m} must be a function, got ${describeValue(method)}`);
  }
}

/** Throws unless `value` is a plain object of string, number or boolean values. `where` is e.g. 'startBroker: config'. */
export function checkConfigValues(where: string, value: unknown): asserts value is Record<string, string | number | boolean> {
  if (!isPlainObject(value)) throw new TypeError(`${where} must be an object of config keys to values, got ${describeValue(value)}`);
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new TypeError(`${where} ${key}: must be a string, number or boolean, got ${describeValue(v)}`);
    }
  }
}

/** The error for a value that is not what `message` asks for: a TypeError when it is not even a `type`, else a RangeError. */
export function badValue(type: 'number' | 'string', value: unknown, message: string): TypeError | RangeError {
  return typeof value === type ? new RangeError(message) : new TypeError(message);
}
