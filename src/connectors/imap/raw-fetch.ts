/**
 * `UID FETCH set (UID BODY.PEEK[])` read by Cutover (raw-command.ts explains why): each untagged
 * `* n FETCH (UID u BODY[] {size}` response (RFC 3501 §7.4.2) is taken straight from ImapFlow's
 * stream — the literal is the message's bytes, no parse tree, no per-response log compilation.
 * A FETCH response of another shape (an unsolicited flag update from another session) is left to
 * ImapFlow.
 */
import type { ImapFlow } from 'imapflow';
import { AppError } from '../../core/app-error.ts';
import { execRaw, textPlan } from './raw-command.ts';
import type { FetchedMessage } from './types.ts';

// `* 12 FETCH (` then the attributes; Dovecot, Cyrus, Gmail and Exchange answer UID and BODY[] in either order.
const FETCH_LINE = /^\* \d+ FETCH \(/;
const UID_ATTR = /[( ]UID (\d+)/;
// BODY[] followed by a literal marker {n} (or literal8 ~{n}), NIL, or a quoted string.
const BODY_ATTR = /[( ]BODY\[\] (?:~?\{(\d+)\+?\}\r\n|(NIL)|"((?:[^"\\]|\\.)*)")/;

/**
 * The UID and body of one untagged FETCH line, or null when the line is not a body response
 * (then ImapFlow handles it). `literals` are the response's literals in order.
 */
export function parseBodyFetch(line: Buffer, literals: readonly Buffer[]): { uid: number; source: Buffer | null } | null {
  // The line holds no message bytes (those are in `literals`), only attributes and literal markers.
  const text = line.toString('latin1');
  if (!FETCH_LINE.test(text)) return null;
  const body = BODY_ATTR.exec(text);
  const uid = UID_ATTR.exec(text);
  if (!body || !uid) return null;
  if (body[2] === 'NIL') return { uid: Number(uid[1]), source: null };
  if (body[3] !== undefined) return { uid: Number(uid[1]), source: Buffer.from(body[3].replace(/\\(.)/g, '$1'), 'latin1') };
  // Which literal: the number of literal markers before BODY[]'s own.
  const before = text.slice(0, body.index).match(/\{\d+\+?\}\r\n/g)?.length ?? 0;
  const source = literals[before];
  if (!source || source.length !== Number(body[1])) return null;
  return { uid: Number(uid[1]), source };
}

/**
 * Bodies of the UIDs in `set` of the selected folder, in the server's order; vanished UIDs are
 * absent (RFC 3501 §6.4.8). The caller bounds the set (the engine's batches), so the result is bounded.
 */
export async function fetchBodies(client: ImapFlow, path: string, set: string): Promise<FetchedMessage[]> {
  const out: FetchedMessage[] = [];
  let missing: number | null = null;
  await execRaw(client, 'UID FETCH', textPlan(`UID FETCH ${set} (UID BODY.PEEK[])`, (line, literals) => {
    const message = parseBodyFetch(line, literals);
    if (!message) return false;
    if (message.source === null) missing ??= message.uid;
    else out.push({ uid: message.uid, source: message.source });
    return true;
  }));
  if (missing !== null) throw missingBody(path, missing);
  return out;
}

/** The error for a body the server did not send. */
export function missingBody(path: string, uid: number): AppError {
  return new AppError('ITEM_FETCH_FAILED', `The server sent no body for UID ${uid} in ${path}`, { details: { operation: 'fetch', path, uid } });
}
