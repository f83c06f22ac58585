/**
 * MULTIAPPEND (RFC 3502): many messages in ONE APPEND command, so the server saves them in one
 * transaction and the client pays one round trip instead of one per message.
 *
 *   tag APPEND mailbox (flags) "date" {n+}
<bytes> (flags) "date" {m+}
<bytes> …

 *
 * Written by raw-append.ts: with LITERAL+ (RFC 7888) every literal is non-synchronizing, so the whole
 * batch goes out without waiting for the server; without it, each larger literal waits for `+`.
 *
 * RFC 3502 §6.3.11: when any message fails, the server appends NONE of them. The caller
 * (append-batch.ts) then falls back to single APPENDs for that batch, so only the bad message fails.
 */
import type { ImapFlow } from 'imapflow';
import { mapImapError } from './map-imap-error.ts';
import { parseAppendUid } from './append.ts';
import { sendAppend } from './raw-append.ts';
import type { AppendItem } from './types.ts';

export interface MultiAppendData {
  readonly uidValidity: bigint | null;
  /** One per item in order; all null when the server gave no (or an unusable) APPENDUID. */
  readonly uids: readonly (number | null)[];
}

/** Appends all `items` to `path` in one MULTIAPPEND command; throws an AppError when the server refuses it (then nothing was stored). */
export async function multiAppend(client: ImapFlow, capabilities: ReadonlySet<string>, path: string, items: readonly AppendItem[]): Promise<MultiAppendData> {
  let response;
  try {
    response = await sendAppend(client, capabilities, path, items);
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
