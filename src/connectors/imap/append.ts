/**
 * APPEND of one message (RFC 3501 §6.3.11) with its flags and INTERNALDATE, returning the new UID from
 * UIDPLUS `APPENDUID` (RFC 4315 §3). Also the pieces MULTIAPPEND shares: the per-message arguments
 * and the APPENDUID parser.
 *
 * Written by raw-append.ts (through ImapFlow's queue) rather than `ImapFlow.append()`, because the latter drops flags the *selected*
 * mailbox's PERMANENTFLAGS do not list (on a target session that last EXAMINEd another folder, that
 * silently loses keywords), switches to literal8 on NUL bytes, and issues NOOP/SEARCH afterwards.
 */
import type { ImapFlow } from 'imapflow';
import { mapImapError } from './map-imap-error.ts';
import { expandSequenceSet, formatInternalDate, responseCodeOf, type OutAttribute, type WireResponse } from './imap-wire.ts';
import { sendAppend } from './raw-append.ts';
import type { AppendItem } from './types.ts';

/** flag = "\" atom / keyword (RFC 3501 §9); atom-specials excluded. `\*` is only valid in PERMANENTFLAGS. */
// eslint-disable-next-line no-control-regex -- CTL characters are exactly what a flag may not contain
const FLAG = /^\\?[^\x00-\x20\x7f-\uffff(){%*"\\\]]+$/;

/**
 * Flags as they may be sent: `\Recent` removed (RFC 3501 §2.3.2: only the server sets it), duplicates
 * (case-insensitive) and anything that is not a valid flag atom dropped.
 */
export function appendableFlags(flags: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const flag of flags) {
    const key = flag.toLowerCase();
    if (key === '\\recent' || seen.has(key) || !FLAG.test(flag)) continue;
    seen.add(key);
    out.push(flag);
  }
  return out;
}

/** `(flags) "date-time" {n}` for one message: the tail of APPEND, repeated per message in MULTIAPPEND (RFC 3502 §6.3.11). */
export function appendAttributes(item: AppendItem): OutAttribute[] {
  return [
    appendableFlags(item.flags).map((flag): OutAttribute => ({ type: 'ATOM', value: flag })),
    { type: 'STRING', value: formatInternalDate(item.internalDate) },
    // A plain literal even with NUL bytes: Dovecot stores them as sent, other servers refuse the
    // message, which then fails as one item. literal8 (BINARY, RFC 3516) is deliberately not used.
    { type: 'LITERAL', value: item.content },
  ];
}

/** `[APPENDUID uidvalidity uid-set]` of a tagged OK (RFC 4315 §3), or null without UIDPLUS. */
export function parseAppendUid(response: WireResponse): { uidValidity: bigint; uids: number[] } | null {
  const code = responseCodeOf(response);
  if (code[0] !== 'APPENDUID' || code.length < 3) return null;
  const validity = code[1] ?? '';
  if (!/^\d{1,10}$/.test(validity)) return null;
  const uids = expandSequenceSet(code[2] ?? '');
  if (!uids) return null;
  return { uidValidity: BigInt(validity), uids };
}

/** Appends one message; throws an AppError (ITEM_REJECTED, ITEM_TOO_LARGE, TARGET_QUOTA_EXCEEDED, …). */
export async function appendOne(client: ImapFlow, capabilities: ReadonlySet<string>, path: string, item: AppendItem): Promise<{ uidValidity: bigint | null; uid: number | null }> {
  let response;
  try {
    response = await sendAppend(client, capabilities, path, [item]);
  } catch (err) {
    throw mapImapError(err, { operation: 'append', path });
  }
  const appendUid = parseAppendUid(response);
  return { uidValidity: appendUid?.uidValidity ?? null, uid: appendUid?.uids.length === 1 ? (appendUid.uids[0] ?? null) : null };
}
