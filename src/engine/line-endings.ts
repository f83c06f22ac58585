/**
 * Line endings of messages on their way to APPEND.
 *
 * IMAP transmits messages with CRLF line endings (RFC 3501 §2.3.1: "the body ... uses CRLF"; RFC 5322
 * §2.1 defines lines as ending in CRLF). Many servers accept bare LF in APPEND and store it, others
 * reject it (`BAD`) or count RFC822.SIZE differently, so the engine sends CRLF only: bare LF becomes
 * CRLF, nothing else is touched.
 *
 * A bare CR (CR not followed by LF) is left as it is. RFC 5322 §2.3 forbids it too, but rewriting it
 * would change bytes that a DKIM or S/MIME signature may cover (DESIGN.md: message bytes are not
 * modified except bare LF where the protocol requires), and servers differ: some store it, some reject
 * the APPEND. Rejected messages are then recorded as failed items with the server's text instead of
 * being silently altered.
 */

const LF = 0x0a;
const CR = 0x0d;

/** Number of LF bytes not preceded by CR. Uses indexOf (native memchr) so 1 MB costs microseconds. */
export function countBareLf(raw: Buffer): number {
  let count = 0;
  let at = raw.indexOf(LF);
  while (at !== -1) {
    if (at === 0 || raw[at - 1] !== CR) count++;
    at = raw.indexOf(LF, at + 1);
  }
  return count;
}

/** Length in octets of `raw` after bare LF → CRLF: what a server reports as RFC822.SIZE. */
export function crlfLength(raw: Buffer): number {
  return raw.length + countBareLf(raw);
}

/**
 * Converts every bare LF to CRLF. Returns the SAME Buffer instance when there is none (the common case:
 * messages fetched over IMAP are already CRLF), so callers can test `out === raw` to know nothing changed.
 */
export function toCrlf(raw: Buffer): Buffer {
  const extra = countBareLf(raw);
  if (extra === 0) return raw;
  const out = Buffer.allocUnsafe(raw.length + extra);
  let written = 0;
  let from = 0;
  let at = raw.indexOf(LF);
  while (at !== -1) {
    if (at === 0 || raw[at - 1] !== CR) {
      // Copy the run up to the LF, then CRLF.
      written += raw.copy(out, written, from, at);
      out[written++] = CR;
      out[written++] = LF;
      from = at + 1;
    }
    at = raw.indexOf(LF, at + 1);
  }
  written += raw.copy(out, written, from);
  return out;
}
