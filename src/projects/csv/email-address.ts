/**
 * A practical check of an email address as people type them in migration lists: one `@`, a local part
 * without spaces, and a domain of dot-separated labels with a top-level part. It does not accept every
 * address RFC 5322 allows (quoted local parts, IP literals); no mail system used for migrations needs them.
 */
const EMAIL = /^[^\s@"(),:;<>[\\\]]+@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/i;

/** True when `text` looks like a mailbox address (`user@example.com`). */
export function isEmailAddress(text: string): boolean {
  return text.length <= 254 && EMAIL.test(text) && !text.startsWith('.') && !text.includes('..');
}
