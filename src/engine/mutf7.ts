/**
 * Modified UTF-7 mailbox names (RFC 3501 §5.1.3), for logs, docs checks and the raw MULTIAPPEND path.
 *
 * ImapFlow converts names itself, but only through `encodePath(connection, path)` / `decodePath(...)`
 * in `imapflow/lib/tools.js`: they need a live connection object, depend on iconv-lite (not one of our
 * declared dependencies) and swallow decoding errors by returning the name unchanged. We need a pure,
 * strict pair, so it is implemented here (about 60 lines).
 *
 * Rules (RFC 3501 §5.1.3): printable US-ASCII except "&" (0x20–0x25, 0x27–0x7e) stands for itself; "&"
 * is written "&-"; every other character is UTF-16 (big-endian) in modified BASE64 — RFC 2045 base64
 * with "," instead of "/", no "=" padding — between "&" and "-".
 */
import { AppError } from '../core/app-error.ts';

const isDirect = (code: number): boolean => code >= 0x20 && code <= 0x7e && code !== 0x26;

/** Encodes a UTF-8 (JS string) mailbox name to modified UTF-7. */
export function encodeMutf7(name: string): string {
  let out = '';
  let i = 0;
  while (i < name.length) {
    const code = name.charCodeAt(i);
    if (code === 0x26) {
      out += '&-';
      i++;
    } else if (isDirect(code)) {
      out += name[i];
      i++;
    } else {
      // One shift sequence for the whole run of non-direct characters (RFC 3501: "&" ... "-").
      let end = i;
      while (end < name.length && !isDirect(name.charCodeAt(end)) && name.charCodeAt(end) !== 0x26) end++;
      const units = Buffer.alloc((end - i) * 2);
      for (let k = i; k < end; k++) units.writeUInt16BE(name.charCodeAt(k), (k - i) * 2);
      out += `&${units.toString('base64').replace(/=+$/, '').replace(/\//g, ',')}-`;
      i = end;
    }
  }
  return out;
}

const invalid = (name: string, why: string): AppError =>
  new AppError('IMAP_PROTOCOL_ERROR', `Mailbox name ${JSON.stringify(name)} is not valid modified UTF-7: ${why}`, {
    retry: 'item',
    details: { mailbox: name },
  });

/**
 * Decodes a modified UTF-7 mailbox name to a JS string. Strict: a raw non-ASCII or control character,
 * an unterminated or malformed shift sequence, an odd byte count, non-zero padding bits or a lone
 * surrogate throw IMAP_PROTOCOL_ERROR (retry class `item`: this one folder, not the session).
 */
export function decodeMutf7(name: string): string {
  let out = '';
  let i = 0;
  while (i < name.length) {
    const code = name.charCodeAt(i);
    if (code !== 0x26) {
      if (!isDirect(code)) throw invalid(name, `character U+${code.toString(16).padStart(4, '0')} must be encoded`);
      out += name[i];
      i++;
      continue;
    }
    const end = name.indexOf('-', i + 1);
    if (end === -1) throw invalid(name, 'a "&" sequence is not terminated by "-"');
    const b64 = name.slice(i + 1, end);
    i = end + 1;
    if (b64 === '') {
      out += '&';
      continue;
    }
    if (!/^[A-Za-z0-9+,]+$/.test(b64) || b64.length % 4 === 1) throw invalid(name, `bad base64 "${b64}"`);
    const bytes = Buffer.from(b64.replace(/,/g, '/'), 'base64');
    // Leftover bits after the last full byte must be zero, or the encoding was not canonical/truncated.
    const spareBits = (b64.length * 6) % 8;
    const last = b64.charCodeAt(b64.length - 1);
    if (spareBits !== 0 && (base64Value(last) & ((1 << spareBits) - 1)) !== 0) throw invalid(name, 'non-zero padding bits');
    if (bytes.length % 2 !== 0) throw invalid(name, 'an odd number of UTF-16 bytes');
    for (let k = 0; k < bytes.length; k += 2) out += String.fromCharCode(bytes.readUInt16BE(k));
  }
  assertWellFormed(name, out);
  return out;
}

function base64Value(code: number): number {
  if (code >= 0x41 && code <= 0x5a) return code - 0x41;
  if (code >= 0x61 && code <= 0x7a) return code - 0x61 + 26;
  if (code >= 0x30 && code <= 0x39) return code - 0x30 + 52;
  return code === 0x2b ? 62 : 63;
}

/** UTF-16 must pair surrogates, or the name cannot be turned into UTF-8. */
function assertWellFormed(name: string, text: string): void {
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(k + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) throw invalid(name, 'a lone high surrogate');
      k++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      throw invalid(name, 'a lone low surrogate');
    }
  }
}
