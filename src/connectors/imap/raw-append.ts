/**
 * APPEND and MULTIAPPEND (RFC 3502) written by Cutover (raw-command.ts explains why and how):
 *
 *   tag APPEND mailbox (flags) "date" {n+}\r\n<bytes> (flags) "date" {m+}\r\n<bytes> …\r\n
 *
 * With LITERAL+ (RFC 7888 §4) every literal is non-synchronizing, so a whole batch goes out without
 * waiting for the server and each message's bytes are written as they are (no copy). With LITERAL-
 * only literals up to 4,096 octets may be; without either, each literal waits for the server's `+`.
 */
import type { ImapFlow } from 'imapflow';
import type { AppendItem } from './types.ts';
import { appendableFlags, appendAttributes } from './append.ts';
import { execCommand, formatInternalDate, wirePath, type OutAttribute, type WireResponse } from './imap-wire.ts';
import { execRaw, type RawPlan } from './raw-command.ts';

/** How literals may be sent to this server (RFC 7888). */
export type LiteralMode = 'plus' | 'minus' | 'sync';

/** LITERAL+ anywhere; LITERAL- (or IMAP4rev2, which includes it) up to 4,096 octets; else synchronizing. */
export function literalModeOf(capabilities: ReadonlySet<string>): LiteralMode {
  if (capabilities.has('LITERAL+')) return 'plus';
  if (capabilities.has('LITERAL-') || capabilities.has('IMAP4REV2')) return 'minus';
  return 'sync';
}

/** Whether a literal of `size` octets may be sent without waiting for `+` (RFC 7888 §4, §5). */
export function isNonSynchronizing(mode: LiteralMode, size: number): boolean {
  return mode === 'plus' || (mode === 'minus' && size <= 4096);
}

/** ` (flags) "date-time" {n}` or `{n+}` and its CRLF: one message's arguments of APPEND (RFC 3501 §6.3.11). */
export function appendMessageArgs(item: AppendItem, nonSync: boolean): string {
  return ` (${appendableFlags(item.flags).join(' ')}) "${formatInternalDate(item.internalDate)}" {${item.content.length}${nonSync ? '+' : ''}}\r\n`;
}

/**
 * A mailbox name as an IMAP quoted string (RFC 3501 §4.3, §9 `quoted`), or null when it cannot be one
 * (CR, LF or NUL): the caller then uses ImapFlow's own compiler, which sends it as a literal.
 */
export function quoteMailbox(wireName: string): string | null {
  // eslint-disable-next-line no-control-regex -- CR, LF and NUL are exactly what a quoted string may not hold
  if (/[\r\n\x00]/.test(wireName)) return null;
  return `"${wireName.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** The pieces of the command after the tag, cut into segments after each synchronizing literal header. */
export function buildAppendPlan(quotedMailbox: string, items: readonly AppendItem[], mode: LiteralMode): RawPlan {
  const segments: Buffer[][] = [];
  let current: Buffer[] = [];
  let text = `APPEND ${quotedMailbox}`;
  let bytes = 0;
  for (const item of items) {
    const size = item.content.length;
    const nonSync = isNonSynchronizing(mode, size);
    text += appendMessageArgs(item, nonSync);
    // UTF-8: with UTF8=ACCEPT (RFC 6855), which ImapFlow enables when offered, mailbox names travel as UTF-8.
    current.push(Buffer.from(text, 'utf8'));
    text = '';
    if (!nonSync) {
      segments.push(current);
      current = [];
    }
    if (size > 0) current.push(item.content);
    bytes += size;
  }
  if (text !== '') current.push(Buffer.from(text, 'utf8'));
  segments.push(current);
  return { segments, summary: `APPEND ${quotedMailbox} (${items.length} message${items.length === 1 ? '' : 's'}, ${bytes} octets, literals ${mode})` };
}

/**
 * Appends `items` to `path` in one command (one message: APPEND; several: MULTIAPPEND). A mailbox
 * name that cannot be a quoted string goes through ImapFlow's compiler instead, which sends it as a
 * literal. Throws ImapFlow's error on NO/BAD; callers map it.
 */
export async function sendAppend(client: ImapFlow, capabilities: ReadonlySet<string>, path: string, items: readonly AppendItem[]): Promise<WireResponse> {
  const wireName = wirePath(client, path);
  const quoted = quoteMailbox(wireName);
  if (quoted === null) {
    const attributes: OutAttribute[] = [{ type: 'ATOM', value: wireName }];
    for (const item of items) attributes.push(...appendAttributes(item));
    return execCommand(client, 'APPEND', attributes);
  }
  return execRaw(client, 'APPEND', buildAppendPlan(quoted, items, literalModeOf(capabilities)));
}
