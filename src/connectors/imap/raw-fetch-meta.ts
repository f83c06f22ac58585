/**
 * Metadata read by Cutover (raw-command.ts explains why): each untagged response to
 * `UID FETCH set (UID FLAGS INTERNALDATE RFC822.SIZE [MODSEQ] BODY.PEEK[HEADER.FIELDS (…)])`
 * (RFC 3501 §7.4.2; MODSEQ RFC 7162 §3.1.4) is parsed from the line itself. A response this parser
 * does not recognise completely is not guessed at: its UID is handed back, and the caller fetches
 * those few through ImapFlow's general parser.
 */
import type { ImapFlow } from 'imapflow';
import { literalIndexBefore, unquote } from './imap-wire.ts';
import { execRaw, textPlan } from './raw-command.ts';
import type { MessageMetaData } from './types.ts';

// Keywords are case-insensitive (RFC 3501 §9), so the patterns are too.
const FETCH_LINE = /^\* \d+ FETCH \(/i;
const UID_ATTR = /[( ]UID (\d+)/i;
const FLAGS_ATTR = /[( ]FLAGS \(([^()]*)\)/i;
const DATE_ATTR = /[( ]INTERNALDATE "([^"]*)"/i;
const SIZE_ATTR = /[( ]RFC822\.SIZE (\d+)/i;
const MODSEQ_ATTR = /[( ]MODSEQ \((\d+)\)/i;
// BODY[HEADER.FIELDS (…)] then a literal marker, NIL or a quoted string. Dovecot echoes the field list.
const HEADER_ATTR = /[( ]BODY\[HEADER\.FIELDS \([^)]*\)\] (?:~?\{(\d+)\+?\}\r\n|(NIL)|"((?:[^"\\]|\\.)*)")/i;
const MONTHS: Readonly<Record<string, number>> = { JAN: 0, FEB: 1, MAR: 2, APR: 3, MAY: 4, JUN: 5, JUL: 6, AUG: 7, SEP: 8, OCT: 9, NOV: 10, DEC: 11 };
const DATE_TIME = /^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/;

/** INTERNALDATE's `date-time` (RFC 3501 §9: `"dd-Mon-yyyy hh:mm:ss +zzzz"`, day may be space-padded), or null. */
export function parseDateTime(value: string): Date | null {
  const m = DATE_TIME.exec(value);
  if (!m) return null;
  const month = MONTHS[(m[2] as string).toUpperCase()];
  if (month === undefined) return null;
  const offsetMinutes = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
  const utc = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  return new Date(utc - offsetMinutes * 60_000);
}

export type ParsedMeta = { readonly meta: MessageMetaData } | { readonly unparsedUid: number } | null;

/**
 * One untagged FETCH line: its metadata, or `{ unparsedUid }` when it carries a UID but not every
 * attribute in a form this parser knows, or null when it is not a FETCH response with a UID.
 */
export function parseMetaFetch(line: Buffer, literals: readonly Buffer[], withModseq: boolean): ParsedMeta {
  const text = line.toString('latin1');
  if (!FETCH_LINE.test(text)) return null;
  const uidMatch = UID_ATTR.exec(text);
  if (!uidMatch) return null;
  const uid = Number(uidMatch[1]);
  const flags = FLAGS_ATTR.exec(text);
  const date = DATE_ATTR.exec(text);
  const size = SIZE_ATTR.exec(text);
  const header = HEADER_ATTR.exec(text);
  const modseq = MODSEQ_ATTR.exec(text);
  const internalDate = date ? parseDateTime(date[1] as string) : null;
  if (!flags || !internalDate || !size || !header || (withModseq && !modseq)) return { unparsedUid: uid };
  let headers: Buffer;
  if (header[2] !== undefined) headers = Buffer.alloc(0);
  else if (header[3] !== undefined) headers = Buffer.from(unquote(header[3]), 'latin1');
  else {
    const literal = literals[literalIndexBefore(text, header.index)];
    if (!literal || literal.length !== Number(header[1])) return { unparsedUid: uid };
    headers = literal;
  }
  return {
    meta: {
      uid,
      flags: (flags[1] as string).split(' ').filter((f) => f !== ''),
      internalDate,
      size: Number(size[1]),
      headers,
      modseq: modseq ? BigInt(modseq[1] as string) : null,
    },
  };
}

/**
 * Metadata of the UIDs in `set` of the selected folder. `unparsed` lists UIDs whose response this
 * parser did not recognise; the caller fetches those through ImapFlow.
 */
export async function fetchMetaRaw(client: ImapFlow, set: string, headerFields: readonly string[], withModseq: boolean): Promise<{ metas: MessageMetaData[]; unparsed: number[] }> {
  const metas: MessageMetaData[] = [];
  const unparsed: number[] = [];
  const items = `UID FLAGS INTERNALDATE RFC822.SIZE${withModseq ? ' MODSEQ' : ''} BODY.PEEK[HEADER.FIELDS (${headerFields.join(' ')})]`;
  await execRaw(client, 'UID FETCH', textPlan(`UID FETCH ${set} (${items})`, (line, literals) => {
    const parsed = parseMetaFetch(line, literals, withModseq);
    if (parsed === null) return false;
    if ('meta' in parsed) metas.push(parsed.meta);
    else unparsed.push(parsed.unparsedUid);
    return true;
  }));
  return { metas, unparsed };
}
