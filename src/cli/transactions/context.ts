// What the transactions sub-commands share: the admin client and options,
// Kafka's error exit (printErrorAndExit) and its table printing.
import type { Admin } from '../../client/admin.js';
import { KafkaClientError } from '../../client/errors.js';
import type { ParsedArgs } from '../args.js';
import type { CliIo } from '../command.js';
import { prettyPrintTable, writeJson, writeLines } from '../output.js';

/** What a sub-command does once its options are checked. */
export interface TxnContext {
  admin: Admin;
  args: ParsedArgs;
  io: CliIo;
  json: boolean;
}

/** A failure Kafka reports on stderr before exiting with 1 (printErrorAndExit). */
export class TxnCommandError extends Error {}

/** printErrorAndExit(message, cause): the cause's message, then Kafka's hint. */
export function failedBecause(message: string, cause: unknown): TxnCommandError {
  if (!(cause instanceof KafkaClientError)) throw cause;
  return new TxnCommandError(`${message}: ${cause.message}. Enable debug logging for additional detail.`);
}

/** Prints rows as Kafka's prettyPrintTable, or as JSON objects keyed by the headers. */
export function printTable(ctx: TxnContext, headers: string[], rows: string[][]): void {
  if (ctx.json) writeJson(ctx.io, rows.map((r) => Object.fromEntries(headers.map((h, i) => [h, r[i]]))));
  else writeLines(ctx.io, prettyPrintTable(headers, rows));
}
