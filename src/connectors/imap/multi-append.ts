/**
 * MULTIAPPEND (RFC 3502): many messages in ONE APPEND command, so the server saves them in one
 * transaction and the client pays one round trip instead of one per message.
 *
 *   tag APPEND mailbox (flags) "date" {n+}\r\n<bytes> (flags) "date" {m+}\r\n<bytes> …\r\n
 *
 * Sent through ImapFlow's `exec()` with one LITERAL attribute per message: ImapFlow's compiler writes
 * every literal and, after each synchronizing literal, waits for the server's `+` before sending the
 * bytes (RFC 3501 §7.5). With LITERAL+ (RFC 7888) ImapFlow 2.1.2 marks literals up to 4096 octets
 * non-synchronizing (`{n+}`, sent without waiting) and still synchronizes larger ones (it treats
 * LITERAL+ like LITERAL-). That costs one short server turn per large message inside the same command,
 * not a command round trip plus a commit: measured in bench/append-measure.ts, good enough that a
 * hand-written raw-socket writer (bypassing ImapFlow's command queue) is not worth its risk.
 *
 * RFC 3502 §6.3.11: when any message fails, the server appends NONE of them. The caller
 * (append.ts) then falls back to single APPENDs for that batch, so only the bad message fails.
 */
import type { ImapFlow } from 'imapflow';
import { mapImapError } from './map-imap-error.ts';
import { appendAttributes, parseAppendUid } from './append.ts';
import { execCommand, wirePath, type OutAttribute } from './imap-wire.ts';
import type { AppendItem } from './types.ts';

export interface MultiAppendData {
  readonly uidValidity: bigint | null;
  /** One per item in order; all null when the server gave no (or an unusable) APPENDUID. */
  readonly uids: readonly (number | null)[];
}

/** Appends all `items` to `path` in one MULTIAPPEND command; throws an AppError when the server refuses it (then nothing was stored). */
export async function multiAppend(client: ImapFlow, path: string, items: readonly AppendItem[]): Promise<MultiAppendData> {
  const attributes: OutAttribute[] = [{ type: 'ATOM', value: wirePath(client, path) }];
  for (const item of items) attributes.push(...appendAttributes(item));
  let response;
  try {
    response = await execCommand(client, 'APPEND', attributes);
  } catch (err) {
    throw mapImapError(err, { operation: 'append', path });
  }
  const appendUid = parseAppendUid(response);
  // RFC 4315 §3: the uid-set lists the new UIDs in the order of the messages. A count that does not
  // match would make every mapping a guess, so no UID is reported then (the engine searches instead).
  if (appendUid && appendUid.uids.length === items.length) {
    return { uidValidity: appendUid.uidValidity, uids: appendUid.uids };
  }
  return { uidValidity: appendUid?.uidValidity ?? null, uids: items.map(() => null) };
}
