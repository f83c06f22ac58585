/**
 * Command-line options of `npm run bench`. Defaults are the sizes the published figures use, so a
 * plain `npm run bench` reproduces docs/benchmarks.md.
 */
import { parseArgs } from 'node:util';

export type ToolName = 'cutover' | 'mbsync' | 'doveadm';
export const ALL_TOOLS: readonly ToolName[] = ['cutover', 'mbsync', 'doveadm'];

export interface BenchArgs {
  /** Messages in the source mailbox of the tool comparison. */
  messages: number;
  /** Mailbox pairs of the scaling run (0 skips it). */
  mailboxes: number;
  /** Messages per mailbox in the scaling run. */
  scalingMessages: number;
  tools: ToolName[];
  /** Keep Dovecot state dirs and data dirs under bench/.work for post-mortems. */
  keep: boolean;
}

const USAGE = `npm run bench -- [--messages N] [--mailboxes K] [--scaling-messages M] [--tools cutover,mbsync,doveadm] [--keep]`;

function positive(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min} (got "${value}")\n${USAGE}`);
  return n;
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      messages: { type: 'string' },
      mailboxes: { type: 'string' },
      'scaling-messages': { type: 'string' },
      tools: { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const tools = (values.tools ?? ALL_TOOLS.join(',')).split(',').map((t) => t.trim()).filter((t) => t !== '');
  for (const tool of tools) {
    if (!ALL_TOOLS.includes(tool as ToolName)) throw new Error(`unknown tool "${tool}" (known: ${ALL_TOOLS.join(', ')})\n${USAGE}`);
  }
  // Cutover is what the others are compared with; without it there are no ratios to print.
  if (!tools.includes('cutover')) tools.unshift('cutover');
  return {
    messages: positive('messages', values.messages, 10_000, 1),
    mailboxes: positive('mailboxes', values.mailboxes, 4, 0),
    scalingMessages: positive('scaling-messages', values['scaling-messages'], 2_500, 1),
    tools: tools as ToolName[],
    keep: values.keep ?? false,
  };
}
