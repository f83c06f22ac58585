/**
 * Shared plumbing of the CLI commands that talk to the API (`project`, `pair`, `doctor --project`):
 * the --url / --token / --json options, one error printer, and small text-table output.
 */
import type { Command } from 'commander';
import { toAppError } from '../core/app-error.ts';
import { ApiClient, apiClientOptions, type ApiFlags } from './api-client.ts';
import { exitCodeForError } from './exit-codes.ts';

/** Flags of every API command. */
export interface ApiCommandFlags extends ApiFlags {
  json?: boolean;
}

/** Adds --url, --token and --json to a command. */
export function withApiOptions(cmd: Command): Command {
  return cmd
    .option('--url <url>', 'Cutover server (default $CUTOVER_URL or http://127.0.0.1:8080)')
    .option('--token <token>', 'API token cut_… (default $CUTOVER_TOKEN)')
    .option('--json', 'print JSON instead of text');
}

/** Output sinks, replaceable in tests. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** stdout for results, stderr for errors. */
export const stdio: Output = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/**
 * Runs one API command: builds the client from the flags merged over the parent's (commander puts
 * options given before the subcommand on the parent), prints errors as `CODE: message` (or JSON with
 * --json) and sets the exit code.
 */
export async function runApiCommand(
  cmd: Command,
  action: (client: ApiClient, flags: ApiCommandFlags) => Promise<number | void>,
  output: Output = stdio,
): Promise<void> {
  const flags = cmd.optsWithGlobals<ApiCommandFlags>();
  try {
    const code = await action(new ApiClient(apiClientOptions(flags)), flags);
    process.exitCode = code ?? 0;
  } catch (err) {
    const error = toAppError(err);
    if (flags.json) output.out(JSON.stringify({ error: error.toJSON() }, null, 2));
    else output.err(`${error.code}: ${error.message}\n  ${error.hint}`);
    process.exitCode = exitCodeForError(error);
  }
}

/** A value as a table cell: "-" for nothing, JSON for objects. */
function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? '-';
}

/** Left-aligned text table; null and undefined print as "-". */
export function table(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<unknown>>): string {
  const cells = [headers, ...rows.map((row) => row.map(show))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : (cell ?? '').padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}

/** `key: value` lines, aligned. */
export function fields(entries: ReadonlyArray<readonly [string, unknown]>): string {
  const width = Math.max(...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${show(v)}`).join('\n');
}

/** Prints `data` as JSON with --json, else the text `render` gives. */
export function print(output: Output, flags: ApiCommandFlags, data: unknown, render: () => string): void {
  output.out(flags.json ? JSON.stringify(data, null, 2) : render());
}

/** Repeatable option collector for commander. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];
