/**
 * `UID FETCH set (UID BODY.PEEK[])` read by Cutover (raw-command.ts explains why): each untagged
 * `* n FETCH (UID u BODY[] {size}` response (RFC 3501 §7.4.2) is taken straight from ImapFlow's
 * stream — the literal is the message's bytes, no parse tree, no per-response log compilation.
 * A FETCH response of another shape (an unsolicited flag update from another session) is left to
 * ImapFlow.
 */
import type { ImapFlow } from 'imapflow';
import { AppError } from '../../core/app-error.ts';
import { literalIndexBefore, toSequenceSet, unquote } from './imap-wire.ts';
import { execRaw, textPlan } from './raw-command.ts';
import type { FetchedMessage } from './types.ts';

// `* 12 FETCH (` then the attributes; Dovecot, Cyrus, Gmail and Exchange answer UID and BODY[] in either order.
// Keywords are case-insensitive (RFC 3501 §9), so the patterns are too.
const FETCH_LINE = /^\* \d+ FETCH \(/i;
const UID_ATTR = /[( ]UID (\d+)/i;
// BODY[] followed by a literal marker {n} (or literal8 ~{n}), NIL, or a quoted string.
const BODY_ATTR = /[( ]BODY\[\] (?:~?\{(\d+)\+?\}\r\n|(NIL)|"((?:[^"\\]|\\.)*)")/i;

export type ParsedBody = { readonly uid: number; readonly source: Buffer | null } | { readonly unparsedUid: number } | null;

/**
 * One untagged FETCH line: its UID and body (`source` null for NIL); `{ unparsedUid }` when it has a
 * UID but no body this parser recognises; null when it is not a FETCH response with a UID (then
 * ImapFlow handles it). `literals` are the response's literals in order.
 */
export function parseBodyFetch(line: Buffer, literals: readonly Buffer[]): ParsedBody {
  // The line holds no message bytes (those are in `literals`), only attributes and literal markers.
  const text = line.toString('latin1');
  if (!FETCH_LINE.test(text)) return null;
  const uidMatch = UID_ATTR.exec(text);
  if (!uidMatch) return null;
  const uid = Number(uidMatch[1]);
  const body = BODY_ATTR.exec(text);
  if (!body) return { unparsedUid: uid };
  if (body[2] !== undefined) return { uid, source: null };
  if (body[3] !== undefined) return { uid, source: Buffer.from(unquote(body[3]), 'latin1') };
  const source = literals[literalIndexBefore(text, body.index)];
  if (!source || source.length !== Number(body[1])) return { unparsedUid: uid };
  return { uid, source };
}

/**
 * Bodies of `uids` of the selected folder, in the server's order; vanished UIDs are absent (RFC 3501
 * §6.4.8). The caller bounds what it asks for (the engine's batches), so the result is bounded.
 * A response for one of these UIDs that this parser does not recognise is not dropped: those UIDs are
 * fetched again through ImapFlow's general parser. A FETCH for a UID not asked for (another session
 * changed its flags) is left to ImapFlow.
 */
export async function fetchBodies(client: ImapFlow, path: string, uids: readonly number[]): Promise<FetchedMessage[]> {
  const wanted = new Set(uids);
  const out: FetchedMessage[] = [];
  const unparsed: number[] = [];
  let missing: number | null = null;
  await execRaw(client, 'UID FETCH', textPlan(`UID FETCH ${toSequenceSet(uids)} (UID BODY.PEEK[])`, (line, literals) => {
    const parsed = parseBodyFetch(line, literals);
    if (parsed === null) return false;
    if ('unparsedUid' in parsed) {
      if (!wanted.has(parsed.unparsedUid)) return false;
      unparsed.push(parsed.unparsedUid);
    } else if (parsed.source === null) missing ??= parsed.uid;
    else out.push({ uid: parsed.uid, source: parsed.source });
    return true;
  }));
  if (missing !== null) throw missingBody(path, missing);
  if (unparsed.length > 0) {
    for await (const m of client.fetch(toSequenceSet(unparsed), { uid: true, source: true }, { uid: true })) {
      if (!m.source) throw missingBody(path, m.uid);
      out.push({ uid: m.uid, source: m.source });
    }
  }
  return out;
}

/** The error for a body the server did not send. */
export function missingBody(path: string, uid: number): AppError {
  return new AppError('ITEM_FETCH_FAILED', `The server sent no body for UID ${uid} in ${path}`, { details: { operation: 'fetch', path, uid } });
}
