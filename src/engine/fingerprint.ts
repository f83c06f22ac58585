/**
 * Message fingerprints (DESIGN.md, "The sync engine"): a hash of Message-ID, Date, From, Subject and the
 * size, that backs up the source identity `(folder, UIDVALIDITY, UID)` when it is lost (UIDVALIDITY
 * change, in-doubt recovery after a crash). A fingerprint is not an identity: byte-identical messages
 * share one, so callers match with multiplicity.
 *
 * The same fingerprint must come out of two very different inputs:
 * - the target's (or source's) FETCH metadata: `BODY.PEEK[HEADER.FIELDS (MESSAGE-ID DATE FROM SUBJECT)]`
 *   plus RFC822.SIZE, which servers compute over the CRLF form of the message;
 * - a full message in hand (`fingerprintOfMessage`), possibly with bare LF line endings.
 * Hence: header values are unfolded and whitespace runs collapsed (servers may re-fold), values are kept
 * raw (no RFC 2047 decoding: it is lossy with unknown charsets), and size is counted after LF → CRLF.
 */
import { createHash } from 'node:crypto';
import { crlfLength } from './line-endings.ts';

/** The header values a fingerprint covers, raw (undecoded, latin1 for 8-bit bytes); null when absent. */
export interface FingerprintHeaders {
  readonly messageId: string | null;
  readonly date: string | null;
  readonly from: string | null;
  readonly subject: string | null;
}

/**
 * Bumped whenever the canonical form changes: fingerprints stored in the ledger under an older version
 * must then be recomputed, never compared.
 */
export const FINGERPRINT_VERSION = 'cutover-fp-1';

const WANTED: Readonly<Record<string, keyof FingerprintHeaders>> = {
  'message-id': 'messageId',
  date: 'date',
  from: 'from',
  subject: 'subject',
};

/**
 * Parses a raw header block (e.g. the answer to `BODY.PEEK[HEADER.FIELDS (MESSAGE-ID DATE FROM SUBJECT)]`).
 * Never throws: 8-bit bytes are read as latin1, lines without a colon are skipped, parsing stops at the
 * first empty line (the end of the header section, RFC 5322 §2.1).
 */
export function parseFingerprintHeaders(raw: Buffer): FingerprintHeaders {
  const found: { messageId: string | null; date: string | null; from: string | null; subject: string | null } = {
    messageId: null,
    date: null,
    from: null,
    subject: null,
  };
  // latin1 maps each byte to one code point, so decoding can never fail and is reversible.
  const lines = raw.toString('latin1').split(/\r?\n/);
  let current: { key: keyof FingerprintHeaders; value: string } | null = null;
  const flush = (): void => {
    // First occurrence wins (RFC 5322 §3.6 allows one of each; duplicates come from broken software).
    if (current !== null && found[current.key] === null) found[current.key] = current.value.trim();
    current = null;
  };
  for (const line of lines) {
    if (line === '' || line === '\r') break;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      // Unfolding (RFC 5322 §2.2.3): remove the CRLF, keep the whitespace that follows it.
      if (current !== null) current.value += line;
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    // Field names are case-insensitive (RFC 5322 §1.2.2); obsolete syntax allows WSP before the colon (§4.5).
    const key = WANTED[line.slice(0, colon).trimEnd().toLowerCase()];
    if (key !== undefined) current = { key, value: line.slice(colon + 1) };
  }
  flush();
  return { ...found, messageId: found.messageId === null ? null : normaliseMessageId(found.messageId) };
}

/**
 * The `<id-left@id-right>` token of a Message-ID value (RFC 5322 §3.6.4), without the surrounding CFWS
 * and without whitespace left inside by folding. Values without angle brackets (broken mailers) keep
 * their text minus comments. Empty → null.
 */
export function normaliseMessageId(value: string): string | null {
  const open = value.indexOf('<');
  const close = open === -1 ? -1 : value.indexOf('>', open + 1);
  if (open !== -1 && close !== -1) {
    const token = value.slice(open, close + 1).replace(/\s+/g, '');
    return token === '<>' ? null : token;
  }
  const bare = stripComments(value).replace(/\s+/g, '');
  return bare === '' ? null : bare;
}

/** Removes RFC 5322 §3.2.2 comments `( ... )`, nested, honouring quoted-pairs. */
function stripComments(value: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '\\' && depth > 0) {
      i++;
      continue;
    }
    if (ch === '(') depth++;
    else if (ch === ')' && depth > 0) depth--;
    else if (depth === 0) out += ch;
  }
  return out;
}

const collapse = (value: string | null): string => (value === null ? '' : value.replace(/\s+/g, ' ').trim());

/** The versioned canonical text that is hashed; exported for logs and tests. */
export function canonicalFingerprintText(headers: FingerprintHeaders, size: number): string {
  return [
    FINGERPRINT_VERSION,
    `message-id:${collapse(headers.messageId)}`,
    `date:${collapse(headers.date)}`,
    `from:${collapse(headers.from)}`,
    `subject:${collapse(headers.subject)}`,
    `size:${size}`,
  ].join('\n');
}

/** Hex SHA-256 fingerprint of FETCH metadata: the header fields block and RFC822.SIZE. */
export function fingerprint(meta: { headers: Buffer; size: number }): string {
  const text = canonicalFingerprintText(parseFingerprintHeaders(meta.headers), meta.size);
  // Every code point is ≤ 0xFF (latin1 decoding above), so latin1 re-encodes the original bytes.
  return createHash('sha256').update(Buffer.from(text, 'latin1')).digest('hex');
}

/** End of the header section: index of the first empty line (CRLF or LF), or the whole buffer. */
export function headerSectionEnd(raw: Buffer): number {
  if (raw[0] === 0x0a || (raw[0] === 0x0d && raw[1] === 0x0a)) return 0;
  let at = raw.indexOf(0x0a);
  while (at !== -1) {
    const next = raw[at + 1];
    if (next === 0x0a) return at + 1;
    if (next === 0x0d && raw[at + 2] === 0x0a) return at + 1;
    at = raw.indexOf(0x0a, at + 1);
  }
  return raw.length;
}

/**
 * Fingerprint of a full message, equal to `fingerprint()` of the same message's FETCH metadata on any
 * server: the size is the CRLF size (RFC822.SIZE counts the message as sent over IMAP).
 */
export function fingerprintOfMessage(raw: Buffer): string {
  return fingerprint({ headers: raw.subarray(0, headerSectionEnd(raw)), size: crlfLength(raw) });
}
