// Properties for a tool's own parts (the console producer's line reader, the console consumer's
// formatter): a properties file option, then repeatable key=value options, which win.
import { readFile } from 'node:fs/promises';
import { parseProperties } from '../cluster/properties.js';
import { UsageError, type ParsedArgs } from './args.js';

/** Kafka's CommandLineUtils.parseKeyValueArgs: key=value split at the first '='; a key alone gets ''. */
export function parseKeyValues(args: readonly string[]): Map<string, string> {
  const props = new Map<string, string>();
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq < 0) props.set(arg, '');
    else props.set(arg.slice(0, eq), arg.slice(eq + 1));
  }
  return props;
}

/** The `keys` set by the file named by `fileOption` and then by the `pairsOption` values; other keys are ignored, as Kafka ignores them. */
export async function readToolProperties<K extends string>(args: ParsedArgs, fileOption: string, pairsOption: string, keys: readonly K[]): Promise<Partial<Record<K, string>>> {
  const props = new Map<string, string>();
  const file = args.string(fileOption);
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new UsageError(`option --${fileOption}: cannot read '${file}': ${(e as Error).message}`);
    }
    for (const [k, v] of parseProperties(text)) props.set(k, v);
  }
  for (const [k, v] of parseKeyValues(args.list(pairsOption))) props.set(k, v);
  const known: Partial<Record<K, string>> = {};
  for (const key of keys) {
    const value = props.get(key);
    if (value !== undefined) known[key] = value;
  }
  return known;
}
